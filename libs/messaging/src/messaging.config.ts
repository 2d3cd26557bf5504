import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ConfigValidationError, isProduction, validateEnv } from '@identity/common';

const int = () => Transform(({ value }) => Number(value));
const MAIL_URL = /^(log|smtps?:\/\/.+)$/;
const SMS_URL = /^(log|https?:\/\/.+)$/;

class MessagingEnv {
  @Matches(MAIL_URL, { message: 'MAIL_URL must be log, smtp://… or smtps://…' })
  MAIL_URL = 'log';

  @IsString()
  @MaxLength(320)
  MAIL_FROM = 'no-reply@localhost';

  @IsString()
  @MaxLength(64)
  APP_NAME = 'Identity';

  @Matches(SMS_URL, { message: 'SMS_URL must be log or an http(s) URL' })
  SMS_URL = 'log';

  @IsString()
  MESSAGE_LOG_DIR = 'data/outbox';

  @int()
  @IsInt()
  @Min(20)
  @Max(60_000)
  OUTBOX_POLL_INTERVAL_MS = 1000;

  @int()
  @IsInt()
  @Min(10)
  @Max(3600)
  OUTBOX_LEASE = 60;

  @int()
  @IsInt()
  @Min(1)
  @Max(50)
  OUTBOX_MAX_ATTEMPTS = 8;

  @int()
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  OUTBOX_RETRY_BASE_MS = 2000;

  @int()
  @IsInt()
  @Min(10)
  @Max(86_400_000)
  OUTBOX_RETRY_MAX_MS = 600_000;

  @int()
  @IsInt()
  @Min(1)
  @Max(100)
  OUTBOX_BATCH = 10;

  @int()
  @IsInt()
  @Min(1)
  @Max(3650)
  OUTBOX_RETENTION_DAYS = 7;
}

export interface MessagingConfig {
  /** `log` writes messages under `logDir` and to the console instead of sending them. */
  mailUrl: string;
  mailFrom: string;
  appName: string;
  smsUrl: string;
  logDir: string;
  pollIntervalMs: number;
  /** How long a claimed message is reserved for the instance sending it. */
  leaseSeconds: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  batchSize: number;
  retentionDays: number;
}

export function loadMessagingConfig(env: NodeJS.ProcessEnv = process.env): MessagingConfig {
  const values = validateEnv(MessagingEnv, env);
  const problems: string[] = [];
  if (isProduction(env)) {
    // `log` shows codes on the console: fine on a laptop, never in production.
    if (values.MAIL_URL === 'log') problems.push('MAIL_URL must be an smtp:// or smtps:// URL in production');
    if (values.SMS_URL === 'log') problems.push('SMS_URL must be an http(s) SMS gateway endpoint in production');
  }
  if (values.OUTBOX_RETRY_MAX_MS < values.OUTBOX_RETRY_BASE_MS) problems.push('OUTBOX_RETRY_MAX_MS must not be below OUTBOX_RETRY_BASE_MS');
  if (problems.length) throw new ConfigValidationError(problems);
  return {
    mailUrl: values.MAIL_URL,
    mailFrom: values.MAIL_FROM,
    appName: values.APP_NAME,
    smsUrl: values.SMS_URL,
    logDir: values.MESSAGE_LOG_DIR,
    pollIntervalMs: values.OUTBOX_POLL_INTERVAL_MS,
    leaseSeconds: values.OUTBOX_LEASE,
    maxAttempts: values.OUTBOX_MAX_ATTEMPTS,
    retryBaseMs: values.OUTBOX_RETRY_BASE_MS,
    retryMaxMs: values.OUTBOX_RETRY_MAX_MS,
    batchSize: values.OUTBOX_BATCH,
    retentionDays: values.OUTBOX_RETENTION_DAYS,
  };
}

export const messagingConfig = registerAs('messaging', () => loadMessagingConfig());
