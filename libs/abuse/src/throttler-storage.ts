import { Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

/**
 * Redis while it answers; this instance's memory while it doesn't, with a loud warning: limits
 * then hold per instance instead of per cluster, weaker but never unlimited.
 */
export class FallbackThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private warnedAt = 0;

  constructor(
    private readonly primary: ThrottlerStorage,
    private readonly fallback: ThrottlerStorage,
    /** Throws when the primary can't answer now, so no request waits for a reconnect. */
    private readonly assertAvailable: () => void,
  ) {}

  increment(key: string, ttl: number, limit: number, blockDuration: number, name: string): Promise<ThrottlerStorageRecord> {
    const primary = async () => {
      this.assertAvailable();
      return this.primary.increment(key, ttl, limit, blockDuration, name);
    };
    return primary().catch((error: Error) => {
      if (Date.now() - this.warnedAt > 10_000) {
        this.warnedAt = Date.now();
        this.logger.error(`Redis unavailable (${error.message}): rate limits fall back to this instance's memory`);
      }
      return this.fallback.increment(key, ttl, limit, blockDuration, name);
    });
  }
}
