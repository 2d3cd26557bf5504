import { createHash, createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export const CODE_LENGTH = 6;

/** A uniformly random 6-digit code from the CSPRNG (leading zeros kept). */
export function generateCode(): string {
  return String(randomInt(0, 10 ** CODE_LENGTH)).padStart(CODE_LENGTH, '0');
}

/**
 * Keyed hash of a code bound to its purpose and destination: the same digits sent for another
 * purpose or to another address hash differently, so they can never be used there.
 */
export function hashCode(secret: string, purpose: string, destination: string, code: string): string {
  return createHmac('sha256', secret).update(`${purpose}\n${destination}\n${code}`).digest('hex');
}

export function codeMatches(expectedHash: string, secret: string, purpose: string, destination: string, code: string): boolean {
  const actual = Buffer.from(hashCode(secret, purpose, destination, code), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The value of `active_key` while a challenge is the one in force for (purpose, destination). */
export function activeKeyOf(purpose: string, destination: string): string {
  return createHash('sha256').update(`${purpose}\n${destination}`).digest('hex');
}

/**
 * Shows enough of a destination for a person to recognise it, and not enough to learn it:
 * `a***e@example.com`, `+49*******78`.
 */
export function maskDestination(destination: string): string {
  const at = destination.lastIndexOf('@');
  if (at > 0) {
    const local = destination.slice(0, at);
    const shown = local.length <= 2 ? local[0] : `${local[0]}${'*'.repeat(Math.min(local.length - 2, 5))}${local[local.length - 1]}`;
    return `${local.length <= 2 ? `${shown}*` : shown}${destination.slice(at)}`;
  }
  if (destination.length <= 5) return '*'.repeat(destination.length);
  return `${destination.slice(0, 3)}${'*'.repeat(destination.length - 5)}${destination.slice(-2)}`;
}
