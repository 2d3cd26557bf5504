import { Global, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import Redis from 'ioredis';
import { appConfig } from '../config/app.config';

/** The one Redis client of the process (null when REDIS_URL is unset). Inject with @Inject(REDIS_CLIENT). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

const logger = new Logger('Redis');
/** How long start-up waits for a first connection, so early requests count in the shared store. */
const CONNECT_WAIT_MS = 3000;

/**
 * Commands never wait for a reconnect: with no offline queue and a short timeout, a command
 * while Redis is away fails at once, so callers fall back (rate limits, lockouts) or report down
 * (readiness) instead of holding requests.
 */
export function createRedisClient(url: string, keyPrefix: string): Redis {
  const client = new Redis(url, { keyPrefix, maxRetriesPerRequest: 1, commandTimeout: 500, enableOfflineQueue: false });
  client.on('error', (error) => logger.warn(`redis: ${error.message}`));
  return client;
}

class RedisLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis | null) {}

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
 * Shares one Redis connection among every user in the process (rate limits, lockouts,
 * readiness), instead of one connection per library.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) => (app.redisUrl ? createRedisClient(app.redisUrl, app.redisKeyPrefix) : null),
    },
    RedisLifecycle,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}
