import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { captureLogs, LogCapture } from './support/log-capture';
import { RedisServer, startRedisServer } from './support/redis-server';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { dialect, startTestApp, TestApp } from './support/test-app';

const WRONG = 'not the password at all';
/** From Redis answering again to both instances reporting ready and counting in it. */
const RECOVERY_MS = 5000;
const DOWN_MS = 3000;

let sequence = 0;
const unknownEmail = () => `redis-outage${process.pid}-${++sequence}-${Date.now() % 1e6}@example.com`;

/** Four wrong sign-ins from one client: the pair limit is 3 a minute, so the fourth is refused. */
async function fourAttempts(instances: TestApp[], ip: string) {
  const identifier = unknownEmail();
  const answers: { status: number; ms: number }[] = [];
  for (let i = 0; i < 4; i++) {
    const started = Date.now();
    const response = await instances[i % instances.length]
      .http()
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', ip)
      .send({ identifier, password: WRONG });
    answers.push({ status: response.status, ms: Date.now() - started });
  }
  return answers;
}

const statuses = (answers: { status: number }[]) => answers.map((answer) => answer.status);

async function readiness(t: TestApp) {
  const response = await t.http().get('/health/ready');
  return { status: response.status, redis: response.body.details?.redis?.status, database: response.body.details?.database?.status };
}

async function untilReady(instances: TestApp[], timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const answers = await Promise.all(instances.map(readiness));
    if (answers.every((answer) => answer.status === 200 && answer.redis === 'up')) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`not ready within ${timeoutMs} ms: ${JSON.stringify(answers)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Counted in Redis again: the attempts of one client, alternating between the two instances, add
 * up once more (each instance on its own would have counted two). Returns how long that took.
 */
async function untilShared(instances: TestApp[], timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (let client = 1; ; client++) {
    if (statuses(await fourAttempts(instances, `198.18.8.${client}`)).join() === '401,401,401,429') return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`limits not shared again within ${timeoutMs} ms`);
  }
}

describe('when Redis goes away and comes back', () => {
  let redis: RedisServer;
  let database: ScratchDatabase;
  let first: TestApp;
  let second: TestApp;
  let log: LogCapture;

  before(async () => {
    redis = await startRedisServer();
    database = await createScratchDatabase(dialect);
    const settings = {
      REDIS_URL: redis.url,
      RATE_LIMIT_ROUTES: 'true',
      RATE_LIMIT_LOGIN: 'ip=1000/1m,identifier=1000/1m,pair=3/1m',
      LOCKOUT_MAX_ATTEMPTS: '100',
      TRUST_PROXY: '1',
    };
    first = await startTestApp(settings, database);
    second = await startTestApp(settings, database);
    log = captureLogs(first);
  });

  after(async () => {
    await first?.close();
    await second?.close();
    await database?.drop();
    await redis?.stop();
  });

  it('limits per instance with a loud warning while it is down, and shares the limits again once it is back', async () => {
    // Shared: alternating instances, one client still gets refused at its fourth attempt.
    expect(statuses(await fourAttempts([first, second], '198.18.7.1'))).toEqual([401, 401, 401, 429]);

    await redis.stop('SIGKILL');
    // Reported, but the instance stays in rotation: it still serves, with limits of its own.
    expect(await readiness(first)).toEqual({ status: 200, redis: 'down', database: 'up' });
    // Each instance counts on its own: limited, never unlimited, and no request waits for Redis.
    const alone = await fourAttempts([first], '198.18.7.2');
    expect(statuses(alone)).toEqual([401, 401, 401, 429]);
    expect(Math.max(...alone.map((answer) => answer.ms))).toBeLessThan(1000);
    expect(log.lines.some((line) => /^error .*Redis unavailable/.test(line))).toBe(true);

    // Long enough for the clients' reconnect attempts to back off, as in a real outage.
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));

    await redis.start();
    const readyMs = await untilReady([first, second], RECOVERY_MS);
    const sharedMs = await untilShared([first, second], RECOVERY_MS);
    console.log(`redis-outage: both instances ready ${readyMs} ms after Redis answered again, counting in it ${sharedMs} ms after that`);
  });
});
