import { randomInt, timingSafeEqual } from 'node:crypto';
import { keyedHash } from './secret-box';

export const RECOVERY_CODE_COUNT = 10;

/** No 0/o, 1/l/i: codes are read off paper and typed by hand. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUP = 5;

/** Ten characters from a 31-letter alphabet: about 50 bits each, shown as `abcde-fgh23`. */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: GROUP * 2 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, GROUP)}-${chars.slice(GROUP)}`;
  });
}

/** What a person may type: any case, with or without the dash or spaces. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '');
}

/** Whether an input has the shape of a recovery code (and so is not a TOTP code). */
export function looksLikeRecoveryCode(input: string): boolean {
  return new RegExp(`^[${ALPHABET}]{${GROUP * 2}}$`).test(normalizeRecoveryCode(input));
}

export function hashRecoveryCode(key: Buffer, code: string): string {
  return keyedHash(key, normalizeRecoveryCode(code));
}

/** The index of the stored hash matching the input, or -1; compares every hash in constant time. */
export function findRecoveryCode(key: Buffer, hashes: readonly string[], input: string): number {
  const candidate = Buffer.from(hashRecoveryCode(key, input), 'hex');
  let found = -1;
  hashes.forEach((hash, index) => {
    const stored = Buffer.from(hash, 'hex');
    if (stored.length === candidate.length && timingSafeEqual(stored, candidate) && found < 0) found = index;
  });
  return found;
}
