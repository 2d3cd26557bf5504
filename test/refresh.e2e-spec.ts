import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { setTimeout as sleep } from 'node:timers/promises';
import { bearer, createUser, signedIn, TestUser } from './support/accounts';
import { startTestApp, TestApp } from './support/test-app';

describe('refresh rotation, reuse detection and logout', () => {
  let t: TestApp;
  let user: TestUser;

  before(async () => {
    // No grace window here, so a replay is always treated as theft; the grace has its own suite.
    t = await startTestApp({ REFRESH_REUSE_GRACE: '0' });
    user = await createUser(t);
  });
  after(() => t?.close());

  const refresh = (refreshToken: string) => t.http().post('/api/v1/auth/refresh').send({ refreshToken });
  const me = (accessToken: string) => t.http().get('/api/v1/me').set(bearer(accessToken));

  it('rotates: each refresh returns a new pair in the same session, and the new tokens work', async () => {
    const first = await signedIn(t, user);
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect(second.body.sessionId).toBe(first.sessionId);
    expect(second.body.user.id).toBe(user.id);
    await me(second.body.accessToken).expect(200);
    const third = await refresh(second.body.refreshToken);
    expect(third.status).toBe(200);
  });

  it('revokes the whole session when a rotated refresh token is presented again', async () => {
    const first = await signedIn(t, user);
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    await sleep(5);

    const replay = await refresh(first.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('refresh_token_reused');

    // The legitimate holder's newer tokens die with the session.
    const afterTheft = await refresh(second.body.refreshToken);
    expect(afterTheft.status).toBe(401);
    expect(afterTheft.body.code).toBe('invalid_refresh_token');
    expect((await me(second.body.accessToken)).status).toBe(401);
  });

  it('lets exactly one of many concurrent refreshes with one token succeed', async () => {
    const first = await signedIn(t, user);
    const results = await Promise.all(Array.from({ length: 8 }, () => refresh(first.refreshToken)));
    const statuses = results.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    for (const status of statuses) expect([200, 401, 409]).toContain(status);
  });

  it('refuses unknown and malformed refresh tokens', async () => {
    const unknown = await refresh('x'.repeat(43));
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('invalid_refresh_token');
    const malformed = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: 12 });
    expect(malformed.status).toBe(400);
  });

  it('logout ends the current session: its access and refresh tokens are refused', async () => {
    const tokens = await signedIn(t, user);
    const other = await signedIn(t, user);
    await t.http().post('/api/v1/auth/logout').set(bearer(tokens.accessToken)).send({}).expect(204);
    expect((await me(tokens.accessToken)).status).toBe(401);
    expect((await refresh(tokens.refreshToken)).status).toBe(401);
    await me(other.accessToken).expect(200);
  });

  it('logout with allSessions ends every session of the user', async () => {
    const a = await signedIn(t, user);
    const b = await signedIn(t, user);
    await t.http().post('/api/v1/auth/logout').set(bearer(a.accessToken)).send({ allSessions: true }).expect(204);
    for (const tokens of [a, b]) {
      expect((await me(tokens.accessToken)).status).toBe(401);
      expect((await refresh(tokens.refreshToken)).status).toBe(401);
    }
  });

  it('logout needs an access token', async () => {
    const response = await t.http().post('/api/v1/auth/logout').send({});
    expect(response.status).toBe(401);
  });
});

describe('refresh reuse grace window', () => {
  let t: TestApp;
  let user: TestUser;

  before(async () => {
    t = await startTestApp({ REFRESH_REUSE_GRACE: '10' });
    user = await createUser(t);
  });
  after(() => t?.close());

  it('answers a just-rotated token with 409 and keeps the session alive', async () => {
    const first = await signedIn(t, user);
    const second = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken });
    expect(second.status).toBe(200);
    const racing = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken });
    expect(racing.status).toBe(409);
    expect(racing.body.code).toBe('refresh_token_already_rotated');
    // Neither succeeded nor revoked: the winner's tokens still work.
    await t.http().get('/api/v1/me').set(bearer(second.body.accessToken)).expect(200);
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: second.body.refreshToken }).expect(200);
  });
});

describe('refresh expiry', () => {
  let t: TestApp;
  let user: TestUser;

  before(async () => {
    t = await startTestApp({ REFRESH_IDLE_TTL: '2', REFRESH_TOKEN_TTL: '4' });
    user = await createUser(t);
  });
  after(() => t?.close());

  it('expires an unused refresh token after the idle time', async () => {
    const tokens = await signedIn(t, user);
    await sleep(2200);
    const response = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: tokens.refreshToken });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('invalid_refresh_token');
  });

  it('ends the session at its absolute expiry even when refreshed in time', async () => {
    const tokens = await signedIn(t, user);
    await sleep(1500);
    const once = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: tokens.refreshToken });
    expect(once.status).toBe(200);
    expect(once.body.refreshExpiresIn).toBeLessThanOrEqual(3);
    await sleep(1500);
    const twice = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: once.body.refreshToken });
    expect(twice.status).toBe(200);
    await sleep(1200);
    const late = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: twice.body.refreshToken });
    expect(late.status).toBe(401);
    expect((await t.http().get('/api/v1/me').set(bearer(twice.body.accessToken))).status).toBe(401);
  });
});
