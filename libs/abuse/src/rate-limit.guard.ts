import { ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import {
  getOptionsToken,
  getStorageToken,
  ThrottlerGuard,
  ThrottlerModuleOptions,
  ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { AppError } from '@identity/common';
import { abuseConfig, Rate, RateLimitFamily, RateLimitScope } from './abuse.config';
import { RATE_LIMIT_FAMILY } from './rate-limit.decorator';

const rateLimited = (retryAfterSeconds: number) =>
  new AppError(
    HttpStatus.TOO_MANY_REQUESTS,
    'rate_limited',
    'Too many requests',
    'Too many requests. Try again later.',
    {},
    { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  );

interface Tightest {
  rate: Rate;
  remaining: number;
  resetSeconds: number;
}

/** The answer for routes without limits, made once: no promise per request. */
const NOT_LIMITED = Promise.resolve(true);

/** Where a request keeps the tightest of its limits, for the RateLimit headers. */
const TIGHTEST = Symbol('tightest-rate-limit');

/**
 * Layered throttling: every route under a @RateLimit family is counted per client IP, per
 * account identifier named in the body and per (IP, identifier), each with the family's limits.
 * The IP is Fastify's `request.ip`, which believes X-Forwarded-For only for TRUST_PROXY hops, so a
 * forged header buys no new bucket. Answers carry the standard RateLimit headers of the tightest
 * limit; a refusal is a 429 problem with Retry-After.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @Inject(getOptionsToken()) options: ThrottlerModuleOptions,
    @Inject(getStorageToken()) storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(abuseConfig.KEY) private readonly config: ConfigType<typeof abuseConfig>,
  ) {
    super(options, storage, reflector);
  }

  /** Routes without limits are answered here; the throttler (whose shouldSkip stays false) sees the rest. */
  override canActivate(context: ExecutionContext): Promise<boolean> {
    return this.isLimited(context) ? super.canActivate(context) : NOT_LIMITED;
  }

  private isLimited(context: ExecutionContext): boolean {
    return context.getType() === 'http' && Boolean(this.config.routeLimits) && this.familyOf(context) !== undefined;
  }

  protected override async handleRequest({ context, throttler, getTracker, generateKey }: ThrottlerRequest): Promise<boolean> {
    const scope = throttler.name as RateLimitScope;
    const rate = this.config.routeLimits?.[this.familyOf(context)!]?.[scope];
    if (!rate) return true;
    const { req, res } = this.getRequestResponse(context);
    const tracker = await getTracker(req, context);
    // Identifier scopes count nothing when the body names no account.
    if (!tracker) return true;
    const key = generateKey(context, tracker, scope);
    const record = await this.storageService.increment(key, rate.windowMs, rate.limit, rate.windowMs, scope);
    this.reportTightest(req, res, rate, record);
    if (record.isBlocked) throw rateLimited(record.timeToBlockExpire);
    return true;
  }

  private familyOf(context: ExecutionContext): RateLimitFamily | undefined {
    return this.reflector.getAllAndOverride<RateLimitFamily>(RATE_LIMIT_FAMILY, [context.getHandler(), context.getClass()]);
  }

  private reportTightest(
    req: Record<PropertyKey, unknown>,
    res: Record<string, unknown>,
    rate: Rate,
    record: ThrottlerStorageRecord,
  ): void {
    const remaining = Math.max(0, rate.limit - record.totalHits);
    const current = req[TIGHTEST] as Tightest | undefined;
    if (current && current.remaining <= remaining) return;
    const tightest = { rate, remaining, resetSeconds: record.isBlocked ? record.timeToBlockExpire : record.timeToExpire };
    req[TIGHTEST] = tightest;
    this.setResponseHeader(res, 'RateLimit-Limit', rate.limit);
    this.setResponseHeader(res, 'RateLimit-Remaining', remaining);
    this.setResponseHeader(res, 'RateLimit-Reset', Math.max(0, Math.ceil(tightest.resetSeconds)));
    this.setResponseHeader(res, 'RateLimit-Policy', `${rate.limit};w=${Math.round(rate.windowMs / 1000)}`);
  }
}
