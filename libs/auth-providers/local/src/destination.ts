import { normalizeEmail, normalizePhone, ValidationError } from '@identity/common';
import { maskDestination, OtpChannel } from '@identity/otp';
import { INVALID_PHONE } from './local-accounts.service';

/** Where a one-time code goes: a normalized email address or an E.164 phone number. */
export interface Destination {
  channel: OtpChannel;
  /** Normalized: lower-case email, or E.164. */
  address: string;
}

/**
 * Reads the `{ email } | { phone }` of a request: exactly one of them, normalized. Invalid input
 * is a 400 naming the field, before anything is looked up or stored.
 */
export function destinationOf(body: { email?: string; phone?: string }): Destination {
  const given = [body.email, body.phone].filter((value) => value !== undefined && value !== null);
  if (given.length !== 1) {
    throw new ValidationError([{ field: 'email', messages: ['give exactly one of email or phone'] }]);
  }
  if (body.email !== undefined && body.email !== null) return { channel: 'email', address: normalizeEmail(body.email) };
  const phone = normalizePhone(body.phone!);
  if (!phone) throw new ValidationError([{ field: 'phone', messages: [INVALID_PHONE] }]);
  return { channel: 'sms', address: phone };
}

/** The 202 answer of a request that sends a code, the same whether or not an account exists. */
export function codeSent(destination: Destination, expiresAt: Date) {
  return { destination: maskDestination(destination.address), channel: destination.channel, expiresAt: expiresAt.toISOString() };
}

export type CodeSent = ReturnType<typeof codeSent>;
