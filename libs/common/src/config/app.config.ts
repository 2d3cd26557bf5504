import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import type { LogFormat } from '../logging/app-logger';
import { ConfigValidationError, isProduction, parseList, validateEnv } from './validate-env';

class AppEnv {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  PUBLIC_URL?: string;

  @IsString()
  APP_NAME = 'Identity';

  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(10)
  TRUST_PROXY = 0;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  BODY_LIMIT = 100 * 1024;

  @IsIn(['fatal', 'error', 'warn', 'log', 'info', 'debug', 'verbose'])
  LOG_LEVEL = 'log';

  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: string;

  @IsOptional()
  @Matches(/^redis(s)?:\/\//, { message: 'REDIS_URL must start with redis:// or rediss://' })
  REDIS_URL?: string;

  /** Lets several deployments (or test runs) share one Redis without sharing counters. */
  @Matches(/^[A-Za-z0-9:._-]{0,64}$/, { message: 'REDIS_KEY_PREFIX may hold up to 64 letters, digits and : . _ -' })
  REDIS_KEY_PREFIX = 'identity:';

  /** Seconds a SIGTERM/SIGINT may take to drain requests and jobs before the process is ended. */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(600)
  SHUTDOWN_GRACE_PERIOD = 10;

  /**
   * Milliseconds an instance may reuse what it read about a session and a user's view; bounds how
   * long a revocation made on another instance can go unseen. 0 reads the database every time.
   */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(1000)
  AUTH_CACHE_MS = 500;

  /**
   * Nice value (0 .. 19) for every thread but the event loop's (Linux): password hashing then
   * gives way to request handling instead of delaying it. 0 leaves priorities alone.
   */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(19)
  WORKER_THREAD_NICE = 10;
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  publicUrl: string;
  appName: string;
  corsOrigins: string[];
  trustProxy: number;
  bodyLimit: number;
  logLevel: string;
  /** JSON lines, except in development where a person reads them (LOG_FORMAT overrides). */
  logFormat: LogFormat;
  redisUrl?: string;
  redisKeyPrefix: string;
  shutdownGraceSeconds: number;
  authCacheMs: number;
  workerThreadNice: number;
}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const values = validateEnv(AppEnv, env);
  const corsOrigins = parseList(values.CORS_ORIGINS);
  if (isProduction(env)) {
    const problems: string[] = [];
    if (!values.PUBLIC_URL) problems.push('PUBLIC_URL: required in production (it is the token issuer)');
    if (corsOrigins.includes('*')) problems.push('CORS_ORIGINS: a wildcard origin is refused in production');
    if (problems.length) throw new ConfigValidationError(problems);
  }
  return {
    env: values.NODE_ENV as AppConfig['env'],
    port: values.PORT,
    publicUrl: (values.PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, ''),
    appName: values.APP_NAME,
    corsOrigins,
    trustProxy: values.TRUST_PROXY,
    bodyLimit: values.BODY_LIMIT,
    logLevel: values.LOG_LEVEL,
    logFormat: (values.LOG_FORMAT ?? (values.NODE_ENV === 'development' ? 'pretty' : 'json')) as LogFormat,
    redisUrl: values.REDIS_URL,
    redisKeyPrefix: values.REDIS_KEY_PREFIX,
    shutdownGraceSeconds: values.SHUTDOWN_GRACE_PERIOD,
    authCacheMs: values.AUTH_CACHE_MS,
    workerThreadNice: values.WORKER_THREAD_NICE,
  };
}

export const appConfig = registerAs('app', () => loadAppConfig());
