import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { DataSource, In } from 'typeorm';
import { newId } from '@identity/common';
import { buildDataSourceOptions, JobRunEntity, loadDatabaseConfig } from '@identity/database';
import { OutboxMessageEntity } from '@identity/messaging';
import { ENTITIES } from '../apps/identity-api/src/persistence';
import { ApiProcess, startApiProcess } from './support/api-process';
import { freshEmail } from './support/code-flows';
import { eventually } from './support/eventually';
import { MailCatcher, startMailCatcher } from './support/mail-catcher';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { dialect } from './support/test-app';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN = { email: 'cluster-admin@example.com', password: 'a long cluster admin passphrase' };
const WRONG = 'not the password at all';
/** The cleanup period of this suite: short enough to watch several ticks. */
const TICK_MS = 2000;
const MESSAGES = 300;

/** One JSON request to one instance; answers status and parsed body. */
async function call(api: ApiProcess, method: string, path: string, options: { body?: unknown; token?: string; ip?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.ip) headers['x-forwarded-for'] = options.ip;
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const login = (api: ApiProcess, identifier: string, password: string, ip?: string) =>
  call(api, 'POST', '/api/v1/auth/login', { body: { identifier, password }, ip });

/** Visits every key under `prefix` in the shared Redis, a page at a time; returns how many. */
async function eachKeyPage(prefix: string, visit: (redis: Redis, keys: string[]) => Promise<unknown>): Promise<number> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let count = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await visit(redis, keys);
      count += keys.length;
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return count;
}

const countKeys = (prefix: string) => eachKeyPage(prefix, async () => undefined);
/** Removes only this run's keys: the Redis is shared with other runs. */
const deleteKeys = (prefix: string) => eachKeyPage(prefix, (redis, keys) => redis.del(...keys));

/**
 * Three real API processes behind no load balancer but the test itself, on one database, one
 * Redis and one key directory: whatever one instance decides, the others must honour.
 *
 * On SQLite the three share one database file (WAL mode, with a busy timeout), which is how the
 * embedded mode would be scaled out on one machine; the MySQL run is the production shape.
 */
describe(`three instances sharing ${dialect === 'mysql' ? 'MariaDB' : 'one SQLite file'} and Redis`, () => {
  let database: ScratchDatabase;
  let keysDir: string;
  let workDir: string;
  let mail: MailCatcher;
  let db: DataSource;
  const cluster: ApiProcess[] = [];
  const redisPrefix = `identity-cluster-test:${process.pid}-${randomBytes(4).toString('hex')}:`;

  before(async () => {
    database = await createScratchDatabase(dialect);
    keysDir = mkdtempSync(join(tmpdir(), 'identity-cluster-keys-'));
    workDir = mkdtempSync(join(tmpdir(), 'identity-cluster-'));
    mail = await startMailCatcher();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      // One issuer and one key directory, as behind a load balancer.
      PUBLIC_URL: 'http://identity.cluster.test',
      JWT_KEYS_DIR: keysDir,
      MAIL_URL: mail.url,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      // Job claims are logged at this level: the suite counts them.
      LOG_LEVEL: 'log',
      CLEANUP_INTERVAL: `${TICK_MS / 1000}s`,
      OUTBOX_POLL_INTERVAL_MS: '100',
      // Every request comes from 127.0.0.1; X-Forwarded-For (one believed hop) names the client.
      TRUST_PROXY: '1',
      RATE_LIMIT_ROUTES: 'true',
      RATE_LIMIT_LOGIN: 'ip=1000/1m,identifier=1000/1m,pair=3/1m',
      RATE_LIMIT_OTP_REQUEST: 'ip=1000/1m,identifier=1000/15m,pair=1000/15m',
      RATE_LIMIT_OTP_VERIFY: 'ip=1000/1m,identifier=1000/15m,pair=1000/15m',
      RATE_LIMIT_OTP_IP: '1000/15m',
      LOCKOUT_MAX_ATTEMPTS: '5',
    };
    // The first one alone: it migrates the schema, generates the signing key and creates the admin.
    cluster.push(await startApiProcess(env, { cwd: workDir, readyTimeoutMs: 60_000 }));
    cluster.push(...(await Promise.all([1, 2].map(() => startApiProcess(env, { cwd: workDir, readyTimeoutMs: 60_000 })))));
    db = await new DataSource(
      buildDataSourceOptions(loadDatabaseConfig({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: '2' }), ENTITIES),
    ).initialize();
  });

  after(async () => {
    await Promise.all(cluster.map((api) => api.stop()));
    if (db?.isInitialized) await db.destroy();
    await mail?.stop();
    await deleteKeys(redisPrefix).catch(() => undefined);
    await database?.drop();
    for (const dir of [keysDir, workDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const [a, b, c] = [0, 1, 2].map((index) => () => cluster[index]);

  it('counts a rate limit across the three instances', async () => {
    const identifier = freshEmail();
    const statuses = [];
    for (const api of [a(), b(), c(), a(), b(), c()]) statuses.push((await login(api, identifier, WRONG, '198.18.1.1')).status);
    // pair=3/1m: three answers, then refused everywhere.
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    const refused = await login(b(), identifier, WRONG, '198.18.1.1');
    expect(refused.body.code).toBe('rate_limited');
    // The shared counters sit under this run's prefix only.
    expect(await countKeys(redisPrefix)).toBeGreaterThan(0);
  });

  it('counts a lockout across the three instances', async () => {
    const identifier = freshEmail();
    for (let i = 0; i < 5; i++) expect((await login(cluster[i % 3], identifier, WRONG, `198.18.2.${i}`)).status).toBe(401);
    for (const [i, api] of cluster.entries()) {
      const locked = await login(api, identifier, WRONG, `198.18.3.${i}`);
      expect({ status: locked.status, code: locked.body.code }).toEqual({ status: 429, code: 'too_many_attempts' });
    }
  });

  it('refuses a logged-out or revoked session on the other instances within a second', async () => {
    const first = await login(a(), ADMIN.email, ADMIN.password, '198.18.4.1');
    const second = await login(b(), ADMIN.email, ADMIN.password, '198.18.4.2');
    expect([first.status, second.status]).toEqual([200, 200]);
    for (const api of cluster) expect((await call(api, 'GET', '/api/v1/me', { token: first.body.accessToken })).status).toBe(200);

    // Revoked from another session on B: refused on A and C.
    const revoke = await call(b(), 'DELETE', `/api/v1/me/sessions/${first.body.sessionId}`, { token: second.body.accessToken });
    expect(revoke.status).toBe(204);
    await refusedWithinOneSecond([a(), c()], first.body.accessToken);

    // Logged out on C: refused on A and B.
    expect((await call(c(), 'POST', '/api/v1/auth/logout', { token: second.body.accessToken, body: {} })).status).toBe(204);
    await refusedWithinOneSecond([a(), b()], second.body.accessToken);
  });

  async function refusedWithinOneSecond(apis: ApiProcess[], token: string) {
    const started = Date.now();
    for (const api of apis) {
      await eventually(async () => (await call(api, 'GET', '/api/v1/me', { token })).status === 401, 1000);
    }
    expect(Date.now() - started).toBeLessThan(1000);
  }

  it('lets a one-time code be redeemed once when all three redeem it at the same moment', async () => {
    for (let round = 0; round < 5; round++) {
      const email = freshEmail();
      const seen = mail.count(email);
      expect((await call(cluster[round % 3], 'POST', '/api/v1/auth/otp/request', { body: { email } })).status).toBe(202);
      const code = await mail.codeFor(email, { skip: seen, timeoutMs: 10_000 });
      const answers = await Promise.all(cluster.map((api) => call(api, 'POST', '/api/v1/auth/otp/verify', { body: { email, code } })));
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 200 || status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 400 || status === 401)).toHaveLength(2);
    }
  });

  it('delivers each of 300 queued messages exactly once with three dispatchers', async () => {
    const recipients = Array.from({ length: MESSAGES }, () => freshEmail('q', 'z'));
    const now = new Date();
    const rows = recipients.map((recipient) => ({
      id: newId(),
      channel: 'email' as const,
      recipient,
      template: 'account_exists',
      locale: null,
      payload: { displayName: null },
      status: 'pending' as const,
      attempts: 0,
      nextAttemptAt: now,
    }));
    // One transaction: all 300 become due at once, for the three dispatchers to compete over.
    await db.transaction((manager) => manager.getRepository(OutboxMessageEntity).insert(rows));
    const ids = new Set(rows.map((row) => row.id));
    const delivered = () => mail.mails.filter((caught) => ids.has(messageIdOf(caught.headers.get('message-id'))));
    await eventually(() => delivered().length >= MESSAGES, 60_000);
    // Late duplicates would arrive within a poll or two.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const messageIds = delivered().map((caught) => messageIdOf(caught.headers.get('message-id')));
    expect(messageIds).toHaveLength(MESSAGES);
    expect(new Set(messageIds).size).toBe(MESSAGES);
    const sent = await db.getRepository(OutboxMessageEntity).countBy({ status: 'sent', recipient: In(recipients) });
    expect(sent).toBe(MESSAGES);
  });

  it('runs each cleanup job once per tick across the cluster, not once per instance', async () => {
    const jobRow = () => db.getRepository(JobRunEntity).findOneByOrFail({ name: 'otp-cleanup' });
    await eventually(async () => (await db.getRepository(JobRunEntity).countBy({ name: 'otp-cleanup' })) === 1, 3 * TICK_MS);
    const start = await jobRow();
    await new Promise((resolve) => setTimeout(resolve, 3 * TICK_MS + TICK_MS / 2));
    const end = await jobRow();
    const ticks = (Number(end.lastTick) - Number(start.lastTick)) / TICK_MS;
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(end.runs - start.runs).toBe(ticks);

    // Each tick up to the last one read was logged by exactly one of the three (log lines may
    // trail the database by a moment).
    const claims = () =>
      cluster.flatMap((api) =>
        api.output
          .map((line) => /job otp-cleanup tick (\S+) runs on/.exec(line)?.[1])
          .filter((tick): tick is string => tick !== undefined && Date.parse(tick) <= Number(end.lastTick)),
      );
    await eventually(() => claims().length >= end.runs, 2000);
    expect(claims()).toHaveLength(end.runs);
    expect(new Set(claims()).size).toBe(end.runs);
  });

  it('switches a login method off and on for every instance at once', async () => {
    const session = await login(a(), ADMIN.email, ADMIN.password, '198.18.5.1');
    expect(session.status).toBe(200);
    const setLocal = (api: ApiProcess, enabled: boolean) =>
      call(api, 'PATCH', '/api/v1/admin/auth-providers/local', { token: session.body.accessToken, body: { enabled } });

    expect((await setLocal(a(), false)).status).toBe(200);
    for (const [i, api] of [b(), c()].entries()) {
      const refused = await login(api, ADMIN.email, ADMIN.password, `198.18.5.${10 + i}`);
      expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 404, code: 'provider_disabled' });
    }
    expect((await setLocal(c(), true)).status).toBe(200);
    for (const [i, api] of [a(), b()].entries())
      expect((await login(api, ADMIN.email, ADMIN.password, `198.18.5.${20 + i}`)).status).toBe(200);
  });
});

/** `<id@domain>` → id */
function messageIdOf(header: unknown): string {
  return /^<([^@>]+)@/.exec(String(header ?? ''))?.[1] ?? '';
}
