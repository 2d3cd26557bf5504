import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { ApiProcess, startApiProcess } from './support/api-process';
import { MailCatcher, startMailCatcher } from './support/mail-catcher';
import { MariaDbServer, startMariaDbServer } from './support/mariadb-server';
import { Outcome, RegistrationLoad } from './support/registration-load';
import { dialect } from './support/test-app';

const SKIP =
  dialect === 'mysql' ? false : 'kills and restarts a MariaDB server of its own; runs in the MySQL pass (TEST_DB=mysql), not on SQLite';
if (SKIP) console.log(`database-outage: skipped: ${SKIP}`);

const DOWN_MS = 6000;
/** How long the load runs before the crash and after recovery. */
const STEADY_MS = 4000;
/** A 503 while the database is down must come this fast: no connect wait, no queueing. */
const FAST_MS = 1000;
/**
 * Reconnect window: from the restarted server answering to the service's readiness saying 200.
 * Nothing needs to reconnect by hand; the pool opens new connections on the next request.
 */
const RECOVERY_MS = 5000;

const CONNECT_TIMEOUT_MS = 1000;
const QUERY_TIMEOUT_MS = 1500;
const ACQUIRE_TIMEOUT_MS = 1000;
/**
 * While the server hangs a request fails at its first statement: it waits at most for a pooled
 * connection (opening one included), then for that statement. The margin is for a busy machine.
 */
const FROZEN_BOUND_MS = ACQUIRE_TIMEOUT_MS + QUERY_TIMEOUT_MS + 1000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls readiness until it answers `status`; returns how long that took. */
async function readinessBecomes(load: RegistrationLoad, status: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while ((await load.call('ready', '/health/ready')).status !== status) {
    if (Date.now() - started > timeoutMs) throw new Error(`readiness did not answer ${status} within ${timeoutMs} ms`);
    await pause(100);
  }
  return Date.now() - started;
}

const between = (outcomes: Outcome[], from: number, to: number) => outcomes.filter((o) => o.startedAt >= from && o.endedAt <= to);

describe('when the database crashes under load', { skip: SKIP }, () => {
  let db: MariaDbServer;
  let api: ApiProcess;
  let mail: MailCatcher;
  let workDir: string;

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'identity-db-outage-'));
    mail = await startMailCatcher();
    db = await startMariaDbServer();
    await db.query('CREATE DATABASE identity CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    api = await startApiProcess(
      {
        DATABASE_URL: db.urlFor('identity'),
        JWT_KEYS_DIR: join(workDir, 'keys'),
        MESSAGE_LOG_DIR: join(workDir, 'messages'),
        MAIL_URL: mail.url,
        SMS_URL: 'log',
        RATE_LIMIT_ENABLED: 'false',
        OUTBOX_POLL_INTERVAL_MS: '100',
        // Short, so the frozen-server case below stays quick; production defaults are 2 s and 10 s.
        DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
        DATABASE_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS),
        // Fewer connections than the burst below has requests, so some must wait for one.
        DATABASE_POOL_SIZE: '4',
      },
      { cwd: workDir },
    );
  });

  after(async () => {
    await api?.stop();
    await db?.remove();
    await mail?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('answers fast 503s while it is down, recovers by itself, and loses or half-writes nothing', async () => {
    const load = new RegistrationLoad(api.url, mail);
    load.start();
    await pause(STEADY_MS);
    const createdBefore = load.created.length;

    await db.stop('SIGKILL');
    const downAt = Date.now();
    await readinessBecomes(load, 503, FAST_MS);
    // Readiness is asked throughout; its answers are checked with the rest below.
    while (Date.now() - downAt < DOWN_MS) {
      await load.call('ready', '/health/ready');
      await pause(250);
    }
    const restartAt = Date.now();
    await db.start();
    const answeringAt = Date.now();
    const recoveryMs = await readinessBecomes(load, 200, RECOVERY_MS);
    const recoveredAt = Date.now();
    await pause(STEADY_MS);
    await load.stop();

    const whileDown = between(load.outcomes, downAt, restartAt);
    const afterRecovery = load.outcomes.filter((o) => o.startedAt >= recoveredAt);
    const slowest = Math.max(...whileDown.map((o) => o.endedAt - o.startedAt));
    console.log(
      `database-outage: ${whileDown.length} requests while down, slowest ${slowest} ms; server answered ` +
        `${answeringAt - restartAt} ms after restart, service ready ${recoveryMs} ms later; ` +
        `accounts created ${createdBefore} before, ${load.created.length - createdBefore} during and after`,
    );

    expect(createdBefore).toBeGreaterThan(0);
    expect(whileDown.length).toBeGreaterThan(20);
    expect(whileDown.filter((o) => o.route === 'ready').length).toBeGreaterThan(10);
    expect(whileDown.filter((o) => o.status !== 503 || (o.route !== 'ready' && o.code !== 'service_unavailable'))).toEqual([]);
    expect(whileDown.filter((o) => o.endedAt - o.startedAt >= FAST_MS)).toEqual([]);
    expect(afterRecovery.filter((o) => o.status >= 500 || o.status === 0)).toEqual([]);
    // The outbox dispatcher came back too: codes were mailed and redeemed after the outage.
    expect(load.created.length).toBeGreaterThan(createdBefore);

    expect(api.child.exitCode).toBeNull();
    expect(api.output.filter((line) => /unhandled/i.test(line))).toEqual([]);
    await expectEveryAnsweredAccountWhole(db, load.created);
  });

  it('answers within its timeouts while the server is frozen (it accepts connections but never replies)', async () => {
    const load = new RegistrationLoad(api.url, mail);
    load.start();
    await pause(STEADY_MS / 2);
    const createdBefore = load.created.length;

    db.pause();
    const frozenAt = Date.now();
    await pause(QUERY_TIMEOUT_MS);
    // Ten times the pool: without a bound on the wait for a connection, the last would queue
    // behind several statement timeouts in a row.
    const burst = await Promise.all(
      Array.from({ length: 40 }, () =>
        load.call('login', '/api/v1/auth/login', { identifier: 'burst@example.com', password: 'x'.repeat(12) }),
      ),
    );
    await pause(DOWN_MS - (Date.now() - frozenAt));
    const thawAt = Date.now();
    db.resume();
    const recoveryMs = await readinessBecomes(load, 200, RECOVERY_MS + QUERY_TIMEOUT_MS);
    const recoveredAt = Date.now();
    await pause(STEADY_MS / 2);
    await load.stop();

    const whileFrozen = between(load.outcomes, frozenAt, thawAt);
    const slowest = Math.max(...whileFrozen.map((o) => o.endedAt - o.startedAt));
    console.log(
      `database-outage (frozen): ${whileFrozen.length} requests answered while frozen (a burst of ${burst.length} among them), ` +
        `slowest ${slowest} ms; ready ${recoveryMs} ms after thaw`,
    );
    expect(whileFrozen.length).toBeGreaterThan(burst.length);
    expect(whileFrozen.filter((o) => o.status !== 503)).toEqual([]);
    expect(burst.every((o) => o.status === 503 && o.endedAt - o.startedAt < FROZEN_BOUND_MS)).toBe(true);
    // Nothing hangs: every request started while frozen was answered within the bound.
    const started = load.outcomes.filter((o) => o.startedAt >= frozenAt && o.startedAt < thawAt);
    expect(started.filter((o) => o.endedAt - o.startedAt >= FROZEN_BOUND_MS)).toEqual([]);
    expect(load.outcomes.filter((o) => o.startedAt >= recoveredAt && (o.status >= 500 || o.status === 0))).toEqual([]);
    expect(load.created.length).toBeGreaterThan(createdBefore);
    expect(api.child.exitCode).toBeNull();
    await expectEveryAnsweredAccountWhole(db, load.created);
  });
});

/** Every 201 is an account with all its rows; no account, session or code is half there. */
async function expectEveryAnsweredAccountWhole(db: MariaDbServer, created: string[]): Promise<void> {
  const count = async (sql: string, params: unknown[] = []) => Number((await db.query<{ n: number }>(sql, params))[0].n);
  const present = await db.query<{ email: string }>('SELECT email FROM identity.users WHERE email IN (?)', [created]);
  expect(present.map((row) => row.email).sort()).toEqual([...created].sort());
  const orphans = {
    usersWithoutCredential: await count(
      'SELECT COUNT(*) AS n FROM identity.users u WHERE NOT EXISTS (SELECT 1 FROM identity.user_auth a WHERE a.user_id = u.id)',
    ),
    usersWithoutRole: await count(
      'SELECT COUNT(*) AS n FROM identity.users u WHERE NOT EXISTS (SELECT 1 FROM identity.user_roles r WHERE r.user_id = u.id)',
    ),
    usersWithoutAuditRow: await count(
      `SELECT COUNT(*) AS n FROM identity.users u WHERE NOT EXISTS
         (SELECT 1 FROM identity.audit_logs l WHERE l.user_id = u.id AND l.action = 'registration.completed')`,
    ),
    registrationsStillPending: await count(
      'SELECT COUNT(*) AS n FROM identity.users u JOIN identity.pending_registrations p ON p.destination = u.email',
    ),
    sessionsWithoutRefreshToken: await count(
      'SELECT COUNT(*) AS n FROM identity.sessions s WHERE NOT EXISTS (SELECT 1 FROM identity.refresh_tokens t WHERE t.session_id = s.id)',
    ),
  };
  expect(orphans).toEqual({
    usersWithoutCredential: 0,
    usersWithoutRole: 0,
    usersWithoutAuditRow: 0,
    registrationsStillPending: 0,
    sessionsWithoutRefreshToken: 0,
  });
}
