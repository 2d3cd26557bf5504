import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { from, lastValueFrom, Observable } from 'rxjs';
import { abuseConfig } from './abuse.config';

/** Spread added on top of the floor: what is left of a difference drowns in it. */
const JITTER_MS = 10;

/**
 * Answers no sooner than ENUMERATION_MIN_RESPONSE_MS (plus up to 10 ms of random spread) after
 * the request arrived, whatever the outcome. "Send me a code" routes do different work for
 * existing and unknown accounts (a message to queue or not); padding every answer to one floor
 * keeps that difference out of the response time, where a few hundred requests would otherwise
 * measure it. The spread covers the sub-millisecond after-effects of the extra work (timers,
 * garbage collection) that a floor alone lets through.
 */
@Injectable()
export class UniformDurationInterceptor implements NestInterceptor {
  constructor(@Inject(abuseConfig.KEY) private readonly config: ConfigType<typeof abuseConfig>) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const floorMs = this.config.minResponseMs;
    if (floorMs <= 0) return next.handle();
    const started = performance.now();
    const padded = async () => {
      try {
        return await lastValueFrom(next.handle());
      } finally {
        const left = floorMs + randomInt(JITTER_MS + 1) - (performance.now() - started);
        if (left > 0) await sleep(left);
      }
    };
    return from(padded());
  }
}

/** Puts a route under the uniform response time of UniformDurationInterceptor. */
export const UniformDuration = () => UseInterceptors(UniformDurationInterceptor);
