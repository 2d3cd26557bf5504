import { describe, it } from 'node:test';
import { expect } from 'expect';
import { generateSync } from 'otplib';
import { matchingTimeStep, newTotpSecret, otpauthUri, TOTP_PERIOD_SECONDS } from './totp';

describe('TOTP', () => {
  const secret = newTotpSecret();
  const at = (seconds: number) => new Date(seconds * 1000);
  const codeAt = (seconds: number) => generateSync({ secret, epoch: seconds });
  const t = 1_800_000_000;

  it('accepts the current code and one step either side, and no further', () => {
    const step = Math.floor(t / TOTP_PERIOD_SECONDS);
    expect(matchingTimeStep(secret, codeAt(t), at(t), null)).toBe(step);
    expect(matchingTimeStep(secret, codeAt(t - TOTP_PERIOD_SECONDS), at(t), null)).toBe(step - 1);
    expect(matchingTimeStep(secret, codeAt(t + TOTP_PERIOD_SECONDS), at(t), null)).toBe(step + 1);
    expect(matchingTimeStep(secret, codeAt(t - 3 * TOTP_PERIOD_SECONDS), at(t), null)).toBeNull();
    expect(matchingTimeStep(secret, 'abcdef', at(t), null)).toBeNull();
  });

  it('refuses a code of a step already used, and older ones', () => {
    const step = matchingTimeStep(secret, codeAt(t), at(t), null)!;
    expect(matchingTimeStep(secret, codeAt(t), at(t), step)).toBeNull();
    expect(matchingTimeStep(secret, codeAt(t - TOTP_PERIOD_SECONDS), at(t), step)).toBeNull();
    expect(matchingTimeStep(secret, codeAt(t + TOTP_PERIOD_SECONDS), at(t), step)).toBe(step + 1);
  });

  it('builds an otpauth URI authenticator apps understand', () => {
    const uri = otpauthUri(secret, 'Acme ID', 'ada@example.com');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Acme%20ID:ada%40example\.com\?/);
    expect(uri).toContain(`secret=${secret}`);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  });
});
