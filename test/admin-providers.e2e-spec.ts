import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { bearer, createUser, login, signedIn, TestUser } from './support/accounts';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { dialect, startTestApp, TestApp } from './support/test-app';

describe('admin: login methods switched at runtime', () => {
  let database: ScratchDatabase;
  let keysDir: string;
  let first: TestApp;
  let second: TestApp;
  let adminToken: string;
  let userToken: string;
  let admin: TestUser;
  let user: TestUser;

  before(async () => {
    database = await createScratchDatabase(dialect);
    // Two instances on one database and one key directory, as behind a load balancer.
    keysDir = mkdtempSync(join(tmpdir(), 'identity-shared-keys-'));
    first = await startTestApp({ JWT_KEYS_DIR: keysDir }, database);
    second = await startTestApp({ JWT_KEYS_DIR: keysDir }, database);
    admin = await createUser(first, { roles: ['admin'] });
    user = await createUser(first);
    adminToken = (await signedIn(first, admin)).accessToken;
    userToken = (await signedIn(first, user)).accessToken;
  });
  after(async () => {
    await first?.close();
    await second?.close();
    await database?.drop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  const setEnabled = (t: TestApp, enabled: boolean, token = adminToken) =>
    t.http().patch('/api/v1/admin/auth-providers/local').set(bearer(token)).send({ enabled });

  it('lists every login method with its switch and state', async () => {
    const response = await first.http().get('/api/v1/admin/auth-providers').set(bearer(adminToken)).expect(200);
    const local = response.body.items.find((item: { name: string }) => item.name === 'local');
    expect(local).toEqual({
      name: 'local',
      displayName: 'Password',
      kind: 'password',
      description: expect.any(String),
      enabled: true,
      active: true,
      mounted: true,
      configured: true,
    });
    const google = response.body.items.find((item: { name: string }) => item.name === 'google');
    // Built in but without GOOGLE_CLIENT_ID: mounted, yet neither configured nor active.
    expect(google).toMatchObject({ enabled: true, active: false, mounted: true, configured: false });
  });

  it('disabling takes effect at once on every instance, and survives a restart', async () => {
    await setEnabled(first, false).expect(200);
    for (const t of [first, second]) {
      const refused = await login(t, user.email, user.password);
      expect(refused.status).toBe(404);
      expect(refused.body.code).toBe('provider_disabled');
      const listed = await t.http().get('/api/v1/auth/providers').expect(200);
      expect(listed.body.map((provider: { id: string }) => provider.id)).not.toContain('local');
    }
    // A password change belongs to the method too.
    const change = await second
      .http()
      .post('/api/v1/me/password')
      .set(bearer(userToken))
      .send({ currentPassword: user.password, newPassword: 'whatever passphrase' });
    expect(change.status).toBe(404);

    const restarted = await startTestApp({ JWT_KEYS_DIR: keysDir }, database);
    try {
      expect((await login(restarted, user.email, user.password)).status).toBe(404);
    } finally {
      await restarted.close();
    }

    await setEnabled(second, true).expect(200);
    expect((await login(first, user.email, user.password)).status).toBe(200);
  });

  it('refuses unknown methods and bad bodies', async () => {
    const unknown = await first.http().patch('/api/v1/admin/auth-providers/nope').set(bearer(adminToken)).send({ enabled: false });
    expect(unknown.status).toBe(404);
    const bad = await first.http().patch('/api/v1/admin/auth-providers/local').set(bearer(adminToken)).send({ enabled: 'no' });
    expect(bad.status).toBe(400);
  });

  it('needs a token and the providers permissions', async () => {
    expect((await first.http().get('/api/v1/admin/auth-providers')).status).toBe(401);
    expect((await first.http().get('/api/v1/admin/auth-providers').set(bearer(userToken))).status).toBe(403);
    expect((await setEnabled(first, false, userToken)).status).toBe(403);
  });

  it('records who switched what in the audit log', async () => {
    const rows = await first.app
      .get(DataSource)
      .query(
        "SELECT action, actor_id AS actor, success FROM audit_logs WHERE action IN ('provider.enabled', 'provider.disabled') ORDER BY created_at",
      );
    expect(rows.map((row: { action: string; actor: string }) => [row.action, row.actor])).toEqual([
      ['provider.disabled', admin.id],
      ['provider.enabled', admin.id],
    ]);
  });
});
