import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';
import { ConfigValidationError, DURATION_PATTERN, parseDuration, validateEnv } from '@identity/common';

/** The route families whose limits providers declare with @RateLimit(). */
export const RATE_LIMIT_FAMILIES = [
  'login',
  'register',
  'otp_request',
  'otp_verify',
  'password_forgot',
  'password_reset',
  'refresh',
  'exchange',
  'mfa_verify',
  'redirect',
] as const;
export type RateLimitFamily = (typeof RATE_LIMIT_FAMILIES)[number];

/** Who a limit counts: the client IP, the account identifier in the body, or the two together. */
export const RATE_LIMIT_SCOPES = ['ip', 'identifier', 'pair'] as const;
export type RateLimitScope = (typeof RATE_LIMIT_SCOPES)[number];

export interface Rate {
  limit: number;
  windowMs: number;
}

export type FamilyLimits = Partial<Record<RateLimitScope, Rate>>;

/** Defaults: generous for people, tight for scripts; identifier limits sit above the lockout. */
const DEFAULT_LIMITS: Record<RateLimitFamily, string> = {
  login: 'ip=30/1m,identifier=20/15m,pair=10/1m',
  register: 'ip=10/1m,identifier=5/15m,pair=5/15m',
  otp_request: 'ip=20/1m,identifier=6/15m,pair=6/15m',
  otp_verify: 'ip=30/1m,identifier=15/15m,pair=10/15m',
  password_forgot: 'ip=10/1m,identifier=5/15m,pair=5/15m',
  password_reset: 'ip=20/1m,identifier=15/15m,pair=10/15m',
  refresh: 'ip=120/1m',
  exchange: 'ip=30/1m',
  mfa_verify: 'ip=30/1m',
  // Starting and finishing a redirect sign-in (each start stores a flow).
  redirect: 'ip=30/1m',
};

const SPEC = /^\s*(ip|identifier|pair)\s*=\s*\d+\s*\/\s*\d+\s*[smhd]?\s*(,\s*(ip|identifier|pair)\s*=\s*\d+\s*\/\s*\d+\s*[smhd]?\s*)*$/;
const envName = (family: RateLimitFamily) => `RATE_LIMIT_${family.toUpperCase()}`;

class AbuseEnv {
  @IsIn(['true', 'false'])
  RATE_LIMIT_ENABLED = 'true';

  /** Route throttling alone; OTP send limits and lockouts keep RATE_LIMIT_ENABLED. */
  @IsIn(['true', 'false'])
  RATE_LIMIT_ROUTES = 'true';

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(100)
  LOCKOUT_MAX_ATTEMPTS = 5;

  @Transform(({ value }) => String(value))
  @Matches(DURATION_PATTERN, { message: 'LOCKOUT_DURATION must be a duration such as 900, 15m or 1h' })
  LOCKOUT_DURATION = '900';

  /** The floor of "send me a code" answers, so existing and unknown accounts take equally long. */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(5000)
  ENUMERATION_MIN_RESPONSE_MS = 150;
}

export interface AbuseConfig {
  /** Null when route throttling is off. */
  routeLimits: Record<RateLimitFamily, FamilyLimits> | null;
  /** Null when lockouts are off (RATE_LIMIT_ENABLED=false, load tests only). */
  lockout: { maxAttempts: number; durationMs: number } | null;
  minResponseMs: number;
}

/** Reads `ip=30/1m,identifier=20/15m,pair=10/1m`. */
export function parseFamilyLimits(spec: string): FamilyLimits {
  const limits: FamilyLimits = {};
  for (const part of spec.split(',')) {
    const [scope, rate] = part.split('=').map((piece) => piece.trim());
    const [limit, window] = rate.split('/').map((piece) => piece.trim());
    limits[scope as RateLimitScope] = { limit: Number(limit), windowMs: parseDuration(window) * 1000 };
  }
  return limits;
}

export function loadAbuseConfig(env: NodeJS.ProcessEnv = process.env): AbuseConfig {
  const values = validateEnv(AbuseEnv, env);
  const problems: string[] = [];
  const routeLimits = {} as Record<RateLimitFamily, FamilyLimits>;
  for (const family of RATE_LIMIT_FAMILIES) {
    const spec = env[envName(family)] || DEFAULT_LIMITS[family];
    if (!SPEC.test(spec)) {
      problems.push(`${envName(family)} must look like ip=30/1m,identifier=20/15m,pair=10/1m (got ${JSON.stringify(spec)})`);
      continue;
    }
    routeLimits[family] = parseFamilyLimits(spec);
    if (Object.values(routeLimits[family]).some((rate) => rate.limit < 1 || rate.windowMs < 1000)) {
      problems.push(`${envName(family)}: every limit needs a count and a window of at least 1`);
    }
  }
  const durationMs = parseDuration(values.LOCKOUT_DURATION) * 1000;
  if (durationMs < 1000) problems.push('LOCKOUT_DURATION must be at least 1 second');
  if (problems.length) throw new ConfigValidationError(problems);
  const enabled = values.RATE_LIMIT_ENABLED === 'true';
  return {
    routeLimits: enabled && values.RATE_LIMIT_ROUTES === 'true' ? routeLimits : null,
    lockout: enabled ? { maxAttempts: values.LOCKOUT_MAX_ATTEMPTS, durationMs } : null,
    minResponseMs: values.ENUMERATION_MIN_RESPONSE_MS,
  };
}

export const abuseConfig = registerAs('abuse', () => loadAbuseConfig());
