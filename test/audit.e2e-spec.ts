import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { DataSource } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AUDIT_RETENTION_JOB, AuditLogEntity, AuditRetentionService, loadAuditConfig } from '@identity/audit';
import { ConfigValidationError, newId } from '@identity/common';
import { ClusterJobs } from '@identity/database';
import { RoleEntity } from '@identity/rbac';
import { SessionEntity } from '@identity/sessions';
import { bearer, createUser, login, signedIn, TestUser } from './support/accounts';
import { startTestApp, TestApp } from './support/test-app';

const DAY_MS = 86_400_000;
const EVENT_KEYS = [
  'action',
  'actorId',
  'createdAt',
  'endpoint',
  'errorCode',
  'id',
  'ip',
  'metadata',
  'method',
  'sessionId',
  'success',
  'userAgent',
  'userId',
].sort();

type Row = AuditLogEntity;

/** The API's order: created_at DESC, id DESC. */
const newestFirst = (a: Row, b: Row) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe('audit log: writing under load, search, reports, retention', () => {
  let t: TestApp;
  let admin: TestUser;
  let adminToken: string;
  let retentionPeriodMs: number | undefined;

  const repo = () => t.app.get(DataSource).getRepository(AuditLogEntity);
  const allRows = async () => (await repo().find()).sort(newestFirst);

  /** Synthetic rows with chosen times and values (the API only reads what the listener writes). */
  async function insertRows(rows: Partial<Row>[]): Promise<Row[]> {
    const full = rows.map(
      (row) =>
        ({
          id: newId(),
          userId: null,
          actorId: null,
          sessionId: null,
          action: 'user.updated',
          success: true,
          errorCode: null,
          ip: null,
          userAgent: 'synthetic',
          method: 'PATCH',
          endpoint: '/api/v1/admin/users/:id',
          metadata: { synthetic: true },
          durationMs: 1,
          createdAt: new Date(),
          ...row,
        }) as Row,
    );
    // Metadata is free-form JSON, which TypeORM's deep-partial insert type cannot follow.
    for (let i = 0; i < full.length; i += 100) await repo().insert(full.slice(i, i + 100) as QueryDeepPartialEntity<Row>[]);
    return full;
  }

  /** Follows nextCursor to the end; returns every item id in order and the number of pages. */
  async function readAll(path: string, token: string, query: Record<string, string>, limit: number) {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await t
        .http()
        .get(path)
        .query({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) })
        .set(bearer(token));
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(limit);
      for (const item of response.body.items) expect(Object.keys(item).sort()).toEqual(EVENT_KEYS);
      ids.push(...response.body.items.map((item: { id: string }) => item.id));
      cursor = response.body.nextCursor;
      pages += 1;
      if (pages > 1000) throw new Error('pagination does not end');
    } while (cursor);
    return { ids, pages };
  }

  before(async () => {
    // Lockouts off: the concurrency test fails many logins on a few accounts on purpose.
    t = await startTestApp({ AUDIT_RETENTION_BATCH: '100', RATE_LIMIT_ENABLED: 'false' });
    // The application schedules the purge hourly; stop it here so it cannot race the retention
    // test, which counts exactly what one call deletes.
    const jobs = t.app.get(ClusterJobs);
    retentionPeriodMs = jobs.periodOf(AUDIT_RETENTION_JOB);
    jobs.stop(AUDIT_RETENTION_JOB);
    admin = await createUser(t, { roles: ['admin'] });
    adminToken = (await signedIn(t, admin)).accessToken;
  });
  after(() => t?.close());

  it('writes exactly one row with the right outcome for each of 1,000 concurrent auth requests', async () => {
    const users = [await createUser(t), await createUser(t), await createUser(t)];
    const baseline = await allRows();
    const baselineIds = new Set(baseline.map((row) => row.id));

    // A deterministic mix: 200 × (login, refresh, logout), 100 logins, 200 wrong passwords,
    // 100 unknown identifiers = 1,000 requests.
    type Unit = { kind: 'chain' | 'login' | 'wrong' | 'unknown'; user: TestUser; n: number };
    const units: Unit[] = [];
    const add = (kind: Unit['kind'], count: number) => {
      for (let n = 0; n < count; n++) units.push({ kind, user: users[n % users.length], n });
    };
    add('chain', 200);
    add('login', 100);
    add('wrong', 200);
    add('unknown', 100);
    // Interleave with a fixed-seed shuffle so the kinds run concurrently with each other.
    let seed = 42;
    for (let i = units.length - 1; i > 0; i--) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 1;
      const j = seed % (i + 1);
      [units[i], units[j]] = [units[j], units[i]];
    }

    const statuses: string[] = [];
    let requests = 0;
    const expectStatus = (label: string, response: { status: number; body: unknown }, status: number) => {
      requests += 1;
      if (response.status !== status) statuses.push(`${label}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.status === status;
    };
    const run = async (unit: Unit) => {
      const { user } = unit;
      if (unit.kind === 'wrong') {
        expectStatus('wrong password', await login(t, user.email, `not the password ${unit.n}`), 401);
      } else if (unit.kind === 'unknown') {
        expectStatus('unknown identifier', await login(t, `nobody-${unit.n}-${process.pid}@example.com`, 'whatever password'), 401);
      } else {
        const signIn = await login(t, unit.n % 2 ? user.username : user.email, user.password);
        if (!expectStatus('login', signIn, 200) || unit.kind === 'login') return;
        const refreshed = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: signIn.body.refreshToken });
        if (!expectStatus('refresh', refreshed, 200)) return;
        expectStatus('logout', await t.http().post('/api/v1/auth/logout').set(bearer(refreshed.body.accessToken)).send({}), 204);
      }
    };
    // 50 units in flight, each runs its requests one after another: at most 50 concurrent requests.
    const queue = [...units];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let unit = queue.shift(); unit; unit = queue.shift()) await run(unit);
      }),
    );
    const elapsed = Date.now() - started;
    expect(statuses).toEqual([]);
    expect(requests).toBe(1000);

    const added = (await allRows()).filter((row) => !baselineIds.has(row.id));
    const count = (predicate: (row: Row) => boolean) => added.filter(predicate).length;
    const byAction = Object.fromEntries(
      [...new Set(added.map((row) => row.action))].map((action) => [action, count((row) => row.action === action)]),
    );
    expect(byAction).toEqual({ 'login.succeeded': 300, 'login.failed': 300, 'token.refreshed': 200, logout: 200 });
    expect(added).toHaveLength(1000);

    const succeeded = added.filter((row) => row.action === 'login.succeeded');
    expect(succeeded.every((row) => row.success && row.errorCode === null && row.sessionId !== null)).toBe(true);
    for (const [index, user] of users.entries()) {
      // Units are dealt to the users in turn: user 0 gets the extra chain and login of each kind.
      const chains = Math.ceil((200 - index) / 3);
      const logins = Math.ceil((100 - index) / 3);
      expect(count((row) => row.action === 'login.succeeded' && row.userId === user.id)).toBe(chains + logins);
      expect(count((row) => row.action === 'token.refreshed' && row.userId === user.id)).toBe(chains);
      expect(count((row) => row.action === 'logout' && row.userId === user.id)).toBe(chains);
      expect(count((row) => row.action === 'login.failed' && row.userId === user.id)).toBe(Math.ceil((200 - index) / 3));
    }
    const failed = added.filter((row) => row.action === 'login.failed');
    expect(failed.every((row) => !row.success && row.errorCode === 'invalid_credentials')).toBe(true);
    expect(failed.filter((row) => row.metadata?.reason === 'wrong_password')).toHaveLength(200);
    const unknown = failed.filter((row) => row.metadata?.reason === 'unknown_identifier');
    expect(unknown).toHaveLength(100);
    expect(unknown.every((row) => row.userId === null)).toBe(true);
    expect(added.filter((row) => row.action === 'token.refreshed' || row.action === 'logout').every((row) => row.success)).toBe(true);
    // Every row was written inside its request: request facts are present.
    expect(added.every((row) => row.method === 'POST' && row.endpoint?.startsWith('/api/v1/auth/') && (row.durationMs ?? -1) >= 0)).toBe(
      true,
    );
    expect(elapsed).toBeLessThan(60_000);
  });

  it('records the request facts of a failed login, and never the password', async () => {
    const user = await createUser(t);
    const password = 'Tr0ub4dor&3-wrong-guess';
    const response = await t
      .http()
      .post('/api/v1/auth/login')
      .set('User-Agent', 'audit-e2e/1.0 (failed login)')
      .send({ identifier: user.email, password });
    expect(response.status).toBe(401);
    const rows = await repo().find({ where: { userId: user.id, action: 'login.failed' } });
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      success: false,
      errorCode: 'invalid_credentials',
      method: 'POST',
      endpoint: '/api/v1/auth/login',
      userAgent: 'audit-e2e/1.0 (failed login)',
      actorId: null,
    });
    expect(row.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    expect(row.durationMs).toBeGreaterThanOrEqual(0);
    expect(row.metadata).toMatchObject({ reason: 'wrong_password', provider: 'local' });
    expect(JSON.stringify(row.metadata)).not.toContain(password);
    expect(Object.keys(row.metadata ?? {}).filter((key) => /password|secret|hash|token/i.test(key))).toEqual([]);
    // Nothing in the raw row either (a column the entity does not map, say).
    const [raw] = await t.app.get(DataSource).query(`SELECT * FROM audit_logs WHERE id = '${row.id}'`);
    expect(JSON.stringify(raw)).not.toContain(password);
    // And the admin API shows the same event.
    const listed = await t
      .http()
      .get('/api/v1/admin/audit-logs')
      .query({ userId: user.id, action: 'login.failed' })
      .set(bearer(adminToken))
      .expect(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: row.id, action: 'login.failed', success: false, errorCode: 'invalid_credentials', userId: user.id }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(password);
  });

  describe('GET /me/security-events', () => {
    it("lists only the caller's events, newest first, and pages without gaps or repeats", async () => {
      const [alice, bob] = [await createUser(t), await createUser(t)];
      const aliceTokens = await signedIn(t, alice);
      await login(t, alice.email, 'a wrong password');
      await t.http().post('/api/v1/auth/refresh').send({ refreshToken: aliceTokens.refreshToken }).expect(200);
      const bobTokens = await signedIn(t, bob);
      await login(t, bob.email, 'another wrong password');
      // Ties on created_at: the id breaks them, also across a page boundary.
      const tie = new Date(Date.now() - 60_000);
      await insertRows(Array.from({ length: 7 }, () => ({ userId: alice.id, action: 'session.revoked', createdAt: tie })));
      await insertRows([{ userId: bob.id, action: 'session.revoked', createdAt: tie }]);

      const expected = (await allRows()).filter((row) => row.userId === alice.id).map((row) => row.id);
      // account created, sign-in, failed sign-in, refresh, and the seven synthetic rows
      expect(expected).toHaveLength(11);
      const { ids, pages } = await readAll('/api/v1/me/security-events', (await signedIn(t, alice)).accessToken, {}, 3);
      // The sign-in that fetched the token above is itself an event of hers, written before the first page.
      const now = (await allRows()).filter((row) => row.userId === alice.id).map((row) => row.id);
      expect(ids).toEqual(now);
      expect(now.length).toBe(expected.length + 1);
      expect(pages).toBe(Math.ceil(now.length / 3));

      const bobView = await t.http().get('/api/v1/me/security-events').set(bearer(bobTokens.accessToken)).expect(200);
      expect(bobView.body.items.every((item: { userId: string }) => item.userId === bob.id)).toBe(true);
      expect(bobView.body.items.map((item: { action: string }) => item.action).sort()).toEqual(
        ['user.created', 'login.failed', 'login.succeeded', 'session.revoked'].sort(),
      );
      expect(bobView.body.nextCursor).toBeNull();
      const first = bobView.body.items[0];
      expect(first.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    });

    it('needs a bearer token and refuses bad paging parameters as problem+json', async () => {
      expect((await t.http().get('/api/v1/me/security-events')).status).toBe(401);
      for (const query of [{ limit: '0' }, { limit: '201' }, { limit: 'ten' }, { userId: admin.id }]) {
        const response = await t.http().get('/api/v1/me/security-events').query(query).set(bearer(adminToken));
        expect(response.status).toBe(400);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body.code).toBe('validation_failed');
      }
      const forged = Buffer.from(`2026-01-01T00:00:00.000Z|' OR 1=1 --`).toString('base64url');
      for (const cursor of ['not a cursor', 'bm9wZQ', forged]) {
        const response = await t.http().get('/api/v1/me/security-events').query({ cursor }).set(bearer(adminToken));
        expect(response.status).toBe(400);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body.code).toBe('invalid_cursor');
      }
    });
  });

  describe('GET /admin/audit-logs', () => {
    let auditorToken: string;
    let userToken: string;
    let u1: TestUser;
    let u2: TestUser;
    const externalActor = newId();
    const base = Date.now() - 10 * DAY_MS;

    before(async () => {
      await t.app
        .get(DataSource)
        .getRepository(RoleEntity)
        .insert({
          id: newId(),
          name: 'auditor',
          description: 'Reads the audit log.',
          permissions: ['audit:read'],
          isSystem: false,
          selfAssignable: false,
        });
      auditorToken = (await signedIn(t, await createUser(t, { roles: ['auditor'] }))).accessToken;
      userToken = (await signedIn(t, await createUser(t))).accessToken;
      [u1, u2] = [await createUser(t), await createUser(t)];
      const actions = ['user.updated', 'role.created', 'user.deactivated', 'login.failed'];
      const ips = ['198.51.100.7', '198.51.100.8', '2001:db8::1'];
      await insertRows(
        Array.from({ length: 90 }, (_, k) => ({
          userId: [u1.id, u2.id, null][k % 3],
          actorId: [admin.id, externalActor, u1.id, null][k % 4],
          action: actions[k % actions.length],
          success: k % 5 !== 0,
          errorCode: k % 5 !== 0 ? null : 'forbidden',
          ip: ips[k % ips.length],
          // Rows come in pairs of equal time: ties, also across page boundaries.
          createdAt: new Date(base + Math.floor(k / 2) * 37 * 60_000),
        })),
      );
    });

    const cases: [string, (ctx: { u1: TestUser; u2: TestUser; admin: TestUser }) => Record<string, string>, (row: Row) => boolean][] = [
      ['userId', ({ u1 }) => ({ userId: u1.id }), (row) => row.userId === u1.id],
      ['actorId (an admin)', ({ admin }) => ({ actorId: admin.id }), (row) => row.actorId === admin.id],
      ['actorId (no account)', () => ({ actorId: externalActor }), (row) => row.actorId === externalActor],
      ['one action', () => ({ action: 'role.created' }), (row) => row.action === 'role.created'],
      [
        'several actions',
        () => ({ action: 'role.created,user.deactivated' }),
        (row) => row.action === 'role.created' || row.action === 'user.deactivated',
      ],
      [
        'several actions of one user',
        ({ u2 }) => ({ action: 'user.updated, login.failed', userId: u2.id }),
        (row) => row.userId === u2.id && (row.action === 'user.updated' || row.action === 'login.failed'),
      ],
      ['failures', () => ({ success: 'false' }), (row) => !row.success],
      ['successes of one ip', () => ({ success: 'true', ip: '2001:db8::1' }), (row) => row.success && row.ip === '2001:db8::1'],
      ['ip', () => ({ ip: '198.51.100.7' }), (row) => row.ip === '198.51.100.7'],
      [
        'time range',
        () => ({ from: new Date(base + 5 * 3600_000).toISOString(), to: new Date(base + 20 * 3600_000).toISOString() }),
        (row) => row.createdAt.getTime() >= base + 5 * 3600_000 && row.createdAt.getTime() < base + 20 * 3600_000,
      ],
      [
        'user, outcome and start',
        ({ u1 }) => ({ userId: u1.id, success: 'true', from: new Date(base + 10 * 3600_000).toISOString() }),
        (row) => row.userId === u1.id && row.success && row.createdAt.getTime() >= base + 10 * 3600_000,
      ],
      [
        'action and range',
        () => ({
          action: 'login.failed',
          from: new Date(base).toISOString().slice(0, 10),
          to: new Date(base + 15 * 3600_000).toISOString(),
        }),
        (row) =>
          row.action === 'login.failed' &&
          row.createdAt.getTime() >= Date.parse(new Date(base).toISOString().slice(0, 10)) &&
          row.createdAt.getTime() < base + 15 * 3600_000,
      ],
    ];

    for (const [name, query, predicate] of cases) {
      it(`filters by ${name}, across pages`, async () => {
        const expected = (await allRows()).filter(predicate).map((row) => row.id);
        expect(expected.length).toBeGreaterThan(7);
        const { ids, pages } = await readAll('/api/v1/admin/audit-logs', auditorToken, query({ u1, u2, admin }), 7);
        expect(pages).toBeGreaterThan(1);
        expect(ids).toEqual(expected);
      });
    }

    it('lists everything without filters, 50 per page by default', async () => {
      const expected = (await allRows()).map((row) => row.id);
      const first = await t.http().get('/api/v1/admin/audit-logs').set(bearer(adminToken)).expect(200);
      expect(first.body.items.map((item: { id: string }) => item.id)).toEqual(expected.slice(0, 50));
      const { ids } = await readAll('/api/v1/admin/audit-logs', adminToken, {}, 200);
      expect(ids).toEqual(expected);
    });

    it('needs a token and audit:read', async () => {
      const unauthenticated = await t.http().get('/api/v1/admin/audit-logs');
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers['content-type']).toMatch(/^application\/problem\+json/);
      const forbidden = await t.http().get('/api/v1/admin/audit-logs').set(bearer(userToken));
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.code).toBe('forbidden');
      await t.http().get('/api/v1/admin/audit-logs').set(bearer(auditorToken)).expect(200);
    });

    it('validates every filter', async () => {
      const bad = [
        { userId: 'not-a-uuid' },
        { actorId: '42' },
        { action: 'login.exploded' },
        { action: 'login.failed,nope' },
        { action: '' },
        { success: 'maybe' },
        { ip: '999.1.1.1' },
        { from: 'yesterday' },
        { to: '2026-02-30T00:00:00Z' },
        { limit: '500' },
        { sort: 'asc' },
      ];
      for (const query of bad) {
        const response = await t.http().get('/api/v1/admin/audit-logs').query(query).set(bearer(adminToken));
        expect({ query, status: response.status, code: response.body.code }).toEqual({ query, status: 400, code: 'validation_failed' });
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      const cursor = await t.http().get('/api/v1/admin/audit-logs').query({ cursor: 'Zm9vfGJhcg' }).set(bearer(adminToken));
      expect(cursor.status).toBe(400);
      expect(cursor.body.code).toBe('invalid_cursor');
    });
  });

  describe('reports', () => {
    it('counts failed logins per UTC day, with distinct accounts, zeros included', async () => {
      const [u1, u2] = [await createUser(t), await createUser(t)];
      const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
      const at = (daysAgo: number, hour: number) => new Date(today - daysAgo * DAY_MS + hour * 3600_000);
      await insertRows([
        ...[u1.id, u1.id, u2.id, null].map((userId, i) => ({ action: 'login.failed', success: false, userId, createdAt: at(2, 1 + i) })),
        { action: 'login.failed', success: false, userId: u2.id, createdAt: at(5, 23.99) },
        { action: 'login.failed', success: false, userId: u1.id, createdAt: at(29, 0) },
        // Outside the 30 days, and not a failed login: not counted.
        { action: 'login.failed', success: false, userId: u1.id, createdAt: at(30, 23.9) },
        { action: 'login.succeeded', success: true, userId: u1.id, createdAt: at(2, 5) },
      ]);
      const response = await t.http().get('/api/v1/admin/reports/failed-logins').set(bearer(adminToken)).expect(200);
      const items: { day: string; failures: number; distinctUsers: number }[] = response.body.items;
      expect(items).toHaveLength(30);
      expect(items[29].day).toBe(new Date(today).toISOString().slice(0, 10));
      expect(items[0].day).toBe(new Date(today - 29 * DAY_MS).toISOString().slice(0, 10));

      const failures = (await allRows()).filter((row) => row.action === 'login.failed');
      const expected = items.map(({ day }) => {
        const rows = failures.filter((row) => row.createdAt.toISOString().slice(0, 10) === day);
        return { day, failures: rows.length, distinctUsers: new Set(rows.filter((row) => row.userId).map((row) => row.userId)).size };
      });
      expect(items).toEqual(expected);
      expect(items[27]).toEqual({ day: items[27].day, failures: 4, distinctUsers: 2 });
      expect(items[24]).toEqual({ day: items[24].day, failures: 1, distinctUsers: 1 });
      expect(items[0]).toEqual({ day: items[0].day, failures: 1, distinctUsers: 1 });
      expect(items[29].failures).toBeGreaterThanOrEqual(300);

      const week = await t.http().get('/api/v1/admin/reports/failed-logins').query({ days: '7' }).set(bearer(adminToken)).expect(200);
      expect(week.body.items).toEqual(items.slice(23));
      for (const days of ['0', '366', 'x']) {
        const bad = await t.http().get('/api/v1/admin/reports/failed-logins').query({ days }).set(bearer(adminToken));
        expect(bad.status).toBe(400);
      }
    });

    it('lists users by active sessions, most first', async () => {
      const busy = await createUser(t);
      for (let i = 0; i < 4; i++) await signedIn(t, busy);
      const ended = await signedIn(t, busy);
      await t.http().post('/api/v1/auth/logout').set(bearer(ended.accessToken)).send({}).expect(204);

      const response = await t
        .http()
        .get('/api/v1/admin/reports/active-sessions')
        .query({ limit: '100' })
        .set(bearer(adminToken))
        .expect(200);
      const sessions = await t.app.get(DataSource).getRepository(SessionEntity).find();
      const now = Date.now();
      const counts = new Map<string, number>();
      for (const session of sessions) {
        if (!session.revokedAt && session.expiresAt.getTime() > now) counts.set(session.userId, (counts.get(session.userId) ?? 0) + 1);
      }
      const expected = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      expect(response.body.items.map((item: { userId: string; activeSessions: number }) => [item.userId, item.activeSessions])).toEqual(
        expected.slice(0, 100),
      );
      const mine = response.body.items.find((item: { userId: string }) => item.userId === busy.id);
      expect(mine).toMatchObject({ email: busy.email, displayName: 'Test User', activeSessions: 4 });
      expect(Date.parse(mine.lastUsedAt)).toBeGreaterThan(now - 60_000);
      const top = await t.http().get('/api/v1/admin/reports/active-sessions').query({ limit: '2' }).set(bearer(adminToken)).expect(200);
      expect(top.body.items).toHaveLength(2);
    });

    it('needs audit:read for failed logins and users:read for sessions', async () => {
      const auditor = await createUser(t, { roles: ['auditor'] });
      const token = (await signedIn(t, auditor)).accessToken;
      await t.http().get('/api/v1/admin/reports/failed-logins').set(bearer(token)).expect(200);
      expect((await t.http().get('/api/v1/admin/reports/active-sessions').set(bearer(token))).status).toBe(403);
      const plain = (await signedIn(t, await createUser(t))).accessToken;
      expect((await t.http().get('/api/v1/admin/reports/failed-logins').set(bearer(plain))).status).toBe(403);
      expect((await t.http().get('/api/v1/admin/reports/failed-logins')).status).toBe(401);
      expect((await t.http().get('/api/v1/admin/reports/active-sessions')).status).toBe(401);
    });
  });

  describe('retention', () => {
    it('deletes rows older than AUDIT_RETENTION_DAYS in batches and keeps recent ones', async () => {
      const retention = t.app.get(AuditRetentionService);
      const now = new Date();
      const batches: { selected: number; deleted: number }[] = [];
      const deleteBatch = retention.deleteBatch.bind(retention);
      retention.deleteBatch = async (...args) => {
        const batch = await deleteBatch(...args);
        batches.push(batch);
        return batch;
      };
      try {
        const old = await insertRows(Array.from({ length: 250 }, (_, i) => ({ createdAt: new Date(now.getTime() - (91 + i) * DAY_MS) })));
        const kept = await insertRows(Array.from({ length: 20 }, (_, i) => ({ createdAt: new Date(now.getTime() - 89 * DAY_MS + i) })));
        const before = await repo().count();

        expect(await retention.deleteExpired(now)).toBe(250);
        expect(batches).toEqual([
          { selected: 100, deleted: 100 },
          { selected: 100, deleted: 100 },
          { selected: 50, deleted: 50 },
        ]);
        expect(await repo().count()).toBe(before - 250);
        const left = new Set((await repo().find({ select: { id: true } })).map((row) => row.id));
        expect(old.some((row) => left.has(row.id))).toBe(false);
        expect(kept.every((row) => left.has(row.id))).toBe(true);
        expect(await retention.deleteExpired(now)).toBe(0);

        // Two instances purging at once delete each row once between them.
        await insertRows(Array.from({ length: 230 }, (_, i) => ({ createdAt: new Date(now.getTime() - (100 + i / 10) * DAY_MS) })));
        const [a, b] = await Promise.all([retention.deleteExpired(now), retention.deleteExpired(now)]);
        expect(a + b).toBe(230);
        expect(await repo().count()).toBe(before - 250);
      } finally {
        retention.deleteBatch = deleteBatch;
      }
    });

    it('runs every hour (RETENTION_INTERVAL), on the hour', () => {
      expect(retentionPeriodMs).toBe(3_600_000);
    });

    it('validates its configuration', () => {
      expect(loadAuditConfig({})).toEqual({ retentionDays: 90, retentionBatch: 1000 });
      expect(loadAuditConfig({ AUDIT_RETENTION_DAYS: '30', AUDIT_RETENTION_BATCH: '500' })).toEqual({
        retentionDays: 30,
        retentionBatch: 500,
      });
      for (const env of [{ AUDIT_RETENTION_DAYS: '0' }, { AUDIT_RETENTION_DAYS: '3651' }, { AUDIT_RETENTION_BATCH: 'lots' }]) {
        expect(() => loadAuditConfig(env)).toThrow(ConfigValidationError);
      }
    });
  });
});
