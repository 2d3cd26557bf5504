import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { ContractApp, describeProviderContract } from '@identity/auth-core/testing';
import { newId } from '@identity/common';
import { RoleEntity } from '@identity/rbac';
import { bearer, countRows, createUser, deactivate } from './support/accounts';
import { freshEmail, freshPhone } from './support/code-flows';
import { claimsOf, FirebaseEmulator, startFirebaseEmulator, withClaims } from './support/firebase-emulator';
import { captureLogs, LogCapture } from './support/log-capture';
import { startTestApp, TestApp } from './support/test-app';

const PROBLEM_JSON = /^application\/problem\+json/;

// One emulator for the whole file: it takes seconds to start, and every test uses fresh users.
let emulator: FirebaseEmulator | undefined;
const firebaseEmulator = async () => (emulator ??= await startFirebaseEmulator());
after(() => emulator?.stop());

async function startWithFirebase(env: Record<string, string> = {}): Promise<TestApp> {
  const { projectId, host } = await firebaseEmulator();
  return startTestApp({ FIREBASE_PROJECT_ID: projectId, FIREBASE_AUTH_EMULATOR_HOST: host, ...env });
}

describe('sign-in with a Firebase ID token', () => {
  let t: TestApp;
  let fb: FirebaseEmulator;
  let logs: LogCapture;

  before(async () => {
    fb = await firebaseEmulator();
    t = await startWithFirebase({ LOG_LEVEL: 'verbose' });
    logs = captureLogs(t);
    await t.app
      .get(DataSource)
      .getRepository(RoleEntity)
      .insert({ id: newId(), name: 'student', description: null, permissions: [], isSystem: false, selfAssignable: true });
  });
  after(() => t?.close());

  const signIn = (body: Record<string, unknown>) => t.http().post('/api/v1/auth/firebase').send(body);
  const expectInvalidToken = (response: Response) => {
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 401, code: 'invalid_firebase_token' });
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
  };
  const firebaseRows = (where: string, value: string) =>
    t.app
      .get(DataSource)
      .query(
        `SELECT ua.provider_email AS email FROM user_auth ua JOIN auth_providers p ON p.id = ua.auth_provider_id WHERE p.name = 'firebase' AND ${where} = ?`,
        [value],
      ) as Promise<{ email: string | null }[]>;
  const identityEmail = async (uid: string) => (await firebaseRows('ua.provider_user_id', uid))[0]?.email;
  const firebaseIdentitiesOf = async (userId: string) => (await firebaseRows('ua.user_id', userId)).length;
  const firebaseIdentities = async (uid: string) =>
    Number(
      (
        await t.app
          .get(DataSource)
          .query(
            'SELECT COUNT(*) AS count FROM user_auth ua JOIN auth_providers p ON p.id = ua.auth_provider_id WHERE p.name = ? AND ua.provider_user_id = ?',
            ['firebase', uid],
          )
      )[0].count,
    );

  it('creates the account from a phone token (201) with the registration fields, then signs it in (200)', async () => {
    const phone = freshPhone();
    const { uid, idToken } = await fb.signInWithPhone(phone);
    const created = await signIn({
      idToken,
      displayName: 'Grace Hopper',
      email: 'GRACE@Example.org',
      profile: { academicYear: '2026', rollNumber: 'CS-7' },
      role: 'student',
    });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({
      phone,
      phoneVerified: true,
      // The body's address is unproven: it stays on the Firebase identity, not on the account.
      email: null,
      emailVerified: false,
      displayName: 'Grace Hopper',
      profile: { academicYear: '2026', rollNumber: 'CS-7' },
      roles: ['student', 'user'],
    });
    expect(await identityEmail(uid)).toBe('grace@example.org');

    const again = await signIn({ idToken: (await fb.signInWithPhone(phone)).idToken });
    expect(again.status).toBe(200);
    expect(again.body.user.id).toBe(created.body.user.id);
    expect(await firebaseIdentities(uid)).toBe(1);
    const me = await t.http().get('/api/v1/me').set(bearer(again.body.accessToken)).expect(200);
    expect(me.body).toMatchObject({ id: created.body.user.id, phone, roles: ['student', 'user'] });
  });

  it('creates the account from an email token, verified when the token says so', async () => {
    const email = freshEmail();
    const { idToken } = await fb.signUpWithEmail(email, { verified: true, displayName: 'Ada' });
    const created = await signIn({ idToken });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ email, emailVerified: true, displayName: 'Ada', phone: null });
    const again = await signIn({ idToken: (await fb.signInWithEmail(email)).idToken });
    expect({ status: again.status, id: again.body.user.id }).toEqual({ status: 200, id: created.body.user.id });

    const unverified = freshEmail();
    const plain = await signIn({ idToken: (await fb.signUpWithEmail(unverified)).idToken, displayName: 'Plain' });
    expect(plain.status).toBe(201);
    expect(plain.body.user).toMatchObject({ email: null, emailVerified: false, displayName: 'Plain' });
  });

  it('links to an account whose email both sides have verified, without a second user', async () => {
    const user = await createUser(t);
    const { uid, idToken } = await fb.signUpWithEmail(user.email, { verified: true });
    const linked = await signIn({ idToken });
    expect({ status: linked.status, id: linked.body.user.id }).toEqual({ status: 200, id: user.id });
    expect(await firebaseIdentities(uid)).toBe(1);
  });

  it('never matches an unverified email against accounts: the same new account whether or not one holds it', async () => {
    const user = await createUser(t);
    const sameShape = (response: Response) => ({
      status: response.status,
      keys: Object.keys(response.body).sort(),
      userKeys: Object.keys(response.body.user).sort(),
      user: (({ email, emailVerified, phone, displayName, roles }) => ({ email, emailVerified, phone, displayName, roles }))(
        response.body.user,
      ),
    });
    const taken = await fb.signUpWithEmail(user.email);
    const free = await fb.signUpWithEmail(freshEmail());
    const onTaken = await signIn({ idToken: taken.idToken, displayName: 'Someone' });
    const onFree = await signIn({ idToken: free.idToken, displayName: 'Someone' });
    expect(sameShape(onTaken)).toEqual(sameShape(onFree));
    expect(onTaken.status).toBe(201);
    expect(onTaken.body.user).toMatchObject({ email: null, emailVerified: false });
    expect(onTaken.body.user.id).not.toBe(user.id);
    // The same for an email only claimed in the body of a phone sign-in.
    const byPhone = await fb.signInWithPhone(freshPhone());
    const claimed = await signIn({ idToken: byPhone.idToken, email: user.email });
    expect({ status: claimed.status, email: claimed.body.user.email }).toEqual({ status: 201, email: null });
    // The account that holds the address is untouched and keeps it.
    expect(await firebaseIdentitiesOf(user.id)).toBe(0);
    const owner = await t.http().post('/api/v1/auth/login').send({ identifier: user.email, password: user.password }).expect(200);
    expect(owner.body.user).toMatchObject({ id: user.id, email: user.email });
  });

  it('refuses anonymous Firebase users with 403: no account, no session, audited', async () => {
    const [users, sessions] = [await countRows(t, 'users'), await countRows(t, 'sessions')];
    const { idToken } = await fb.signInAnonymously();
    const refused = await signIn({ idToken, displayName: 'Nobody' });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'firebase_anonymous_user' });
    expect(refused.headers['content-type']).toMatch(PROBLEM_JSON);
    expect([await countRows(t, 'users'), await countRows(t, 'sessions')]).toEqual([users, sessions]);
    const audited = await t.app
      .get(DataSource)
      .query("SELECT COUNT(*) AS count FROM audit_logs WHERE action = 'login.failed' AND error_code = 'firebase_anonymous_user'");
    expect(Number(audited[0].count)).toBe(1);
  });

  it('refuses a token of another project, an expired one and garbage with one 401, opening no session', async () => {
    const { idToken } = await fb.signInWithPhone(freshPhone());
    const now = Math.floor(Date.now() / 1000);
    const sessions = await countRows(t, 'sessions');
    const otherProject = withClaims(idToken, { aud: 'demo-other-project', iss: 'https://securetoken.google.com/demo-other-project' });
    const expired = withClaims(idToken, { iat: now - 7200, auth_time: now - 7200, exp: now - 3600 });
    const garbage = [`${idToken.split('.')[0]}.e30.`, 'aaaa.bbbb.cccc', 'not a token', withClaims(idToken, { sub: '' })];
    for (const token of [otherProject, expired, ...garbage]) {
      expectInvalidToken(await signIn({ idToken: token }));
    }
    expect(await countRows(t, 'sessions')).toBe(sessions);
    expect(claimsOf(idToken).aud).toBe(fb.projectId);
    expect((await signIn({})).status).toBe(400);
  });

  it('refuses revoked tokens and disabled Firebase users, also for a known account', async () => {
    const revoked = await fb.signInWithPhone(freshPhone());
    await signIn({ idToken: revoked.idToken }).expect(201);
    await fb.revokeTokens(revoked.uid);
    expectInvalidToken(await signIn({ idToken: revoked.idToken }));

    const disabled = await fb.signUpWithEmail(freshEmail(), { verified: true });
    await signIn({ idToken: disabled.idToken }).expect(201);
    await fb.disableUser(disabled.uid);
    expectInvalidToken(await signIn({ idToken: disabled.idToken }));

    const failures = await t.app
      .get(DataSource)
      .query("SELECT metadata FROM audit_logs WHERE action = 'login.failed' AND error_code = 'invalid_firebase_token'");
    const reasons = failures.map((row: { metadata: unknown }) => JSON.stringify(row.metadata));
    expect(reasons.join(' ')).toContain('auth/id-token-revoked');
    expect(reasons.join(' ')).toContain('auth/user-disabled');
  });

  it('validates the registration fields: a role nobody may pick is refused before anything is created', async () => {
    const { uid, idToken } = await fb.signInWithPhone(freshPhone());
    const refused = await signIn({ idToken, role: 'admin' });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 400, code: 'role_not_self_assignable' });
    const badProfile = await signIn({ idToken, profile: { nested: { no: 1 } } });
    expect(badProfile.status).toBe(400);
    const unknownField = await signIn({ idToken, password: 'x' });
    expect(unknownField.status).toBe(400);
    expect(await firebaseIdentities(uid)).toBe(0);
  });

  it('answers a deactivated account with 403 and no session', async () => {
    const { idToken, uid } = await fb.signInWithPhone(freshPhone());
    const created = await signIn({ idToken }).expect(201);
    await deactivate(t, created.body.user.id);
    const sessions = await countRows(t, 'sessions');
    const refused = await signIn({ idToken });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'account_disabled' });
    expect(await countRows(t, 'sessions')).toBe(sessions);
    expect(await firebaseIdentities(uid)).toBe(1);
  });

  it('signs one user in for concurrent first sign-ins of one Firebase user', async () => {
    const phone = freshPhone();
    const { uid, idToken } = await fb.signInWithPhone(phone);
    const answers = await Promise.all([signIn({ idToken }), signIn({ idToken }), signIn({ idToken })]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(answers.map((answer) => answer.body.user.id)).size).toBe(1);
    expect(await firebaseIdentities(uid)).toBe(1);
  });

  it('writes no ID token to the log, the audit log or an answer', async () => {
    const { idToken } = await fb.signInWithPhone(freshPhone());
    const created = await signIn({ idToken }).expect(201);
    expectInvalidToken(await signIn({ idToken: withClaims(idToken, { exp: 1 }) }));
    const signature = idToken.split('.')[1];
    expect(JSON.stringify(created.body)).not.toContain(signature);
    expect(logs.lines.join('\n')).not.toContain(signature);
    const audit = await t.app.get(DataSource).query('SELECT metadata FROM audit_logs');
    expect(JSON.stringify(audit)).not.toContain(signature);
  });
});

describe('Firebase configuration', () => {
  it('is unavailable without FIREBASE_PROJECT_ID: not listed, its routes answer 404', async () => {
    const t = await startTestApp({ FIREBASE_PROJECT_ID: undefined, FIREBASE_AUTH_EMULATOR_HOST: undefined });
    try {
      const listed = await t.http().get('/api/v1/auth/providers').expect(200);
      expect(listed.body.map((provider: { id: string }) => provider.id)).not.toContain('firebase');
      const response = await t.http().post('/api/v1/auth/firebase').send({ idToken: 'aaaa.bbbb.cccc' });
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 404, code: 'provider_disabled' });
    } finally {
      await t.close();
    }
  });

  it('answers 503 when Firebase cannot be reached, and records nothing as a bad token', async () => {
    const fb = await firebaseEmulator();
    const { idToken } = await fb.signInWithPhone(freshPhone());
    // A port nothing listens on: the revocation check cannot reach the emulator.
    const t = await startTestApp({ FIREBASE_PROJECT_ID: fb.projectId, FIREBASE_AUTH_EMULATOR_HOST: '127.0.0.1:9' });
    try {
      const response = await t.http().post('/api/v1/auth/firebase').send({ idToken });
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 503, code: 'firebase_unavailable' });
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(await countRows(t, 'users')).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('throttles sign-in attempts per client IP (RATE_LIMIT_EXCHANGE)', async () => {
    const t = await startWithFirebase({ RATE_LIMIT_ROUTES: 'true', RATE_LIMIT_EXCHANGE: 'ip=2/1m' });
    try {
      const attempt = () => t.http().post('/api/v1/auth/firebase').send({ idToken: 'garbage' });
      expect([(await attempt()).status, (await attempt()).status]).toEqual([401, 401]);
      const limited = await attempt();
      expect({ status: limited.status, code: limited.body.code }).toEqual({ status: 429, code: 'rate_limited' });
      expect(limited.headers['retry-after']).toBeDefined();
    } finally {
      await t.close();
    }
  });

  it('refuses to boot in production with the emulator switched on', async () => {
    await expect(
      startTestApp({ NODE_ENV: 'production', FIREBASE_PROJECT_ID: 'demo-prod', FIREBASE_AUTH_EMULATOR_HOST: '127.0.0.1:9099' }),
    ).rejects.toThrow(/FIREBASE_AUTH_EMULATOR_HOST must not be set in production/);
  });
});

describeProviderContract({
  id: 'firebase',
  routes: ['POST /api/v1/auth/firebase', 'POST /api/v1/auth/firebase/link'],
  otherProviderId: 'local',
  start: (env) => startWithFirebase(env) as Promise<ContractApp>,
  signIn: async (app) => {
    const { idToken } = await (await firebaseEmulator()).signInWithPhone(freshPhone());
    return app.http().post('/api/v1/auth/firebase').send({ idToken });
  },
  failedSignIn: async (app) => {
    const { idToken } = await (await firebaseEmulator()).signInWithPhone(freshPhone());
    return app
      .http()
      .post('/api/v1/auth/firebase')
      .send({ idToken: withClaims(idToken, { exp: 1 }) });
  },
});
