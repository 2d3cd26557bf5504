import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { bearer, createUser, login, signedIn, TestUser } from './support/accounts';
import { startTestApp, TestApp } from './support/test-app';

describe('account: /me, password change and sessions', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp();
  });
  after(() => t?.close());

  describe('GET and PATCH /me', () => {
    let user: TestUser;
    let token: string;

    before(async () => {
      user = await createUser(t, { displayName: 'Ada' });
      token = (await signedIn(t, user)).accessToken;
    });

    it('returns my account in the documented shape', async () => {
      const response = await t.http().get('/api/v1/me').set(bearer(token)).expect(200);
      expect(Object.keys(response.body).sort()).toEqual(
        [
          'avatarUrl',
          'country',
          'createdAt',
          'displayName',
          'email',
          'emailVerified',
          'id',
          'isActive',
          'lastLoginAt',
          'locale',
          'mfaEnabled',
          'phone',
          'phoneVerified',
          'profile',
          'roles',
          'username',
        ].sort(),
      );
      expect(response.body).toMatchObject({
        id: user.id,
        displayName: 'Ada',
        profile: {},
        roles: ['user'],
        mfaEnabled: false,
        isActive: true,
      });
    });

    it('updates profile fields and merges custom profile fields', async () => {
      await t
        .http()
        .patch('/api/v1/me')
        .set(bearer(token))
        .send({ profile: { academicYear: '2026', rollNumber: 'CS-042' } })
        .expect(200);
      const response = await t
        .http()
        .patch('/api/v1/me')
        .set(bearer(token))
        .send({
          displayName: 'Ada Lovelace',
          country: 'GB',
          locale: 'en-GB',
          avatarUrl: 'https://example.com/a.png',
          profile: { rollNumber: null, house: 'Byron' },
        })
        .expect(200);
      expect(response.body).toMatchObject({
        displayName: 'Ada Lovelace',
        country: 'GB',
        locale: 'en-GB',
        avatarUrl: 'https://example.com/a.png',
        profile: { academicYear: '2026', house: 'Byron' },
      });
      const reread = await t.http().get('/api/v1/me').set(bearer(token)).expect(200);
      expect(reread.body.profile).toEqual({ academicYear: '2026', house: 'Byron' });
    });

    it('refuses fields a user may not set, and changes nothing', async () => {
      const before = (await t.http().get('/api/v1/me').set(bearer(token))).body;
      for (const body of [{ email: 'x@example.com' }, { roles: ['admin'] }, { isActive: false }, { displayName: 'New', isActive: false }]) {
        const response = await t.http().patch('/api/v1/me').set(bearer(token)).send(body);
        expect(response.status).toBe(400);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body.code).toBe('validation_failed');
      }
      const invalid = [
        { displayName: '' },
        { displayName: 'a\r\nb' },
        { avatarUrl: 'javascript:alert(1)' },
        { locale: 'not a locale' },
        { profile: { nested: { deep: true } } },
        { profile: 'x' },
      ];
      for (const body of invalid) {
        expect((await t.http().patch('/api/v1/me').set(bearer(token)).send(body)).status).toBe(400);
      }
      const afterwards = (await t.http().get('/api/v1/me').set(bearer(token))).body;
      expect(afterwards).toEqual(before);
    });
  });

  describe('POST /me/password', () => {
    it('needs the current password, applies the length policy, then signs out the other sessions', async () => {
      const user = await createUser(t);
      const current = await signedIn(t, user);
      const other = await signedIn(t, user);

      const wrong = await t
        .http()
        .post('/api/v1/me/password')
        .set(bearer(current.accessToken))
        .send({ currentPassword: 'nope', newPassword: 'a brand new passphrase' });
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('current_password_incorrect');

      const short = await t
        .http()
        .post('/api/v1/me/password')
        .set(bearer(current.accessToken))
        .send({ currentPassword: user.password, newPassword: 'short' });
      expect(short.status).toBe(400);
      expect(short.body.errors[0]).toEqual({ field: 'newPassword', messages: ['newPassword must be at least 8 characters'] });

      const tooLong = await t
        .http()
        .post('/api/v1/me/password')
        .set(bearer(current.accessToken))
        .send({ currentPassword: user.password, newPassword: 'x'.repeat(129) });
      expect(tooLong.status).toBe(400);

      await t
        .http()
        .post('/api/v1/me/password')
        .set(bearer(current.accessToken))
        .send({ currentPassword: user.password, newPassword: 'a brand new passphrase' })
        .expect(204);

      expect((await login(t, user.email, user.password)).status).toBe(401);
      expect((await login(t, user.email, 'a brand new passphrase')).status).toBe(200);
      await t.http().get('/api/v1/me').set(bearer(current.accessToken)).expect(200);
      expect((await t.http().get('/api/v1/me').set(bearer(other.accessToken))).status).toBe(401);
      expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: other.refreshToken })).status).toBe(401);
    });
  });

  describe('sessions', () => {
    it('lists my active sessions with the current one marked', async () => {
      const user = await createUser(t);
      const a = await signedIn(t, user);
      const b = await signedIn(t, user);
      const response = await t.http().get('/api/v1/me/sessions').set(bearer(a.accessToken)).set('User-Agent', 'test-agent').expect(200);
      expect(response.body.nextCursor).toBeNull();
      const ids = response.body.items.map((session: { id: string }) => session.id).sort();
      expect(ids).toEqual([a.sessionId, b.sessionId].sort());
      const current = response.body.items.find((session: { current: boolean }) => session.current);
      expect(current).toMatchObject({ id: a.sessionId, provider: 'local', expiresAt: expect.any(String), lastUsedAt: expect.any(String) });
    });

    it('revokes one session by id, and answers 404 for a session of another user', async () => {
      const alice = await createUser(t);
      const bob = await createUser(t);
      const a1 = await signedIn(t, alice);
      const a2 = await signedIn(t, alice);
      const b1 = await signedIn(t, bob);

      const foreign = await t.http().delete(`/api/v1/me/sessions/${b1.sessionId}`).set(bearer(a1.accessToken));
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('not_found');
      await t.http().get('/api/v1/me').set(bearer(b1.accessToken)).expect(200);

      await t.http().delete(`/api/v1/me/sessions/${a2.sessionId}`).set(bearer(a1.accessToken)).expect(204);
      expect((await t.http().get('/api/v1/me').set(bearer(a2.accessToken))).status).toBe(401);
      expect((await t.http().delete(`/api/v1/me/sessions/${a2.sessionId}`).set(bearer(a1.accessToken))).status).toBe(404);
      expect((await t.http().delete('/api/v1/me/sessions/not-a-uuid').set(bearer(a1.accessToken))).status).toBe(400);
    });

    it('revokes all sessions but the current one', async () => {
      const user = await createUser(t);
      const keep = await signedIn(t, user);
      const others = [await signedIn(t, user), await signedIn(t, user)];
      const response = await t.http().delete('/api/v1/me/sessions').set(bearer(keep.accessToken)).expect(200);
      expect(response.body).toEqual({ revoked: 2 });
      await t.http().get('/api/v1/me').set(bearer(keep.accessToken)).expect(200);
      for (const other of others) expect((await t.http().get('/api/v1/me').set(bearer(other.accessToken))).status).toBe(401);
      const listed = await t.http().get('/api/v1/me/sessions').set(bearer(keep.accessToken)).expect(200);
      expect(listed.body.items.map((session: { id: string }) => session.id)).toEqual([keep.sessionId]);
    });
  });

  // GET /me may be answered from a short-lived per-instance cache (AUTH_CACHE_MS); each case
  // reads first, so the old state is cached, and expects the change at once on this instance.
  describe('a change is seen at once, right after a read', () => {
    const me = (token: string) => t.http().get('/api/v1/me').set(bearer(token));

    it('a revoked session, a logged-out session, and every session after a password change', async () => {
      const user = await createUser(t);
      const [a, b, c] = [await signedIn(t, user), await signedIn(t, user), await signedIn(t, user)];
      for (const session of [a, b, c]) await me(session.accessToken).expect(200);

      await t.http().delete(`/api/v1/me/sessions/${b.sessionId}`).set(bearer(a.accessToken)).expect(204);
      expect((await me(b.accessToken)).status).toBe(401);

      await t.http().post('/api/v1/auth/logout').set(bearer(c.accessToken)).send({}).expect(204);
      expect((await me(c.accessToken)).status).toBe(401);

      const d = await signedIn(t, user);
      await me(d.accessToken).expect(200);
      await t
        .http()
        .post('/api/v1/me/password')
        .set(bearer(a.accessToken))
        .send({ currentPassword: user.password, newPassword: 'an entirely new passphrase 42' })
        .expect(204);
      expect((await me(d.accessToken)).status).toBe(401);
    });

    it('a profile edit, a role change and a deactivation by an admin', async () => {
      const admin = await createUser(t, { roles: ['admin'] });
      const adminToken = (await signedIn(t, admin)).accessToken;
      const user = await createUser(t, { displayName: 'Before' });
      const token = (await signedIn(t, user)).accessToken;
      expect((await me(token).expect(200)).body).toMatchObject({ displayName: 'Before', roles: ['user'] });

      await t.http().patch('/api/v1/me').set(bearer(token)).send({ displayName: 'After' }).expect(200);
      expect((await me(token).expect(200)).body.displayName).toBe('After');

      await t
        .http()
        .put(`/api/v1/admin/users/${user.id}/roles`)
        .set(bearer(adminToken))
        .send({ roles: ['user', 'admin'] })
        .expect(200);
      expect((await me(token).expect(200)).body.roles).toEqual(['admin', 'user']);

      await t.http().patch(`/api/v1/admin/users/${user.id}`).set(bearer(adminToken)).send({ isActive: false }).expect(200);
      expect((await me(token)).status).toBe(401);
    });
  });
});
