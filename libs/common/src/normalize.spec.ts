import { describe, it } from 'node:test';
import { expect } from 'expect';
import { classifyIdentifier, normalizeEmail, normalizePhone, normalizeUsername } from './normalize';

describe('identifier normalization', () => {
  it('folds emails to one form: NFKC, trimmed, lower case', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    // Fullwidth letters (NFKC) are the same address.
    expect(normalizeEmail('ａｄａ@example.com')).toBe('ada@example.com');
  });

  it('accepts only valid E.164 phone numbers, written with a leading +', () => {
    expect(normalizePhone('+49 151 1234 5678')).toBe('+4915112345678');
    expect(normalizePhone('015112345678')).toBeNull();
    expect(normalizePhone('+49 1')).toBeNull();
  });

  it('folds usernames / roll numbers case-insensitively', () => {
    expect(normalizeUsername(' CS-2026/042 ')).toBe('cs-2026/042');
  });

  it('classifies sign-in identifiers', () => {
    expect(classifyIdentifier('Ada@Example.com')).toEqual({ kind: 'email', value: 'ada@example.com' });
    expect(classifyIdentifier('+4915112345678')).toEqual({ kind: 'phone', value: '+4915112345678' });
    expect(classifyIdentifier('CS-042')).toEqual({ kind: 'username', value: 'cs-042' });
    // A "+" that is not a valid number is not a phone: it can only be a username.
    expect(classifyIdentifier('+notaphone')).toEqual({ kind: 'username', value: '+notaphone' });
  });
});
