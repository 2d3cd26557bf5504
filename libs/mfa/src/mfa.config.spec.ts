import { describe, it } from 'node:test';
import { expect } from 'expect';
import { randomBytes } from 'node:crypto';
import { DEV_MFA_ENCRYPTION_KEY, loadMfaConfig } from './mfa.config';

describe('MFA configuration', () => {
  it('has a development key, and accepts 32 bytes as base64 or hex', () => {
    expect(loadMfaConfig({}).encryptionKey).toHaveLength(32);
    const key = randomBytes(32);
    expect(loadMfaConfig({ MFA_ENCRYPTION_KEY: key.toString('base64') }).encryptionKey.equals(key)).toBe(true);
    expect(loadMfaConfig({ MFA_ENCRYPTION_KEY: key.toString('hex') }).encryptionKey.equals(key)).toBe(true);
    expect(loadMfaConfig({}).tokenTtlSeconds).toBe(300);
  });

  it('refuses short keys, a missing or default key in production, and odd token lifetimes', () => {
    expect(() => loadMfaConfig({ MFA_ENCRYPTION_KEY: 'too-short' })).toThrow(/32 bytes/);
    expect(() => loadMfaConfig({ NODE_ENV: 'production' })).toThrow(/required in production/);
    expect(() => loadMfaConfig({ NODE_ENV: 'production', MFA_ENCRYPTION_KEY: DEV_MFA_ENCRYPTION_KEY })).toThrow(/development default/);
    expect(() => loadMfaConfig({ MFA_TOKEN_TTL: '2h' })).toThrow(/MFA_TOKEN_TTL/);
    expect(() => loadMfaConfig({ MFA_MAX_ATTEMPTS: '0' })).toThrow(/MFA_MAX_ATTEMPTS/);
  });
});
