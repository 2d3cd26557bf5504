import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ConfigValidationError, DURATION_PATTERN, parseDuration, parseList, validateEnv } from '@identity/common';

const int = () => Transform(({ value }) => Number(value));

/** Bounds of REAUTH_WINDOW: long enough to finish a form, short enough to mean "just now". */
const REAUTH_WINDOW_MIN = 30;
const REAUTH_WINDOW_MAX = 24 * 3600;

class AuthCoreEnv {
  /** Unset: every provider that is built in and configured. */
  @IsOptional()
  @IsString()
  AUTH_PROVIDERS?: string;

  @int()
  @IsInt()
  @Min(8192)
  @Max(4 * 1024 * 1024)
  ARGON2_MEMORY_KIB = 19456;

  @int()
  @IsInt()
  @Min(1)
  @Max(20)
  ARGON2_TIME_COST = 2;

  @int()
  @IsInt()
  @Min(1)
  @Max(16)
  ARGON2_PARALLELISM = 1;

  @int()
  @IsInt()
  @Min(8)
  @Max(128)
  PASSWORD_MIN_LENGTH = 8;

  @int()
  @IsInt()
  @Min(128)
  @Max(1024)
  PASSWORD_MAX_LENGTH = 128;

  /** How recent a sign-in must be for account changes that need no current password. */
  @Transform(({ value }) => String(value))
  @Matches(DURATION_PATTERN, { message: 'REAUTH_WINDOW must be a duration such as 300, 5m or 1h' })
  REAUTH_WINDOW = '300';
}

export interface AuthCoreConfig {
  /** null when AUTH_PROVIDERS is unset. */
  enabledProviders: string[] | null;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  passwordMinLength: number;
  passwordMaxLength: number;
  /** Seconds after a sign-in in which its session may change the email or phone without a password. */
  reauthWindowSeconds: number;
}

export function loadAuthCoreConfig(env: NodeJS.ProcessEnv = process.env): AuthCoreConfig {
  const values = validateEnv(AuthCoreEnv, env);
  const enabled = values.AUTH_PROVIDERS === undefined ? null : parseList(values.AUTH_PROVIDERS);
  const bad = (enabled ?? []).filter((id) => !/^[a-z][a-z0-9_]{1,48}$/.test(id));
  const problems = bad.length ? [`AUTH_PROVIDERS: not provider ids: ${bad.join(', ')}`] : [];
  const reauthWindowSeconds = parseDuration(values.REAUTH_WINDOW);
  if (reauthWindowSeconds < REAUTH_WINDOW_MIN || reauthWindowSeconds > REAUTH_WINDOW_MAX)
    problems.push(`REAUTH_WINDOW must be between ${REAUTH_WINDOW_MIN} seconds and ${REAUTH_WINDOW_MAX / 3600} hours`);
  if (problems.length) throw new ConfigValidationError(problems);
  return {
    enabledProviders: enabled,
    argon2: { memoryCost: values.ARGON2_MEMORY_KIB, timeCost: values.ARGON2_TIME_COST, parallelism: values.ARGON2_PARALLELISM },
    passwordMinLength: values.PASSWORD_MIN_LENGTH,
    passwordMaxLength: values.PASSWORD_MAX_LENGTH,
    reauthWindowSeconds,
  };
}

/** Whether the operator enabled a provider (AUTH_PROVIDERS unset: all built-in ones). */
export function isProviderEnabled(id: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const enabled = loadAuthCoreConfig(env).enabledProviders;
  return enabled === null || enabled.includes(id);
}

export const authCoreConfig = registerAs('authCore', () => loadAuthCoreConfig());
