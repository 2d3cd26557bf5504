import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ConfigValidationError, DURATION_PATTERN, isProduction, parseDuration, validateEnv } from '@identity/common';

/** Used only outside production, so `npm start` works without setup; production must set its own. */
export const DEV_MFA_ENCRYPTION_KEY = 'ZGV2ZWxvcG1lbnQtb25seS1tZmEta2V5LTMyYnl0ZXM=';

const KEY_BYTES = 32;

class MfaEnv {
  /** 32 random bytes, base64 (44 characters) or hex (64 characters). */
  @IsOptional()
  @IsString()
  MFA_ENCRYPTION_KEY?: string;

  @Transform(({ value }) => String(value))
  @Matches(DURATION_PATTERN, { message: 'MFA_TOKEN_TTL must be a duration such as 300 or 5m' })
  MFA_TOKEN_TTL = '300';

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(10)
  MFA_MAX_ATTEMPTS = 5;
}

export interface MfaConfig {
  /** AES-256-GCM key of the TOTP secrets; recovery-code hashes are keyed by a key derived from it. */
  encryptionKey: Buffer;
  /** Lifetime of an mfaToken, in seconds. */
  tokenTtlSeconds: number;
  /** Wrong codes one mfaToken accepts before it is spent. */
  maxAttempts: number;
}

/** Decodes a 32-byte key written as hex or base64; null when it is neither. */
export function decodeKey(value: string): Buffer | null {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return null;
  const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === KEY_BYTES ? bytes : null;
}

export function loadMfaConfig(env: NodeJS.ProcessEnv = process.env): MfaConfig {
  const values = validateEnv(MfaEnv, env);
  const problems: string[] = [];
  const rawKey = values.MFA_ENCRYPTION_KEY ?? (isProduction(env) ? undefined : DEV_MFA_ENCRYPTION_KEY);
  const encryptionKey = rawKey === undefined ? null : decodeKey(rawKey);
  if (rawKey === undefined) problems.push('MFA_ENCRYPTION_KEY is required in production (32 random bytes, base64 or hex)');
  else if (!encryptionKey) problems.push('MFA_ENCRYPTION_KEY must be 32 bytes written as base64 (44 characters) or hex (64 characters)');
  if (isProduction(env) && rawKey === DEV_MFA_ENCRYPTION_KEY) problems.push('MFA_ENCRYPTION_KEY must not be the development default');
  const tokenTtlSeconds = parseDuration(values.MFA_TOKEN_TTL);
  if (tokenTtlSeconds < 30 || tokenTtlSeconds > 900) problems.push('MFA_TOKEN_TTL must be between 30 seconds and 15 minutes');
  if (problems.length) throw new ConfigValidationError(problems);
  return { encryptionKey: encryptionKey!, tokenTtlSeconds, maxAttempts: values.MFA_MAX_ATTEMPTS };
}

export const mfaConfig = registerAs('mfa', () => loadMfaConfig());
