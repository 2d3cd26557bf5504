import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { getOptionsToken, getStorageToken, ThrottlerModuleOptions, ThrottlerStorageService } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { REDIS_CLIENT } from '@identity/common';
import { abuseConfig } from './abuse.config';
import { ATTEMPT_COUNTER } from './abuse.tokens';
import { assertConnected, FallbackAttemptCounter, MemoryAttemptCounter, RedisAttemptCounter } from './attempt-counter';
import { LockoutService } from './lockout.service';
import { RateLimitGuard } from './rate-limit.guard';
import { identifierOf } from './request-identifier';
import { UniformDurationInterceptor } from './uniform-duration.interceptor';
import { FallbackThrottlerStorage } from './throttler-storage';

type FastifyLikeRequest = { ip?: string; body?: unknown };

/** The three scopes; their limits come from the route's family (RateLimitGuard). */
const THROTTLERS: ThrottlerModuleOptions = {
  throttlers: [
    { name: 'ip', limit: 1, ttl: 1, getTracker: (req: FastifyLikeRequest) => req.ip ?? '' },
    { name: 'identifier', limit: 1, ttl: 1, getTracker: (req: FastifyLikeRequest) => identifierOf(req.body) ?? '' },
    {
      name: 'pair',
      limit: 1,
      ttl: 1,
      getTracker: (req: FastifyLikeRequest) => {
        const identifier = identifierOf(req.body);
        return identifier ? `${req.ip ?? ''}|${identifier}` : '';
      },
    },
  ],
  setHeaders: false,
};

/**
 * Abuse protection: route throttling and per-identifier lockouts. Counters live in Redis when
 * REDIS_URL is set (shared by every instance, through the process's one client), in memory otherwise.
 */
@Global()
@Module({
  imports: [ConfigModule.forFeature(abuseConfig)],
  providers: [
    { provide: getOptionsToken(), useValue: THROTTLERS },
    {
      provide: getStorageToken(),
      inject: [REDIS_CLIENT],
      useFactory: (redis: Redis | null) => {
        const memory = new ThrottlerStorageService();
        return redis ? new FallbackThrottlerStorage(new ThrottlerStorageRedisService(redis), memory, () => assertConnected(redis)) : memory;
      },
    },
    {
      provide: ATTEMPT_COUNTER,
      inject: [REDIS_CLIENT],
      useFactory: (redis: Redis | null) =>
        redis ? new FallbackAttemptCounter(new RedisAttemptCounter(redis), new MemoryAttemptCounter()) : new MemoryAttemptCounter(),
    },
    LockoutService,
    UniformDurationInterceptor,
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [LockoutService, UniformDurationInterceptor, ConfigModule],
})
export class AbuseModule {}
