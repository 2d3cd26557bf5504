import { Global, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { getOptionsToken, getStorageToken, ThrottlerModuleOptions, ThrottlerStorageService } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { appConfig } from '@identity/common';
import { abuseConfig } from './abuse.config';
import { ABUSE_REDIS, ATTEMPT_COUNTER } from './abuse.tokens';
import { assertConnected, FallbackAttemptCounter, MemoryAttemptCounter, RedisAttemptCounter } from './attempt-counter';
import { LockoutService } from './lockout.service';
import { RateLimitGuard } from './rate-limit.guard';
import { identifierOf } from './request-identifier';
import { FallbackThrottlerStorage } from './throttler-storage';

const redisLogger = new Logger('Redis');

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

const CONNECT_WAIT_MS = 3000;

class RedisLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Optional() @Inject(ABUSE_REDIS) private readonly redis?: Redis | null) {}

  /** Gives Redis a moment to connect, so the first requests count in the shared store. */
  async onApplicationBootstrap(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CONNECT_WAIT_MS);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}

/**
 * Abuse protection: route throttling and per-identifier lockouts. Counters live in Redis when
 * REDIS_URL is set (shared by every instance), in memory otherwise.
 */
@Global()
@Module({
  imports: [ConfigModule.forFeature(abuseConfig)],
  providers: [
    {
      provide: ABUSE_REDIS,
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) => {
        if (!app.redisUrl) return null;
        // No offline queue: while Redis is down a command fails at once and the memory fallback
        // answers, instead of requests waiting for a reconnect.
        const client = new Redis(app.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 500, enableOfflineQueue: false });
        client.on('error', (error) => redisLogger.warn(`redis: ${error.message}`));
        return client;
      },
    },
    { provide: getOptionsToken(), useValue: THROTTLERS },
    {
      provide: getStorageToken(),
      inject: [ABUSE_REDIS],
      useFactory: (redis: Redis | null) => {
        const memory = new ThrottlerStorageService();
        return redis ? new FallbackThrottlerStorage(new ThrottlerStorageRedisService(redis), memory, () => assertConnected(redis)) : memory;
      },
    },
    {
      provide: ATTEMPT_COUNTER,
      inject: [ABUSE_REDIS],
      useFactory: (redis: Redis | null) =>
        redis ? new FallbackAttemptCounter(new RedisAttemptCounter(redis), new MemoryAttemptCounter()) : new MemoryAttemptCounter(),
    },
    LockoutService,
    RedisLifecycle,
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [LockoutService, ConfigModule],
})
export class AbuseModule {}
