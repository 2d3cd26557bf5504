import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { ConfigValidationError, DURATION_PATTERN, isProduction, parseDuration, validateEnv } from '@identity/common';

/** Used only outside production, so `npm start` works without setup; production must set its own. */
export const DEV_OTP_SECRET = 'development-only-otp-secret-do-not-use-in-production';

const duration = (name: string) => Matches(DURATION_PATTERN, { message: `${name} must be a duration such as 60, 10m or 1h` });
const asString = () => Transform(({ value }) => String(value));
const RATE = /^\d+\s*\/\s*\d+\s*[smhd]?$/;
const rate = (name: string) => Matches(RATE, { message: `${name} must be <count>/<duration>, e.g. 3/15m` });

class OtpEnv {
  @asString()
  @duration('OTP_TTL')
  OTP_TTL = '600';

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(10)
  OTP_MAX_ATTEMPTS = 3;

  @asString()
  @duration('OTP_RESEND_COOLDOWN')
  OTP_RESEND_COOLDOWN = '60';

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'OTP_SECRET must be at least 32 characters' })
  OTP_SECRET?: string;

  @IsIn(['true', 'false'])
  OTP_SIGNUP = 'true';

  @IsIn(['true', 'false'])
  RATE_LIMIT_ENABLED = 'true';

  @rate('RATE_LIMIT_OTP_DESTINATION')
  RATE_LIMIT_OTP_DESTINATION = '3/15m';

  @rate('RATE_LIMIT_OTP_IP')
  RATE_LIMIT_OTP_IP = '20/15m';
}

export interface SendLimit {
  max: number;
  windowSeconds: number;
}

export interface OtpConfig {
  ttlSeconds: number;
  maxAttempts: number;
  resendCooldownSeconds: number;
  /** Pepper of the code hashes: without it a leaked table cannot be brute-forced offline. */
  secret: string;
  /** Whether a first verified passwordless sign-in may create the account. */
  signUp: boolean;
  /** Null when RATE_LIMIT_ENABLED=false (load tests only). */
  sendLimits: { perDestination: SendLimit; perIp: SendLimit } | null;
}

function parseRate(value: string): SendLimit {
  const [max, window] = value.split('/');
  return { max: Number(max.trim()), windowSeconds: parseDuration(window.trim()) };
}

export function loadOtpConfig(env: NodeJS.ProcessEnv = process.env): OtpConfig {
  const values = validateEnv(OtpEnv, env);
  const problems: string[] = [];
  const ttlSeconds = parseDuration(values.OTP_TTL);
  if (ttlSeconds < 1) problems.push('OTP_TTL must be at least 1 second');
  if (isProduction(env) && !values.OTP_SECRET) problems.push('OTP_SECRET is required in production (32 or more random characters)');
  if (values.OTP_SECRET === DEV_OTP_SECRET && isProduction(env)) problems.push('OTP_SECRET must not be the development default');
  const perDestination = parseRate(values.RATE_LIMIT_OTP_DESTINATION);
  const perIp = parseRate(values.RATE_LIMIT_OTP_IP);
  for (const [name, limit] of Object.entries({ RATE_LIMIT_OTP_DESTINATION: perDestination, RATE_LIMIT_OTP_IP: perIp })) {
    if (limit.max < 1 || limit.windowSeconds < 1) problems.push(`${name} needs a count and a window of at least 1`);
  }
  if (problems.length) throw new ConfigValidationError(problems);
  return {
    ttlSeconds,
    maxAttempts: values.OTP_MAX_ATTEMPTS,
    resendCooldownSeconds: parseDuration(values.OTP_RESEND_COOLDOWN),
    secret: values.OTP_SECRET ?? DEV_OTP_SECRET,
    signUp: values.OTP_SIGNUP === 'true',
    sendLimits: values.RATE_LIMIT_ENABLED === 'true' ? { perDestination, perIp } : null,
  };
}

export const otpConfig = registerAs('otp', () => loadOtpConfig());
