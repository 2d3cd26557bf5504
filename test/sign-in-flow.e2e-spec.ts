import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { DataSource } from 'typeorm';
import { UserAuthEntity } from '@identity/auth-core';
import { newId } from '@identity/common';
import { RoleEntity } from '@identity/rbac';
import { bearer, countRows, createUser, deactivate, login } from './support/accounts';
import { FIXTURE_IDP_SECRET, FixtureIdpModule } from './fixtures/fixture-idp.module';
import { startTestApp, TestApp } from './support/test-app';

// The core flow that turns a proven external identity into a user and a session, driven through
// a fixture provider exactly as Google or Firebase will drive it.
describe('core sign-in flow: find, link by verified contact, or create', () => {
  let t: TestApp;
  let n = 0;
  const unique = () => `${Date.now()}-${++n}`;

  before(async () => {
    t = await startTestApp({}, undefined, [FixtureIdpModule]);
  });
  after(() => t?.close());

  const assertIdentity = (body: Record<string, unknown>) =>
    t
      .http()
      .post('/api/v1/auth/fixture-idp')
      .send({ secret: FIXTURE_IDP_SECRET, ...body });
  const identitiesOf = (userId: string) => t.app.get(DataSource).getRepository(UserAuthEntity).findBy({ userId });

  it('creates an account on the first sign-in (201), then finds it by (provider, subject) (200)', async () => {
    const subject = `sub-${unique()}`;
    const email = `new-${unique()}@example.com`;
    const first = await assertIdentity({ subject, email, emailVerified: true, displayName: 'Grace' });
    expect(first.status).toBe(201);
    expect(first.body.user).toMatchObject({ email, emailVerified: true, displayName: 'Grace', roles: ['user'] });
    const again = await assertIdentity({ subject, email, emailVerified: true });
    expect(again.status).toBe(200);
    expect(again.body.user.id).toBe(first.body.user.id);
    await t.http().get('/api/v1/me').set(bearer(again.body.accessToken)).expect(200);
  });

  it('links to an existing account when both sides have the email verified', async () => {
    const existing = await createUser(t, { verified: true });
    const response = await assertIdentity({ subject: `sub-${unique()}`, email: existing.email, emailVerified: true });
    expect(response.status).toBe(200);
    expect(response.body.user.id).toBe(existing.id);
    expect(await identitiesOf(existing.id)).toHaveLength(2);
    // The password still works: linking added a way in, it did not replace one.
    expect((await login(t, existing.email, existing.password)).status).toBe(200);
  });

  it('refuses to auto-link when the existing account has not verified that email', async () => {
    const existing = await createUser(t, { verified: false });
    const users = await countRows(t, 'users');
    const response = await assertIdentity({ subject: `sub-${unique()}`, email: existing.email, emailVerified: true });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('account_link_required');
    expect(await identitiesOf(existing.id)).toHaveLength(1);
    expect(await countRows(t, 'users')).toBe(users);
  });

  it('never matches an unverified provider email: a new account without it, as for an unknown address', async () => {
    const existing = await createUser(t, { verified: true });
    const onTaken = await assertIdentity({ subject: `sub-${unique()}`, email: existing.email, emailVerified: false });
    const onFree = await assertIdentity({ subject: `sub-${unique()}`, email: `free-${unique()}@example.com`, emailVerified: false });
    for (const response of [onTaken, onFree]) {
      expect(response.status).toBe(201);
      expect(response.body.user).toMatchObject({ email: null, emailVerified: false });
    }
    expect(Object.keys(onTaken.body.user).sort()).toEqual(Object.keys(onFree.body.user).sort());
    expect(onTaken.body.user.id).not.toBe(existing.id);
    expect(await identitiesOf(existing.id)).toHaveLength(1);
    // The unproven address is kept on the new identity only.
    const [identity] = await identitiesOf(onTaken.body.user.id);
    expect(identity.providerEmail).toBe(existing.email);
  });

  it('links by a verified phone number too', async () => {
    const existing = await createUser(t, { verified: true });
    const response = await assertIdentity({ subject: `sub-${unique()}`, phone: existing.phone, phoneVerified: true });
    expect(response.status).toBe(200);
    expect(response.body.user.id).toBe(existing.id);
  });

  it('creates exactly one account when the same new identity signs in concurrently', async () => {
    const subject = `sub-${unique()}`;
    const email = `race-${unique()}@example.com`;
    const users = await countRows(t, 'users');
    const responses = await Promise.all(Array.from({ length: 6 }, () => assertIdentity({ subject, email, emailVerified: true })));
    for (const response of responses) expect([200, 201]).toContain(response.status);
    expect(new Set(responses.map((response) => response.body.user.id)).size).toBe(1);
    expect(await countRows(t, 'users')).toBe(users + 1);
  });

  it('grants a self-assignable role picked at sign-up, and refuses any other', async () => {
    await t.app
      .get(DataSource)
      .getRepository(RoleEntity)
      .insert({ id: newId(), name: 'teacher', description: null, permissions: [], isSystem: false, selfAssignable: true });
    const teacher = await assertIdentity({
      subject: `sub-${unique()}`,
      email: `t-${unique()}@example.com`,
      emailVerified: true,
      role: 'teacher',
    });
    expect(teacher.status).toBe(201);
    expect(teacher.body.user.roles).toEqual(['teacher', 'user']);

    const users = await countRows(t, 'users');
    for (const role of ['admin', 'no-such-role']) {
      const refused = await assertIdentity({ subject: `sub-${unique()}`, email: `x-${unique()}@example.com`, emailVerified: true, role });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('role_not_self_assignable');
    }
    expect(await countRows(t, 'users')).toBe(users);
  });

  it('refuses a deactivated account with account_disabled', async () => {
    const subject = `sub-${unique()}`;
    const created = await assertIdentity({ subject, email: `off-${unique()}@example.com`, emailVerified: true });
    await deactivate(t, created.body.user.id);
    const response = await assertIdentity({ subject });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('account_disabled');
    expect((await t.http().get('/api/v1/me').set(bearer(created.body.accessToken))).status).toBe(401);
  });
});
