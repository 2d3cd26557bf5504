import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ConfigValidationError, DURATION_PATTERN, isProduction, parseDuration, validateEnv } from '@identity/common';

/**
 * Access-token signature algorithms. RS256 is the one every JWT library verifies, and the cheapest
 * to verify; ES256 signs about 8× faster and is verified by the same libraries (jsonwebtoken,
 * passport-jwt, jose); EdDSA signs as fast but jsonwebtoken cannot verify it.
 */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
export const DEFAULT_KEYS_DIR = 'data/keys';

const duration = (name: string) => Matches(DURATION_PATTERN, { message: `${name} must be a duration such as 900, 15m, 12h or 30d` });

class SessionsEnv {
  @IsIn(SIGNING_ALGORITHMS)
  JWT_ALGORITHM: SigningAlgorithm = 'RS256';

  @IsString()
  JWT_KEYS_DIR = DEFAULT_KEYS_DIR;

  @IsOptional()
  @IsString()
  JWT_PRIVATE_KEY_FILE?: string;

  @IsString()
  @Length(1, 255)
  JWT_AUDIENCE = 'identity';

  @Transform(({ value }) => String(value))
  @duration('ACCESS_TOKEN_TTL')
  ACCESS_TOKEN_TTL = '900';

  @Transform(({ value }) => String(value))
  @duration('REFRESH_TOKEN_TTL')
  REFRESH_TOKEN_TTL = '30d';

  @Transform(({ value }) => String(value))
  @duration('REFRESH_IDLE_TTL')
  REFRESH_IDLE_TTL = '7d';

  @Transform(({ value }) => String(value))
  @duration('REFRESH_REUSE_GRACE')
  REFRESH_REUSE_GRACE = '10';
}

export interface SessionsConfig {
  algorithm: SigningAlgorithm;
  keysDir: string;
  privateKeyFile?: string;
  audience: string;
  /** All durations in seconds. */
  accessTokenTtl: number;
  refreshTokenTtl: number;
  refreshIdleTtl: number;
  refreshReuseGrace: number;
  /** In development a missing key is generated; in production it is a boot error. */
  generateMissingKeys: boolean;
}

export function loadSessionsConfig(env: NodeJS.ProcessEnv = process.env): SessionsConfig {
  const values = validateEnv(SessionsEnv, env);
  const config: SessionsConfig = {
    algorithm: values.JWT_ALGORITHM,
    keysDir: values.JWT_KEYS_DIR,
    privateKeyFile: values.JWT_PRIVATE_KEY_FILE,
    audience: values.JWT_AUDIENCE,
    accessTokenTtl: parseDuration(values.ACCESS_TOKEN_TTL),
    refreshTokenTtl: parseDuration(values.REFRESH_TOKEN_TTL),
    refreshIdleTtl: parseDuration(values.REFRESH_IDLE_TTL),
    refreshReuseGrace: parseDuration(values.REFRESH_REUSE_GRACE),
    generateMissingKeys: !isProduction(env),
  };
  const problems: string[] = [];
  if (config.accessTokenTtl < 30 || config.accessTokenTtl > 86400) problems.push('ACCESS_TOKEN_TTL: must be between 30 s and 24 h');
  if (config.refreshIdleTtl > config.refreshTokenTtl) problems.push('REFRESH_IDLE_TTL: must not exceed REFRESH_TOKEN_TTL');
  if (config.refreshReuseGrace > 300) problems.push('REFRESH_REUSE_GRACE: must be at most 300 s');
  if (isProduction(env) && !config.privateKeyFile && config.keysDir === DEFAULT_KEYS_DIR) {
    problems.push(
      'JWT_KEYS_DIR or JWT_PRIVATE_KEY_FILE: set one in production (keys are never generated there; create them with the CLI rotate-keys command)',
    );
  }
  if (problems.length) throw new ConfigValidationError(problems);
  return config;
}

export const sessionsConfig = registerAs('sessions', () => loadSessionsConfig());
