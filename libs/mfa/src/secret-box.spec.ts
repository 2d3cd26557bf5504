import { describe, it } from 'node:test';
import { expect } from 'expect';
import { randomBytes } from 'node:crypto';
import { deriveKey, keyedHash, open, seal } from './secret-box';

describe('secret box (AES-256-GCM)', () => {
  const key = randomBytes(32);

  it('round-trips, with a fresh IV each time so equal secrets never look alike', () => {
    const first = seal(key, 'JBSWY3DPEHPK3PXP', 'user-1');
    const second = seal(key, 'JBSWY3DPEHPK3PXP', 'user-1');
    expect(first).not.toBe(second);
    expect(first).not.toContain('JBSWY3DPEHPK3PXP');
    expect(first.startsWith('v1.')).toBe(true);
    expect(open(key, first, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuses another key, another owner and tampered bytes', () => {
    const sealed = seal(key, 'secret', 'user-1');
    expect(() => open(randomBytes(32), sealed, 'user-1')).toThrow();
    expect(() => open(key, sealed, 'user-2')).toThrow();
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    bytes[bytes.length - 1] ^= 1;
    expect(() => open(key, `v1.${bytes.toString('base64url')}`, 'user-1')).toThrow();
    expect(() => open(key, `v2.${sealed.slice(3)}`, 'user-1')).toThrow(/format/);
  });

  it('derives distinct keys per purpose and hashes with them', () => {
    const a = deriveKey(key, 'recovery-codes');
    const b = deriveKey(key, 'mfa-tokens');
    expect(a.equals(b)).toBe(false);
    expect(a).toHaveLength(32);
    expect(keyedHash(a, 'x')).toMatch(/^[0-9a-f]{64}$/);
    expect(keyedHash(a, 'x')).not.toBe(keyedHash(b, 'x'));
  });
});
