import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { LRUCache } from 'lru-cache';
import { appConfig } from '../config/app.config';
import { AuditAction, SECURITY_EVENT, SecurityEvent } from '../events/security-events';

/** Users whose state one instance keeps at most; the least recently used are dropped first. */
const MAX_USERS = 20_000;

/**
 * Frequent events that change nothing kept here: a refresh moves only its session's last-use
 * time and refresh token, and a failed attempt changes no account. (A refresh token's reuse
 * revokes the session through SessionsService, which forgets the user itself.)
 */
const EVENTS_THAT_CHANGE_NOTHING_CACHED = new Set<AuditAction>(['token.refreshed', 'login.failed', 'otp.failed', 'mfa.failed']);

interface Entry {
  value: unknown;
  expiresAt: number;
}

interface UserBucket {
  entries: Map<string, Entry>;
  /** Reads in progress, which requests arriving meanwhile share rather than repeat. */
  loading: Map<string, Promise<unknown>>;
  /** Nothing is stored for this user before this time (see `forgetUser`). */
  quietUntil: number;
}

const emptyBucket = (quietUntil = 0): UserBucket => ({ entries: new Map(), loading: new Map(), quietUntil });

/**
 * What every authenticated request reads about its user — whether the session may still be used,
 * the user's `/me` view — kept in this instance's memory for `AUTH_CACHE_MS` (default 500 ms), so a
 * client calling several times a second costs one read of the database, not one per call.
 *
 * Everything about a user is dropped as soon as this instance publishes a security event about
 * them (a revocation, a password or role change, a deactivation…; not a refresh or a failed
 * attempt), or changes them otherwise (`forgetUser`), so the instance that made a change never
 * answers from before it. Other instances see it once their entry expires: `AUTH_CACHE_MS` is the
 * bound, at most a second, on how long a revocation made elsewhere can go unnoticed here.
 *
 * Events are published inside the transaction that makes the change, before it commits; a request
 * reading in between would see the old rows. So after a user is forgotten, for one more period,
 * each request reads for itself: such a read is answered (as it would be without a cache) but
 * neither remembered nor handed to a request that arrives after the commit.
 */
@Injectable()
export class AccountStateCache {
  private readonly users = new LRUCache<string, UserBucket>({ max: MAX_USERS });
  private readonly ttlMs: number;

  constructor(@Inject(appConfig.KEY) config: ConfigType<typeof appConfig>) {
    this.ttlMs = config.authCacheMs;
  }

  /**
   * The cached value of `key` for this user, or what `load` reads (remembered when allowed).
   * Concurrent misses share one `load`, so an expiry under load costs one read, not one per
   * waiting request. `load` runs for every call while caching is off (`AUTH_CACHE_MS=0`).
   * A remembered value comes back as it is, not in a promise: every authenticated request reads
   * here, and a promise per hit was measurable. Callers await the result either way.
   */
  read<T>(userId: string, key: string, load: () => Promise<T>): T | Promise<T> {
    if (this.ttlMs === 0) return load();
    let bucket = this.users.get(userId);
    if (!bucket) this.users.set(userId, (bucket = emptyBucket()));
    // In the quiet period every request reads for itself: a read begun before the change
    // committed must not answer one that arrives after.
    if (bucket.quietUntil > Date.now()) return load();
    const cached = bucket.entries.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.value as T;
    const inProgress = bucket.loading.get(key);
    if (inProgress) return inProgress as Promise<T>;
    const readAt = Date.now();
    const loading = load()
      .then((value) => {
        this.store(bucket, key, value, readAt);
        return value;
      })
      .finally(() => bucket.loading.delete(key));
    bucket.loading.set(key, loading);
    return loading;
  }

  /**
   * Drops everything remembered about the user and, for one period, neither remembers nor shares
   * reads of them. Reads already in progress finish for those who asked before, but are neither
   * shared with later requests nor stored: they may predate the change.
   */
  forgetUser(userId: string): void {
    if (this.ttlMs === 0) return;
    this.users.set(userId, emptyBucket(Date.now() + this.ttlMs));
  }

  /** Drops everything, for changes that reach users without naming them (a role's deletion). */
  forgetAll(): void {
    this.users.clear();
  }

  @OnEvent(SECURITY_EVENT)
  onSecurityEvent(event: SecurityEvent): void {
    if (EVENTS_THAT_CHANGE_NOTHING_CACHED.has(event.action)) return;
    if (event.userId) this.forgetUser(event.userId);
    else if (event.action.startsWith('role.')) this.forgetAll();
  }

  /**
   * Stores a value read at `readAt` until `readAt` + one period. A read that was in progress when
   * its user was forgotten stores into the bucket it began with, which is no longer theirs.
   */
  private store(bucket: UserBucket, key: string, value: unknown, readAt: number): void {
    bucket.entries.set(key, { value, expiresAt: readAt + this.ttlMs });
  }
}
