import { INVALID_PHONE_MESSAGE, normalizeEmail, normalizePhone, ValidationError } from '@identity/common';
import { OtpChannel } from './otp-challenge.entity';
import { maskDestination } from './otp-code';
import { CodeSentDto } from './otp.dto';

/** Where a one-time code goes: a normalized email address or an E.164 phone number. */
export interface CodeDestination {
  channel: OtpChannel;
  /** Lower-case email, or E.164. */
  address: string;
}

/**
 * Reads the `{ email } | { phone }` of a request: exactly one of them, normalized. Invalid input
 * is a 400 naming the field, before anything is looked up or stored.
 */
export function destinationOf(body: { email?: string | null; phone?: string | null }): CodeDestination {
  // Optional fields let null through validation; null counts as absent.
  if ((body.email == null) === (body.phone == null)) {
    throw new ValidationError([{ field: 'email', messages: ['give exactly one of email or phone'] }]);
  }
  if (body.email != null) return { channel: 'email', address: normalizeEmail(body.email) };
  const phone = normalizePhone(body.phone!);
  if (!phone) throw new ValidationError([{ field: 'phone', messages: [INVALID_PHONE_MESSAGE] }]);
  return { channel: 'sms', address: phone };
}

/** The 202 answer of a request that sends a code, the same whether or not an account exists. */
export function codeSent(destination: CodeDestination, expiresAt: Date): CodeSentDto {
  return { destination: maskDestination(destination.address), channel: destination.channel, expiresAt: expiresAt.toISOString() };
}
