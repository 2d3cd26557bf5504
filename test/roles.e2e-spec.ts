import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { expect } from 'expect';
import { DataSource } from 'typeorm';
import { TransactionRunner } from '@identity/database';
import { RbacService } from '@identity/rbac';
import { bearer, countRows, createUser, signedIn, TestUser } from './support/accounts';
import { startTestApp, TestApp } from './support/test-app';

const PROBLEM = /^application\/problem\+json/;

describe('roles API', () => {
  let t: TestApp;
  let admin: TestUser;
  let adminToken: string;
  let plain: TestUser;
  let plainToken: string;

  before(async () => {
    t = await startTestApp();
    admin = await createUser(t, { roles: ['admin'] });
    adminToken = (await signedIn(t, admin)).accessToken;
    plain = await createUser(t);
    plainToken = (await signedIn(t, plain)).accessToken;
  });
  after(() => t?.close());

  const create = (body: object, token = adminToken) => t.http().post('/api/v1/roles').set(bearer(token)).send(body);
  const update = (id: string, body: object, token = adminToken) => t.http().put(`/api/v1/roles/${id}`).set(bearer(token)).send(body);
  const remove = (id: string, query = '', token = adminToken) => t.http().delete(`/api/v1/roles/${id}${query}`).set(bearer(token));
  const list = (token = adminToken) => t.http().get('/api/v1/roles').set(bearer(token));
  const roleId = async (name: string) =>
    ((await list()).body.items as { id: string; name: string }[]).find((role) => role.name === name)!.id;
  const rolesOf = async (userId: string) => (await t.app.get(RbacService).roleNamesByUser([userId])).get(userId);
  const give = (userId: string, role: string) =>
    t.app.get(TransactionRunner).run((manager) => t.app.get(RbacService).grant(manager, userId, [role]));

  it('creates, lists, reads, updates and deletes a custom role', async () => {
    const created = await create({
      name: 'support_agent',
      description: 'Answers tickets.',
      permissions: ['users:read', 'sessions:revoke'],
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['description', 'id', 'isSystem', 'name', 'permissions', 'selfAssignable']);
    expect(created.body).toMatchObject({
      name: 'support_agent',
      description: 'Answers tickets.',
      permissions: ['sessions:revoke', 'users:read'],
      isSystem: false,
      selfAssignable: false,
    });
    const id = created.body.id as string;

    const listed = await list().expect(200);
    expect(listed.body.nextCursor).toBeNull();
    const names = (listed.body.items as { name: string }[]).map((role) => role.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['admin', 'support_agent', 'user']));
    expect(listed.body.items.find((role: { name: string }) => role.name === 'admin')).toMatchObject({ isSystem: true, permissions: ['*'] });

    expect((await t.http().get(`/api/v1/roles/${id}`).set(bearer(adminToken)).expect(200)).body).toEqual(created.body);

    const changed = await update(id, { description: 'Tier one support.', permissions: ['users:read'] });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ ...created.body, description: 'Tier one support.', permissions: ['users:read'] });
    const unchanged = await update(id, {});
    expect(unchanged.status).toBe(200);
    expect(unchanged.body).toEqual(changed.body);

    const student = await create({ name: 'student', permissions: [], selfAssignable: true });
    expect(student.status).toBe(201);
    expect(student.body).toMatchObject({ description: null, permissions: [], selfAssignable: true });
    expect((await update(student.body.id, { selfAssignable: false, description: null })).body).toMatchObject({ selfAssignable: false });

    await remove(id).expect(204);
    await remove(student.body.id).expect(204);
    const missing = await t.http().get(`/api/v1/roles/${id}`).set(bearer(adminToken));
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(PROBLEM);
    expect(missing.body.code).toBe('not_found');
    expect((await update(id, { description: 'x' })).status).toBe(404);
    expect((await remove(id)).status).toBe(404);
    expect((await t.http().get('/api/v1/roles/not-a-uuid').set(bearer(adminToken))).status).toBe(400);
  });

  it('needs a token (401) and the roles permissions (403) on every route', async () => {
    const id = randomUUID();
    const routes = [
      () => t.http().get('/api/v1/roles'),
      () => t.http().get(`/api/v1/roles/${id}`),
      () => t.http().post('/api/v1/roles').send({ name: 'sneaky', permissions: [] }),
      () => t.http().put(`/api/v1/roles/${id}`).send({ description: 'x' }),
      () => t.http().delete(`/api/v1/roles/${id}`),
    ];
    for (const route of routes) {
      const anonymous = await route();
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['content-type']).toMatch(PROBLEM);
      const forbidden = await route().set(bearer(plainToken));
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers['content-type']).toMatch(PROBLEM);
      expect(forbidden.body.code).toBe('forbidden');
    }
    expect((await list()).body.items.map((role: { name: string }) => role.name)).not.toContain('sneaky');
  });

  it('applies role changes on the next request, with the same access token', async () => {
    const user = await createUser(t);
    const token = (await signedIn(t, user)).accessToken;
    const reader = (await create({ name: 'role_reader', permissions: ['roles:read'] }).expect(201)).body;
    await list(token).expect(403);

    await give(user.id, 'role_reader');
    await list(token).expect(200);
    await create({ name: 'not_allowed', permissions: [] }, token).expect(403);

    await update(reader.id, { permissions: ['users:read'] }).expect(200);
    await list(token).expect(403);
    await update(reader.id, { permissions: ['roles:read'] }).expect(200);
    await list(token).expect(200);

    await t.app.get(DataSource).query('DELETE FROM user_roles WHERE user_id = ? AND role_id = ?', [user.id, reader.id]);
    await list(token).expect(403);
  });

  it('refuses invalid roles with 400 problem+json and creates nothing', async () => {
    const before = await countRows(t, 'roles');
    const cases: [object, string][] = [
      [{ name: 'auditor', permissions: ['users:read', 'users:fly', 'root'] }, 'permissions'],
      [{ name: 'auditor', permissions: ['*'] }, 'permissions'],
      [{ name: 'auditor', permissions: ['audit:read'], selfAssignable: true }, 'selfAssignable'],
      [{ name: 'Auditor', permissions: [] }, 'name'],
      [{ name: 'a', permissions: [] }, 'name'],
      [{ name: '1st', permissions: [] }, 'name'],
      [{ name: 'audit team', permissions: [] }, 'name'],
      [{ name: `a${'b'.repeat(64)}`, permissions: [] }, 'name'],
      [{ name: 'auditor' }, 'permissions'],
      [{ name: 'auditor', permissions: 'audit:read' }, 'permissions'],
      [{ name: 'auditor', permissions: [], description: 'a\nb' }, 'description'],
      [{ name: 'auditor', permissions: [], isSystem: true }, 'isSystem'],
    ];
    for (const [body, field] of cases) {
      const response = await create(body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body.code).toBe('validation_failed');
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
    const unknown = await create({ name: 'auditor', permissions: ['users:read', 'users:fly', 'root'] });
    expect(unknown.body.detail).toMatch(/unknown permission\(s\): root, users:fly;/);
    expect(await countRows(t, 'roles')).toBe(before);

    const withPermissions = (await create({ name: 'editor', permissions: ['users:write'] }).expect(201)).body;
    const selfAssignable = (await create({ name: 'guest', permissions: [], selfAssignable: true }).expect(201)).body;
    for (const [id, body] of [
      [withPermissions.id, { selfAssignable: true }],
      [selfAssignable.id, { permissions: ['users:read'] }],
      [withPermissions.id, { permissions: ['*'] }],
      [withPermissions.id, { permissions: ['users:fly'] }],
      [withPermissions.id, { name: 'renamed' }],
    ]) {
      const response = await update(id, body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM);
    }
    expect((await t.http().get(`/api/v1/roles/${withPermissions.id}`).set(bearer(adminToken))).body).toEqual(withPermissions);
    expect((await t.http().get(`/api/v1/roles/${selfAssignable.id}`).set(bearer(adminToken))).body).toEqual(selfAssignable);
    expect((await remove(withPermissions.id, '?force=maybe')).status).toBe(400);
  });

  it('refuses a taken name with 409, also when created concurrently', async () => {
    await create({ name: 'librarian', permissions: [] }).expect(201);
    const again = await create({ name: 'librarian', permissions: ['users:read'] });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(PROBLEM);
    expect(again.body.code).toBe('role_exists');
    expect((await create({ name: 'admin', permissions: [] })).body.code).toBe('role_exists');

    const racing = await Promise.all(Array.from({ length: 5 }, () => create({ name: 'race_role', permissions: ['users:read'] })));
    expect(racing.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(racing.filter((response) => response.status === 409).every((response) => response.body.code === 'role_exists')).toBe(true);
    const [{ count }] = await t.app.get(DataSource).query("SELECT COUNT(*) AS count FROM roles WHERE name = 'race_role'");
    expect(Number(count)).toBe(1);
  });

  it('protects the system roles', async () => {
    const adminRole = await roleId('admin');
    const userRole = await roleId('user');
    for (const [id, body] of [
      [adminRole, { permissions: ['users:read'] }],
      [userRole, { permissions: ['users:read'] }],
      [userRole, { selfAssignable: true }],
      [userRole, { description: 'Everyone.', permissions: ['roles:read'] }],
    ] as const) {
      const response = await update(id, body);
      expect(response.status).toBe(409);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body.code).toBe('system_role');
    }
    for (const id of [adminRole, userRole]) {
      const response = await remove(id, '?force=true');
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('system_role');
    }

    const described = await update(userRole, { description: 'Everyone has it.', permissions: [] });
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ name: 'user', description: 'Everyone has it.', permissions: [], isSystem: true });
    expect((await update(adminRole, { permissions: ['*'] })).body.permissions).toEqual(['*']);
    await list().expect(200);
    expect(await rolesOf(admin.id)).toContain('admin');
  });

  it('refuses to delete a role in use unless forced, which takes it from its users', async () => {
    const teacher = (await create({ name: 'teacher', permissions: [], selfAssignable: true }).expect(201)).body;
    const first = await createUser(t, { roles: ['teacher'] });
    const second = await createUser(t, { roles: ['teacher'] });
    expect(await rolesOf(first.id)).toEqual(['teacher', 'user']);

    const refused = await remove(teacher.id);
    expect(refused.status).toBe(409);
    expect(refused.headers['content-type']).toMatch(PROBLEM);
    expect(refused.body.code).toBe('role_in_use');
    await t.http().get(`/api/v1/roles/${teacher.id}`).set(bearer(adminToken)).expect(200);
    await remove(teacher.id, '?force=false').expect(409);

    await remove(teacher.id, '?force=true').expect(204);
    await t.http().get(`/api/v1/roles/${teacher.id}`).set(bearer(adminToken)).expect(404);
    expect(await rolesOf(first.id)).toEqual(['user']);
    expect(await rolesOf(second.id)).toEqual(['user']);
    const [{ count }] = await t.app.get(DataSource).query('SELECT COUNT(*) AS count FROM user_roles WHERE role_id = ?', [teacher.id]);
    expect(Number(count)).toBe(0);
    const token = (await signedIn(t, first)).accessToken;
    expect((await t.http().get('/api/v1/me').set(bearer(token)).expect(200)).body.roles).toEqual(['user']);

    const [event] = await auditEvents('role.deleted', teacher.id);
    expect(event.metadata).toMatchObject({ role: 'teacher', detachedUsers: 2, force: true });
  });

  it('records every change in the audit log, with the admin as the actor', async () => {
    const role = (await create({ name: 'auditor', permissions: ['audit:read'] }).expect(201)).body;
    await update(role.id, { permissions: ['audit:read', 'users:read'], description: 'Reads logs.' }).expect(200);
    await remove(role.id).expect(204);

    const [created] = await auditEvents('role.created', role.id);
    expect(created).toMatchObject({ success: true, actorId: admin.id });
    expect(created.metadata).toMatchObject({ role: 'auditor', permissions: ['audit:read'], selfAssignable: false });
    const [updated] = await auditEvents('role.updated', role.id);
    expect(updated).toMatchObject({ success: true, actorId: admin.id });
    expect(updated.metadata).toEqual({
      roleId: role.id,
      role: 'auditor',
      changes: { description: { from: null, to: 'Reads logs.' }, permissions: { added: ['users:read'], removed: [] } },
    });
    const [deleted] = await auditEvents('role.deleted', role.id);
    expect(deleted).toMatchObject({ success: true, actorId: admin.id });
    expect(deleted.metadata).toMatchObject({ role: 'auditor', detachedUsers: 0 });

    // Refused and no-op changes record nothing.
    const adminRole = await roleId('admin');
    await update(adminRole, { permissions: [] }).expect(409);
    await update(adminRole, { permissions: ['*'] }).expect(200);
    expect(await auditEvents('role.updated', adminRole)).toEqual([]);
  });

  it('documents the routes with their auth and errors', async () => {
    const paths = (await t.http().get('/docs-json').expect(200)).body.paths;
    expect(paths['/api/v1/roles'].get.security).toEqual([{ bearer: [] }]);
    expect(paths['/api/v1/roles'].post.responses).toHaveProperty('409');
    expect(paths['/api/v1/roles/{id}'].put.responses).toHaveProperty('403');
    expect(paths['/api/v1/roles/{id}'].delete.parameters.map((parameter: { name: string }) => parameter.name)).toContain('force');
    expect(paths['/api/v1/roles'].get.tags).toEqual(['roles']);
  });

  /** The role events about one role, oldest first, with metadata parsed in either dialect. */
  async function auditEvents(action: string, id: string) {
    const rows: { action: string; success: unknown; actorId: string | null; metadata: unknown }[] = await t.app
      .get(DataSource)
      .query('SELECT action, success, actor_id AS actorId, metadata FROM audit_logs WHERE action = ? ORDER BY created_at', [action]);
    return rows
      .map((row) => ({
        ...row,
        success: Boolean(Number(row.success)),
        metadata: (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata) as Record<string, unknown>,
      }))
      .filter((row) => row.metadata.roleId === id);
  }
});
