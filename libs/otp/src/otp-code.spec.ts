import { describe, it } from 'node:test';
import { expect } from 'expect';
import { activeKeyOf, codeMatches, generateCode, hashCode, maskDestination } from './otp-code';

describe('one-time code primitives', () => {
  it('generates six digits, keeping leading zeros, and spreads over the whole range', () => {
    const codes = Array.from({ length: 2000 }, generateCode);
    expect(codes.every((code) => /^\d{6}$/.test(code))).toBe(true);
    expect(new Set(codes).size).toBeGreaterThan(1990);
    expect(codes.some((code) => Number(code) < 500_000)).toBe(true);
    expect(codes.some((code) => Number(code) >= 500_000)).toBe(true);
  });

  it('binds the hash to the secret, purpose and destination', () => {
    const hash = hashCode('s'.repeat(32), 'registration', 'ada@example.com', '123456');
    expect(codeMatches(hash, 's'.repeat(32), 'registration', 'ada@example.com', '123456')).toBe(true);
    expect(codeMatches(hash, 's'.repeat(32), 'registration', 'ada@example.com', '123457')).toBe(false);
    expect(codeMatches(hash, 's'.repeat(32), 'password_reset', 'ada@example.com', '123456')).toBe(false);
    expect(codeMatches(hash, 's'.repeat(32), 'registration', 'bob@example.com', '123456')).toBe(false);
    expect(codeMatches(hash, 't'.repeat(32), 'registration', 'ada@example.com', '123456')).toBe(false);
    expect(hash).not.toContain('123456');
  });

  it('keys the code in force by purpose and destination', () => {
    expect(activeKeyOf('login', 'ada@example.com')).toHaveLength(64);
    expect(activeKeyOf('login', 'ada@example.com')).not.toBe(activeKeyOf('registration', 'ada@example.com'));
  });

  it('masks emails and phone numbers', () => {
    expect(maskDestination('ada.lovelace@example.com')).toBe('a*****e@example.com');
    expect(maskDestination('al@example.com')).toBe('a*@example.com');
    expect(maskDestination('+4915112345678')).toBe('+49*********78');
  });
});
