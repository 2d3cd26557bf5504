import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Canonical forms for identifiers, so that lookups, unique constraints and (later) lockout
 * counters agree on what "the same" email, phone or username is.
 */
export function normalizeEmail(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}

export function normalizeUsername(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}

/** The validation message for a phone number that is not a valid E.164 number. */
export const INVALID_PHONE_MESSAGE = 'phone must be a valid number in E.164 form, e.g. +4915112345678';

/** Returns the E.164 form of a phone number written with a leading `+`, or null if it is not one. */
export function normalizePhone(value: string): string | null {
  const compact = value.normalize('NFKC').trim();
  if (!compact.startsWith('+')) return null;
  const parsed = parsePhoneNumberFromString(compact);
  return parsed?.isValid() ? parsed.number : null;
}

export type IdentifierKind = 'email' | 'phone' | 'username';

export interface ClassifiedIdentifier {
  kind: IdentifierKind;
  value: string;
}

/** Decides whether a sign-in identifier is an email, an E.164 phone number or a username. */
export function classifyIdentifier(raw: string): ClassifiedIdentifier {
  const trimmed = raw.normalize('NFKC').trim();
  if (trimmed.includes('@')) return { kind: 'email', value: normalizeEmail(trimmed) };
  if (trimmed.startsWith('+')) {
    const phone = normalizePhone(trimmed);
    if (phone) return { kind: 'phone', value: phone };
  }
  return { kind: 'username', value: normalizeUsername(trimmed) };
}
