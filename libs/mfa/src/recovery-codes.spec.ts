import { describe, it } from 'node:test';
import { expect } from 'expect';
import { randomBytes } from 'node:crypto';
import { findRecoveryCode, generateRecoveryCodes, hashRecoveryCode, looksLikeRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes';

describe('recovery codes', () => {
  const key = randomBytes(32);

  it('makes ten distinct codes in groups of five, without look-alike characters', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
      expect(code).not.toMatch(/[01ilo]/);
    }
  });

  it('finds a code typed in another case, without the dash or with spaces', () => {
    const codes = generateRecoveryCodes();
    const hashes = codes.map((code) => hashRecoveryCode(key, code));
    expect(findRecoveryCode(key, hashes, codes[3])).toBe(3);
    expect(findRecoveryCode(key, hashes, codes[3].toUpperCase().replace('-', ' '))).toBe(3);
    expect(findRecoveryCode(key, hashes, codes[7].replace('-', ''))).toBe(7);
    expect(findRecoveryCode(key, hashes, 'aaaaa-aaaaa')).toBe(-1);
    expect(findRecoveryCode(randomBytes(32), hashes, codes[3])).toBe(-1);
  });

  it('stores nothing that contains the code', () => {
    const [code] = generateRecoveryCodes(1);
    const hash = hashRecoveryCode(key, code);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(code.replace('-', ''));
  });

  it('tells recovery codes from six-digit TOTP codes', () => {
    expect(looksLikeRecoveryCode(generateRecoveryCodes(1)[0])).toBe(true);
    expect(looksLikeRecoveryCode('123456')).toBe(false);
    expect(looksLikeRecoveryCode('abc')).toBe(false);
  });
});
