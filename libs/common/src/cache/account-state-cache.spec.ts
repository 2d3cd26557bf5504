import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { expect } from 'expect';
import { AppConfig } from '../config/app.config';
import { AccountStateCache } from './account-state-cache';

const TTL = 500;
const cacheWith = (authCacheMs: number) => new AccountStateCache({ authCacheMs } as AppConfig);

/** A loader that counts its calls and answers with the current count. */
function counter() {
  let calls = 0;
  const load = async () => ++calls;
  return { load, calls: () => calls };
}

describe('AccountStateCache', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  it('answers from memory until the period is over, then reads again', async () => {
    const cache = cacheWith(TTL);
    const { load, calls } = counter();
    expect(await cache.read('u1', 'view', load)).toBe(1);
    mock.timers.tick(TTL - 1);
    expect(await cache.read('u1', 'view', load)).toBe(1);
    mock.timers.tick(1);
    expect(await cache.read('u1', 'view', load)).toBe(2);
    expect(calls()).toBe(2);
  });

  it('keeps users and keys apart', async () => {
    const cache = cacheWith(TTL);
    const { load } = counter();
    expect(await cache.read('u1', 'view', load)).toBe(1);
    expect(await cache.read('u2', 'view', load)).toBe(2);
    expect(await cache.read('u1', 'session:a', load)).toBe(3);
    expect(await cache.read('u1', 'view', load)).toBe(1);
  });

  it('reads every time with AUTH_CACHE_MS=0', async () => {
    const cache = cacheWith(0);
    const { load } = counter();
    await cache.read('u1', 'view', load);
    expect(await cache.read('u1', 'view', load)).toBe(2);
  });

  it('forgets a user at once and remembers nothing of them for one more period', async () => {
    const cache = cacheWith(TTL);
    const { load } = counter();
    await cache.read('u1', 'view', load);
    await cache.read('u2', 'view', load);
    cache.forgetUser('u1');
    // A read racing the change's commit may see old rows: answered, not remembered.
    expect(await cache.read('u1', 'view', load)).toBe(3);
    expect(await cache.read('u1', 'view', load)).toBe(4);
    expect(await cache.read('u2', 'view', load)).toBe(2);
    mock.timers.tick(TTL);
    expect(await cache.read('u1', 'view', load)).toBe(5);
    expect(await cache.read('u1', 'view', load)).toBe(5);
  });

  it('does not remember a read that began before the user was forgotten', async () => {
    const cache = cacheWith(TTL);
    let release!: (value: string) => void;
    const slow = cache.read('u1', 'view', () => new Promise<string>((resolve) => (release = resolve)));
    mock.timers.tick(10);
    cache.forgetUser('u1');
    mock.timers.tick(TTL + 10);
    release('before the change');
    expect(await slow).toBe('before the change');
    expect(await cache.read('u1', 'view', async () => 'after the change')).toBe('after the change');
  });

  it('forgets the user an event names (not for a refresh or a failure), and everyone when a role changes', async () => {
    const cache = cacheWith(TTL);
    const { load } = counter();
    await cache.read('u1', 'view', load);
    await cache.read('u2', 'view', load);
    cache.onSecurityEvent({ action: 'session.revoked', success: true, userId: 'u1' });
    expect(await cache.read('u1', 'view', load)).toBe(3);
    expect(await cache.read('u2', 'view', load)).toBe(2);
    cache.onSecurityEvent({ action: 'otp.sent', success: true });
    cache.onSecurityEvent({ action: 'token.refreshed', success: true, userId: 'u2' });
    cache.onSecurityEvent({ action: 'login.failed', success: false, userId: 'u2' });
    expect(await cache.read('u2', 'view', load)).toBe(2);
    cache.onSecurityEvent({ action: 'role.deleted', success: true, userId: null });
    expect(await cache.read('u2', 'view', load)).toBe(4);
  });

  it('shares one read among concurrent misses, but not with requests after the user was forgotten', async () => {
    const cache = cacheWith(TTL);
    let loads = 0;
    const releases: ((value: string) => void)[] = [];
    const load = () => {
      loads++;
      return new Promise<string>((resolve) => releases.push(resolve));
    };
    const first = cache.read('u1', 'view', load);
    const second = cache.read('u1', 'view', load);
    expect(loads).toBe(1);
    cache.forgetUser('u1');
    const third = cache.read('u1', 'view', load);
    expect(loads).toBe(2);
    // In the quiet period a read may have begun before the change committed: nobody joins it.
    const fourth = cache.read('u1', 'view', load);
    expect(loads).toBe(3);
    releases[0]('before the change');
    releases[1]('maybe before the commit');
    releases[2]('after the commit');
    expect(await Promise.all([first, second, third, fourth])).toEqual([
      'before the change',
      'before the change',
      'maybe before the commit',
      'after the commit',
    ]);
  });

  it('passes a failed read to every request that shared it, and reads again next time', async () => {
    const cache = cacheWith(TTL);
    const failing = () => Promise.reject(new Error('database away'));
    const results = await Promise.allSettled([cache.read('u1', 'view', failing), cache.read('u1', 'view', failing)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(await cache.read('u1', 'view', async () => 'back')).toBe('back');
  });
});
