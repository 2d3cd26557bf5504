import { generateSecret, generateURI, verifySync } from 'otplib';

/** RFC 6238 defaults, which every authenticator app understands: SHA-1, 6 digits, 30 s steps. */
export const TOTP_PERIOD_SECONDS = 30;
/** One step either side, for phones whose clock is a little off. */
const TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;

export const TOTP_CODE = /^[0-9]{6}$/;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function otpauthUri(secret: string, issuer: string, label: string): string {
  return generateURI({ issuer, label, secret });
}

/**
 * The time step a code belongs to when it is valid now, else null. Steps at or before
 * `lastUsedStep` are refused, so a code (or an older one) cannot be replayed within its window.
 */
export function matchingTimeStep(secret: string, code: string, now: Date, lastUsedStep: number | null): number | null {
  if (!TOTP_CODE.test(code)) return null;
  const result = verifySync({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(lastUsedStep === null ? {} : { afterTimeStep: lastUsedStep }),
  });
  // The functional API also covers HOTP; a TOTP result carries its time step.
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
