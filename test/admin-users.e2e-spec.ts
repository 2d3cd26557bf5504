import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { DataSource, In } from 'typeorm';
import { AuditLogEntity } from '@identity/audit';
import { newId } from '@identity/common';
import { RoleEntity } from '@identity/rbac';
import { UserEntity } from '@identity/users';
import { bearer, countRows, createUser, login, signedIn, TestUser } from './support/accounts';
import { startTestApp, TestApp } from './support/test-app';

const BASE = '/api/v1/admin/users';

interface Page {
  items: { id: string; createdAt: string; displayName: string }[];
  nextCursor: string | null;
}

describe('admin users API (/api/v1/admin/users)', () => {
  let t: TestApp;
  let admin: TestUser;
  let adminToken: string;
  let plain: TestUser;
  let plainToken: string;

  const get = (path: string, token = adminToken) => t.http().get(`${BASE}${path}`).set(bearer(token));
  const patch = (id: string, body: object, token = adminToken) => t.http().patch(`${BASE}/${id}`).set(bearer(token)).send(body);
  const putRoles = (id: string, roles: unknown, token = adminToken) =>
    t.http().put(`${BASE}/${id}/roles`).set(bearer(token)).send({ roles });
  const auditOf = (userId: string, action: string) =>
    t.app
      .get(DataSource)
      .getRepository(AuditLogEntity)
      .find({ where: { userId, action }, order: { createdAt: 'ASC' } });

  /** Walks every page of a listing and returns the items in the order served. */
  async function walk(query: string, limit: number): Promise<Page['items']> {
    const items: Page['items'] = [];
    let cursor: string | null = null;
    do {
      const response = await get(`?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      const page = response.body as Page;
      expect(page.items.length).toBeLessThanOrEqual(limit);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  before(async () => {
    t = await startTestApp();
    admin = await createUser(t, { roles: ['admin'], displayName: 'The Admin' });
    adminToken = (await signedIn(t, admin)).accessToken;
    plain = await createUser(t, { displayName: 'Plain User' });
    plainToken = (await signedIn(t, plain)).accessToken;
  });
  after(() => t?.close());

  describe('access', () => {
    const routes = (id: string): [string, string, object?][] => [
      ['get', BASE],
      ['get', `${BASE}/${id}`],
      ['post', BASE, { email: 'x@example.com', displayName: 'X' }],
      ['patch', `${BASE}/${id}`, { displayName: 'X' }],
      ['put', `${BASE}/${id}/roles`, { roles: [] }],
      ['post', `${BASE}/${id}/unlock`],
      ['delete', `${BASE}/${id}/sessions`],
      ['delete', `${BASE}/${id}`],
    ];

    it('answers 401 without a token and 403 to a user without the permission, changing nothing', async () => {
      const usersBefore = await countRows(t, 'users');
      for (const [method, path, body] of routes(admin.id)) {
        const call = (token?: string) => {
          // supertest's verb methods all share one signature.
          const pending = t.http()[method as 'get'](path);
          if (token) pending.set(bearer(token));
          return body ? pending.send(body) : pending;
        };
        const anonymous = await call();
        expect([method, path, anonymous.status]).toEqual([method, path, 401]);
        expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
        const forbidden = await call(plainToken);
        expect([method, path, forbidden.status, forbidden.body.code]).toEqual([method, path, 403, 'forbidden']);
      }
      expect(await countRows(t, 'users')).toBe(usersBefore);
      await get(`/${admin.id}`).expect(200);
    });

    it('documents every route under the admin tag with its error responses', async () => {
      const document = (await t.http().get('/docs-json').expect(200)).body;
      const operations = [
        document.paths['/api/v1/admin/users'].get,
        document.paths['/api/v1/admin/users'].post,
        document.paths['/api/v1/admin/users/{id}'].get,
        document.paths['/api/v1/admin/users/{id}'].patch,
        document.paths['/api/v1/admin/users/{id}'].delete,
        document.paths['/api/v1/admin/users/{id}/roles'].put,
        document.paths['/api/v1/admin/users/{id}/unlock'].post,
        document.paths['/api/v1/admin/users/{id}/sessions'].delete,
      ];
      for (const operation of operations) {
        expect(operation.tags).toEqual(['admin']);
        expect(operation.summary).toEqual(expect.any(String));
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
      const listParameters = document.paths['/api/v1/admin/users'].get.parameters.map((parameter: { name: string }) => parameter.name);
      expect(listParameters).toEqual(expect.arrayContaining(['search', 'role', 'active', 'createdFrom', 'createdTo', 'limit', 'cursor']));
    });
  });

  describe('GET /admin/users', () => {
    const tag = `pager${Date.now().toString(36)}`;
    const created: string[] = [];

    before(async () => {
      for (let i = 0; i < 25; i++) created.push((await createUser(t, { displayName: `${tag.toUpperCase()} Person ${i}` })).id);
    });

    it('pages through every match once, newest first, in a stable order', async () => {
      const paged = await walk(`search=${tag}`, 10);
      expect(paged.map((item) => item.id).sort()).toEqual([...created].sort());
      expect(new Set(paged.map((item) => item.id)).size).toBe(25);
      for (let i = 1; i < paged.length; i++)
        expect(Date.parse(paged[i - 1].createdAt)).toBeGreaterThanOrEqual(Date.parse(paged[i].createdAt));
      // Same order again, and the same as one big page: pagination neither reorders nor skips.
      expect((await walk(`search=${tag}`, 10)).map((item) => item.id)).toEqual(paged.map((item) => item.id));
      expect((await walk(`search=${tag}`, 100)).map((item) => item.id)).toEqual(paged.map((item) => item.id));
      expect((await walk(`search=${tag}`, 7)).map((item) => item.id)).toEqual(paged.map((item) => item.id));
    });

    it('keeps later pages intact when users are created while paging', async () => {
      const first = (await get(`?search=${tag}&limit=10`).expect(200)).body as Page;
      const newcomer = await createUser(t, { displayName: `${tag} Newcomer` });
      const seen = [...first.items];
      let cursor = first.nextCursor;
      while (cursor) {
        const page = (await get(`?search=${tag}&limit=10&cursor=${cursor}`).expect(200)).body as Page;
        seen.push(...page.items);
        cursor = page.nextCursor;
      }
      expect(seen.map((item) => item.id).sort()).toEqual([...created].sort());
      expect(seen.map((item) => item.id)).not.toContain(newcomer.id);
      await t.http().delete(`${BASE}/${newcomer.id}`).set(bearer(adminToken)).expect(204);
    });

    it('defaults to 20 items and returns the user view', async () => {
      const page = (await get(`?search=${tag}`).expect(200)).body as Page;
      expect(page.items).toHaveLength(20);
      expect(page.nextCursor).toEqual(expect.any(String));
      expect(page.items[0]).toMatchObject({ roles: ['user'], isActive: true, mfaEnabled: false, username: expect.any(String) });
      expect(JSON.stringify(page)).not.toMatch(/argon2|password|hash/i);
    });

    it('finds users by a prefix of their email, phone, username or display name, case-insensitively', async () => {
      const target = await createUser(t, { displayName: `Grace ${tag} Hopper-Searchable`, username: `Navy-${tag}` });
      const ids = async (search: string) =>
        ((await get(`?search=${encodeURIComponent(search)}`).expect(200)).body as Page).items.map((i) => i.id);
      expect(await ids(target.email.toUpperCase())).toEqual([target.id]);
      expect(await ids(target.email.slice(0, -3))).toEqual([target.id]);
      expect(await ids(target.phone)).toEqual([target.id]);
      expect(await ids(`navy-${tag}`.toUpperCase())).toEqual([target.id]);
      expect(await ids(`GRACE ${tag} hopper-s`)).toEqual([target.id]);
      expect(await ids(`${tag} person 1`)).toHaveLength(11); // 1 and 10-19
      // A prefix, not any part: an index range serves it whatever the number of users.
      expect(await ids('Hopper-Searchable')).not.toContain(target.id);
      expect(await ids(target.email.slice(1))).not.toContain(target.id);
    });

    it('matches a search that looks like a phone number on its digits', async () => {
      const target = await createUser(t, { displayName: `${tag} Dialled` });
      const ids = async (search: string) =>
        ((await get(`?search=${encodeURIComponent(search)}`).expect(200)).body as Page).items.map((i) => i.id);
      const digits = target.phone.slice(1);
      const spaced = `+${digits.slice(0, 2)} ${digits.slice(2, 5)}-${digits.slice(5)}`;
      expect(await ids(spaced)).toEqual([target.id]);
      expect(await ids(`(${digits.slice(0, 4)}) ${digits.slice(4)}`)).toEqual([target.id]);
      expect(await ids(digits)).toEqual([target.id]);
      expect(await ids(digits.slice(2))).toEqual([]);
    });

    it('pages through a prefix held by more users than the index lookup takes (1,000)', async () => {
      const crowd = `${tag}crowd`;
      const users = t.app.get(DataSource).getRepository(UserEntity);
      const ids = Array.from({ length: 1005 }, () => newId());
      for (let i = 0; i < ids.length; i += 250)
        await users.insert(ids.slice(i, i + 250).map((id, k) => ({ id, displayName: `${crowd} ${i + k}` })));
      const found = await walk(`search=${crowd}`, 100);
      expect(found.map((item) => item.id).sort()).toEqual([...ids].sort());
      for (let i = 1; i < found.length; i++) expect(found[i - 1].createdAt >= found[i].createdAt).toBe(true);
      // The same users through the other path: a prefix held by few.
      expect(((await get(`?search=${crowd} 100`).expect(200)).body as Page).items).toHaveLength(6); // 100 and 1000-1004
      await users.delete({ id: In(ids) });
    });

    it('treats LIKE wildcards in the search as literal characters', async () => {
      const percent = await createUser(t, { displayName: `${tag} 100% sure` });
      const underscore = await createUser(t, { displayName: `${tag} snake_case` });
      const ids = async (search: string) =>
        ((await get(`?search=${encodeURIComponent(search)}`).expect(200)).body as Page).items.map((i) => i.id);
      expect(await ids(`${tag} 100%`)).toEqual([percent.id]);
      expect(await ids('%')).toEqual([]);
      expect(await ids(`${tag} 100!`)).toEqual([]);
      expect(await ids(`${tag} snake_`)).toEqual([underscore.id]);
      expect(await ids(`${tag}_`)).toEqual([]);
      expect(await ids('!')).toEqual([]);
    });

    it('filters by role, activity and creation time', async () => {
      const admins = (await get('?role=admin&limit=100').expect(200)).body as Page;
      expect(admins.items.map((item) => item.id)).toContain(admin.id);
      expect(admins.items.map((item) => item.id)).not.toContain(plain.id);
      expect(((await get('?role=no-such-role').expect(200)).body as Page).items).toEqual([]);

      const sleeper = await createUser(t, { displayName: `${tag} sleeper` });
      await patch(sleeper.id, { isActive: false }).expect(200);
      const inactive = ((await get(`?search=${tag}&active=false`).expect(200)).body as Page).items.map((item) => item.id);
      expect(inactive).toEqual([sleeper.id]);
      const active = await walk(`search=${tag}&active=true`, 100);
      expect(active.map((item) => item.id)).not.toContain(sleeper.id);

      const newest = (await get(`?search=${tag}&limit=1`).expect(200)).body as Page;
      const createdAt = newest.items[0].createdAt;
      const from = ((await get(`?search=${tag}&createdFrom=${createdAt}`).expect(200)).body as Page).items;
      expect(from.map((item) => item.id)).toContain(newest.items[0].id);
      expect(from.every((item) => item.createdAt >= createdAt)).toBe(true);
      const to = await walk(`search=${tag}&createdTo=${encodeURIComponent(createdAt)}`, 100);
      expect(to.map((item) => item.id)).not.toContain(newest.items[0].id);
      expect(to.every((item) => item.createdAt < createdAt)).toBe(true);
      expect(((await get(`?search=${tag}&createdFrom=2999-01-01T00:00:00Z`).expect(200)).body as Page).items).toEqual([]);
      expect(((await get(`?search=${tag}&createdTo=2000-01-01T00:00:00Z`).expect(200)).body as Page).items).toEqual([]);
    });

    it('refuses bad parameters and cursors with 400', async () => {
      const forged = Buffer.from(JSON.stringify(['1 OR 1=1', 'x'])).toString('base64url');
      for (const query of [
        'limit=0',
        'limit=101',
        'limit=ten',
        'active=maybe',
        'createdFrom=yesterday',
        'sort=email',
        'cursor=***',
        `cursor=${forged}`,
      ]) {
        const response = await get(`?${query}`);
        expect([query, response.status]).toEqual([query, 400]);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect((await get(`?cursor=${forged}`)).body.code).toBe('invalid_cursor');
    });
  });

  describe('GET /admin/users/{id}', () => {
    it('shows the user with identities and active sessions', async () => {
      const target = await createUser(t, { displayName: 'Detailed' });
      const session = await signedIn(t, target);
      const revoked = await signedIn(t, target);
      await t.http().post('/api/v1/auth/logout').set(bearer(revoked.accessToken)).send({}).expect(204);

      const response = await get(`/${target.id}`).expect(200);
      expect(response.body).toMatchObject({ id: target.id, displayName: 'Detailed', roles: ['user'], isActive: true });
      expect(response.body.identities).toEqual([
        {
          id: expect.any(String),
          provider: 'local',
          providerUserId: target.id,
          email: target.email,
          verified: true,
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
        },
      ]);
      expect(response.body.sessions).toHaveLength(1);
      expect(Object.keys(response.body.sessions[0]).sort()).toEqual(
        ['createdAt', 'current', 'expiresAt', 'id', 'ip', 'lastUsedAt', 'provider', 'userAgent'].sort(),
      );
      expect(response.body.sessions[0]).toMatchObject({ id: session.sessionId, current: false, provider: 'local' });
      expect(JSON.stringify(response.body)).not.toMatch(/argon2|passwordHash|tokenHash/i);
    });

    it('answers 404 problem+json for an unknown id and 400 for a malformed one', async () => {
      const missing = await get(`/${newId()}`);
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(missing.body.code).toBe('not_found');
      expect((await get('/not-a-uuid')).status).toBe(400);
    });
  });

  describe('POST /admin/users', () => {
    const create = (body: object, token = adminToken) => t.http().post(BASE).set(bearer(token)).send(body);

    it('creates a password account that can sign in by email and username', async () => {
      const response = await create({
        email: '  Created.One@Example.com ',
        username: 'Made-By-Admin',
        displayName: 'Created One',
        password: 'a long enough passphrase',
        verified: true,
      }).expect(201);
      expect(response.body).toMatchObject({
        email: 'created.one@example.com',
        emailVerified: true,
        username: 'made-by-admin',
        displayName: 'Created One',
        roles: ['user'],
        isActive: true,
      });
      expect(JSON.stringify(response.body)).not.toMatch(/passphrase|argon2/);
      const byEmail = await login(t, 'created.one@example.com', 'a long enough passphrase');
      expect(byEmail.status).toBe(200);
      expect(byEmail.body.user.id).toBe(response.body.id);
      expect((await login(t, 'made-by-admin', 'a long enough passphrase')).status).toBe(200);

      const [event] = await auditOf(response.body.id, 'user.created');
      expect(event).toMatchObject({ actorId: admin.id, success: true, metadata: { roles: ['user'], password: true, verified: true } });
      expect(JSON.stringify(event.metadata)).not.toMatch(/passphrase|argon2/);
    });

    it('creates an account without a password that cannot sign in with one', async () => {
      const response = await create({ email: 'no.password@example.com', displayName: 'No Password' }).expect(201);
      expect(response.body).toMatchObject({ email: 'no.password@example.com', emailVerified: false, username: null });
      expect((await get(`/${response.body.id}`).expect(200)).body.identities).toEqual([]);
      expect((await login(t, 'no.password@example.com', 'anything at all')).status).toBe(401);
    });

    it('grants roles, and refuses unknown ones without creating anything', async () => {
      const withAdmin = await create({ phone: '+4915123456780', displayName: 'New Admin', roles: ['admin'] }).expect(201);
      expect(withAdmin.body.roles).toEqual(['admin', 'user']);
      const usersBefore = await countRows(t, 'users');
      const unknown = await create({ email: 'unknown.role@example.com', displayName: 'X', roles: ['wizard'] });
      expect(unknown.status).toBe(400);
      expect(unknown.body.code).toBe('unknown_role');
      expect(await countRows(t, 'users')).toBe(usersBefore);
    });

    it('answers 409 account_exists for a taken email, phone or username', async () => {
      const existing = await createUser(t);
      for (const body of [
        { email: existing.email.toUpperCase(), displayName: 'Dup' },
        { phone: existing.phone, displayName: 'Dup' },
        { username: existing.username, password: 'a long enough passphrase', displayName: 'Dup' },
      ]) {
        const response = await create(body);
        expect([body, response.status, response.body.code]).toEqual([body, 409, 'account_exists']);
      }
    });

    it('validates the body', async () => {
      for (const [body, field] of [
        [{ displayName: 'No identifier' }, 'email'],
        [{ email: 'short@example.com', displayName: 'X', password: 'short' }, 'password'],
        [{ phone: '0151 123', displayName: 'X' }, 'phone'],
        [{ username: 'has space', displayName: 'X' }, 'username'],
        [{ email: 'not-an-email', displayName: 'X' }, 'email'],
        [{ email: 'ok@example.com' }, 'displayName'],
        [{ email: 'ok@example.com', displayName: 'X', isActive: false }, 'isActive'],
        [{ email: 'ok@example.com', displayName: 'X', roles: 'admin' }, 'roles'],
      ] as [object, string][]) {
        const response = await create(body);
        expect([body, response.status]).toEqual([body, 400]);
        expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
    });

    it('needs roles:write to hand out a role with more power than the caller holds', async () => {
      await t.app
        .get(DataSource)
        .getRepository(RoleEntity)
        .insert({
          id: newId(),
          name: 'user-manager',
          description: null,
          permissions: ['users:read', 'users:write'],
          isSystem: false,
          selfAssignable: false,
        });
      const manager = await createUser(t, { roles: ['user-manager'] });
      const token = (await signedIn(t, manager)).accessToken;

      const escalate = await create({ email: 'escalated@example.com', displayName: 'X', roles: ['admin'] }, token);
      expect(escalate.status).toBe(403);
      expect(escalate.body.code).toBe('forbidden');
      await create({ email: 'peer@example.com', displayName: 'Peer', roles: ['user-manager'] }, token).expect(201);
      await create({ email: 'plain.made@example.com', displayName: 'Plain' }, token).expect(201);
      expect((await putRoles(plain.id, ['user-manager'], token)).status).toBe(403);
    });
  });

  describe('PATCH /admin/users/{id}', () => {
    it('updates profile fields with the same rules as PATCH /me', async () => {
      const target = await createUser(t);
      const response = await patch(target.id, {
        displayName: '  Renamed  ',
        country: 'GB',
        locale: 'en-GB',
        avatarUrl: 'https://example.com/a.png',
        profile: { academicYear: '2026' },
      }).expect(200);
      expect(response.body).toMatchObject({ displayName: 'Renamed', country: 'GB', locale: 'en-GB', profile: { academicYear: '2026' } });
      await patch(target.id, { profile: { academicYear: null, house: 'Byron' } }).expect(200);
      expect((await get(`/${target.id}`)).body.profile).toEqual({ house: 'Byron' });
      for (const body of [
        { displayName: '' },
        { email: 'x@example.com' },
        { roles: ['admin'] },
        { isActive: 'no' },
        { profile: { a: { b: 1 } } },
      ]) {
        expect((await patch(target.id, body)).status).toBe(400);
      }
      const [event] = await auditOf(target.id, 'user.updated');
      expect(event).toMatchObject({
        actorId: admin.id,
        metadata: { fields: ['avatarUrl', 'country', 'displayName', 'locale', 'profile'] },
      });
      expect((await patch(newId(), { displayName: 'Ghost' })).status).toBe(404);
    });

    it('deactivation stops the user’s access and refresh tokens at once; reactivation allows sign-in again', async () => {
      const target = await createUser(t);
      const session = await signedIn(t, target);
      await t.http().get('/api/v1/me').set(bearer(session.accessToken)).expect(200);

      const response = await patch(target.id, { isActive: false }).expect(200);
      expect(response.body.isActive).toBe(false);
      expect((await t.http().get('/api/v1/me').set(bearer(session.accessToken))).status).toBe(401);
      expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: session.refreshToken })).status).toBe(401);
      expect((await login(t, target.email, target.password)).status).toBe(401);
      expect((await get(`/${target.id}`)).body.sessions).toEqual([]);
      const [deactivated] = await auditOf(target.id, 'user.deactivated');
      expect(deactivated).toMatchObject({ actorId: admin.id, metadata: { sessionsRevoked: 1 } });

      expect((await patch(target.id, { isActive: true }).expect(200)).body.isActive).toBe(true);
      expect((await login(t, target.email, target.password)).status).toBe(200);
      expect((await t.http().get('/api/v1/me').set(bearer(session.accessToken))).status).toBe(401);
      expect(await auditOf(target.id, 'user.activated')).toEqual([expect.objectContaining({ actorId: admin.id })]);
    });

    it('refuses to let an admin deactivate themselves', async () => {
      const response = await patch(admin.id, { isActive: false });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('cannot_modify_self');
      await get('').expect(200);
    });
  });

  describe('PUT /admin/users/{id}/roles', () => {
    it('replaces the roles, keeps `user`, and applies on the next request', async () => {
      const target = await createUser(t);
      const token = (await signedIn(t, target)).accessToken;
      expect((await get('', token)).status).toBe(403);

      expect((await putRoles(target.id, ['admin']).expect(200)).body.roles).toEqual(['admin', 'user']);
      await get('', token).expect(200);
      expect((await putRoles(target.id, []).expect(200)).body.roles).toEqual(['user']);
      expect((await get('', token)).status).toBe(403);

      const changes = await auditOf(target.id, 'user.roles_changed');
      expect(changes.map((row) => row.metadata)).toEqual([
        { added: ['admin'], removed: [], roles: ['admin', 'user'] },
        { added: [], removed: ['admin'], roles: ['user'] },
      ]);
      expect(changes.every((row) => row.actorId === admin.id)).toBe(true);
    });

    it('refuses unknown roles and leaves the roles unchanged', async () => {
      const target = await createUser(t, { roles: ['admin'] });
      const response = await putRoles(target.id, ['admin', 'wizard']);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('unknown_role');
      expect((await get(`/${target.id}`)).body.roles).toEqual(['admin', 'user']);
      expect((await putRoles(target.id, 'admin')).status).toBe(400);
      expect((await putRoles(newId(), [])).status).toBe(404);
    });

    it('refuses to let an admin remove their own last admin role', async () => {
      const response = await putRoles(admin.id, ['user']);
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('last_admin_role');
      expect((await get(`/${admin.id}`)).body.roles).toEqual(['admin', 'user']);
      await putRoles(admin.id, ['admin']).expect(200);
    });
  });

  describe('sessions and unlock', () => {
    it('DELETE /admin/users/{id}/sessions signs the user out everywhere', async () => {
      const target = await createUser(t);
      const one = await signedIn(t, target);
      const two = await signedIn(t, target);
      expect((await t.http().delete(`${BASE}/${target.id}/sessions`).set(bearer(adminToken)).expect(200)).body).toEqual({ revoked: 2 });
      for (const session of [one, two]) {
        expect((await t.http().get('/api/v1/me').set(bearer(session.accessToken))).status).toBe(401);
        expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: session.refreshToken })).status).toBe(401);
      }
      const [event] = await auditOf(target.id, 'user.sessions_revoked');
      expect(event).toMatchObject({ actorId: admin.id, metadata: { revoked: 2 } });
      expect((await t.http().delete(`${BASE}/${newId()}/sessions`).set(bearer(adminToken))).status).toBe(404);
    });

    it('POST /admin/users/{id}/unlock answers 204 and records the request', async () => {
      const target = await createUser(t);
      await t.http().post(`${BASE}/${target.id}/unlock`).set(bearer(adminToken)).expect(204);
      expect(await auditOf(target.id, 'user.unlocked')).toEqual([expect.objectContaining({ actorId: admin.id, success: true })]);
      expect((await t.http().post(`${BASE}/${newId()}/unlock`).set(bearer(adminToken))).status).toBe(404);
    });
  });

  describe('DELETE /admin/users/{id}', () => {
    it('deletes the user with identities, roles and sessions; the audit history stays without the user id', async () => {
      const target = await createUser(t, { roles: ['admin'] });
      await signedIn(t, target);
      await patch(target.id, { displayName: 'Soon Gone' }).expect(200);
      const history = await t.app.get(DataSource).getRepository(AuditLogEntity).findBy({ userId: target.id });
      expect(history.length).toBeGreaterThanOrEqual(3);

      await t.http().delete(`${BASE}/${target.id}`).set(bearer(adminToken)).expect(204);
      expect((await get(`/${target.id}`)).status).toBe(404);
      const data = t.app.get(DataSource);
      for (const table of ['user_auth', 'user_roles', 'sessions']) {
        const [{ count }] = await data.query(`SELECT COUNT(*) AS count FROM ${table} WHERE user_id = ?`, [target.id]);
        expect([table, Number(count)]).toEqual([table, 0]);
      }
      const kept = await data.getRepository(AuditLogEntity).findBy({ id: In(history.map((row) => row.id)) });
      expect(kept).toHaveLength(history.length);
      expect(kept.every((row) => row.userId === null)).toBe(true);
      const deleted = await data.getRepository(AuditLogEntity).findBy({ action: 'user.deleted', actorId: admin.id });
      expect(deleted.map((row) => row.metadata)).toContainEqual({ deletedUserId: target.id });
      expect(deleted.every((row) => row.userId === null)).toBe(true);
      expect((await login(t, target.email, target.password)).status).toBe(401);
      expect((await t.http().delete(`${BASE}/${target.id}`).set(bearer(adminToken))).status).toBe(404);
    });

    it('refuses to let an admin delete themselves', async () => {
      const response = await t.http().delete(`${BASE}/${admin.id}`).set(bearer(adminToken));
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('cannot_modify_self');
      await get(`/${admin.id}`).expect(200);
    });
  });
});
