import { Logger } from '@nestjs/common';
import Redis from 'ioredis';

export interface Count {
  count: number;
  /** Milliseconds until the count starts again from zero. */
  resetInMs: number;
}

/** Counts attempts per key in a window; shared by every instance when it lives in Redis. */
export interface AttemptCounter {
  /**
   * Adds one attempt and returns the count. The window starts with the first attempt and starts
   * again, for `extendedMs`, when the count reaches `extendAt` (a lockout lasts its full length).
   */
  add(key: string, windowMs: number, extendAt: number, extendedMs: number): Promise<Count>;
  clear(key: string): Promise<void>;
}

export class MemoryAttemptCounter implements AttemptCounter {
  private readonly counts = new Map<string, { count: number; expiresAt: number }>();

  async add(key: string, windowMs: number, extendAt: number, extendedMs: number): Promise<Count> {
    const now = Date.now();
    let entry = this.counts.get(key);
    if (!entry || entry.expiresAt <= now) {
      entry = { count: 0, expiresAt: now + windowMs };
      this.counts.set(key, entry);
      this.sweep(now);
    }
    entry.count += 1;
    if (entry.count === extendAt) entry.expiresAt = now + extendedMs;
    return { count: entry.count, resetInMs: entry.expiresAt - now };
  }

  async clear(key: string): Promise<void> {
    this.counts.delete(key);
  }

  /** Drops expired entries now and then, so unknown identifiers can't grow the map forever. */
  private sweep(now: number): void {
    if (this.counts.size % 1000 !== 0) return;
    for (const [key, entry] of this.counts) if (entry.expiresAt <= now) this.counts.delete(key);
  }
}

/** INCR with the window set on the first attempt and renewed at `extendAt`, in one round trip. */
const ADD_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return { count, redis.call('PTTL', KEYS[1]) }
`;

/**
 * Commands are not queued while Redis is away (no offline queue): they would wait for a
 * reconnect. Failing at once lets the memory fallback answer instead.
 */
export function assertConnected(redis: Redis): void {
  if (redis.status !== 'ready') throw new Error(`not connected (${redis.status})`);
}

export class RedisAttemptCounter implements AttemptCounter {
  constructor(private readonly redis: Redis) {}

  async add(key: string, windowMs: number, extendAt: number, extendedMs: number): Promise<Count> {
    assertConnected(this.redis);
    const [count, ttl] = (await this.redis.eval(ADD_SCRIPT, 1, key, windowMs, extendAt, extendedMs)) as [number, number];
    return { count, resetInMs: Math.max(0, ttl) };
  }

  async clear(key: string): Promise<void> {
    assertConnected(this.redis);
    await this.redis.del(key);
  }
}

/**
 * Redis while it answers; this instance's memory while it doesn't, with a loud warning. Limits
 * then hold per instance rather than per cluster, which is weaker but never unlimited.
 */
export class FallbackAttemptCounter implements AttemptCounter {
  private readonly logger = new Logger('Lockout');
  private warnedAt = 0;

  constructor(
    private readonly primary: AttemptCounter,
    private readonly fallback: AttemptCounter,
  ) {}

  add(key: string, windowMs: number, extendAt: number, extendedMs: number): Promise<Count> {
    return this.primary.add(key, windowMs, extendAt, extendedMs).catch((error: Error) => {
      this.warn(error);
      return this.fallback.add(key, windowMs, extendAt, extendedMs);
    });
  }

  async clear(key: string): Promise<void> {
    await Promise.all([this.fallback.clear(key), this.primary.clear(key).catch((error: Error) => this.warn(error))]);
  }

  private warn(error: Error): void {
    if (Date.now() - this.warnedAt < 10_000) return;
    this.warnedAt = Date.now();
    this.logger.error(`Redis unavailable (${error.message}): attempt counting falls back to this instance's memory`);
  }
}
