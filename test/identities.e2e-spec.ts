import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { bearer, createUser, login, signedIn } from './support/accounts';
import { advanceClock, freshEmail, freshPhone, outboxTo } from './support/code-flows';
import { FirebaseEmulator, startFirebaseEmulator } from './support/firebase-emulator';
import { startTestApp, TestApp } from './support/test-app';

const PROBLEM_JSON = /^application\/problem\+json/;
const NEW_PASSWORD = 'a brand new passphrase';

interface Identity {
  id: string;
  provider: string;
  providerUserId: string;
  phone: string | null;
  hasPassword: boolean;
}

describe('linked sign-in methods of my account', () => {
  let fb: FirebaseEmulator;
  let t: TestApp;

  before(async () => {
    fb = await startFirebaseEmulator();
    t = await startTestApp({ FIREBASE_PROJECT_ID: fb.projectId, FIREBASE_AUTH_EMULATOR_HOST: fb.host });
  });
  after(async () => {
    await t?.close();
    await fb?.stop();
  });

  const firebaseSignIn = (idToken: string) => t.http().post('/api/v1/auth/firebase').send({ idToken });
  const link = (token: string, body: Record<string, unknown>) => t.http().post('/api/v1/auth/firebase/link').set(bearer(token)).send(body);
  const identities = async (token: string): Promise<Identity[]> =>
    (await t.http().get('/api/v1/me/identities').set(bearer(token)).expect(200)).body.items;
  /** Without `body` the DELETE carries none, as most clients send it. */
  const unlink = (token: string, id: string, body?: Record<string, unknown>) => {
    const request = t.http().delete(`/api/v1/me/identities/${id}`).set(bearer(token));
    return body ? request.send(body) : request;
  };
  const setPassword = (token: string, newPassword: string) =>
    t.http().post('/api/v1/me/password/set').set(bearer(token)).send({ newPassword });
  const expectProblem = (response: Response, status: number, code: string) => {
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
  };
  const auditOf = async (userId: string, action: string) =>
    (await t.app
      .get(DataSource)
      .query('SELECT success, error_code AS errorCode, metadata FROM audit_logs WHERE user_id = ? AND action = ? ORDER BY created_at, id', [
        userId,
        action,
      ])) as { success: unknown; errorCode: string | null; metadata: unknown }[];
  /** A Firebase-only account, created by a phone sign-in. */
  const firebaseAccount = async () => {
    const phone = freshPhone();
    const firebase = await fb.signInWithPhone(phone);
    const created = await firebaseSignIn(firebase.idToken).expect(201);
    return { phone, uid: firebase.uid, token: created.body.accessToken as string, userId: created.body.user.id as string };
  };

  it('documents every route in the OpenAPI description, with bearer security and its problems', async () => {
    const paths = (await t.http().get('/docs-json').expect(200)).body.paths;
    const operations: [string, string, string[]][] = [
      ['/api/v1/me/identities', 'get', ['401']],
      ['/api/v1/me/identities/{id}', 'delete', ['401', '403', '404', '409']],
      ['/api/v1/auth/firebase/link', 'post', ['401', '403', '409']],
      ['/api/v1/me/password/set', 'post', ['400', '401', '403', '409']],
    ];
    for (const [path, method, problems] of operations) {
      expect({ path, security: paths[path]?.[method]?.security }).toEqual({ path, security: [{ bearer: [] }] });
      for (const status of problems) expect(paths[path][method].responses).toHaveProperty(status);
    }
    expect(paths['/api/v1/auth/firebase'].post.security).toBeUndefined();
    expect(Object.keys(paths['/api/v1/auth/firebase'].post.responses)).toEqual(expect.arrayContaining(['200', '201', '401', '409']));
  });

  it('lists each method with its provider, contacts and times, and never a hash', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    const phone = freshPhone();
    const firebase = await fb.signInWithPhone(phone);
    await link(accessToken, { idToken: firebase.idToken }).expect(200);

    const listed = await t.http().get('/api/v1/me/identities').set(bearer(accessToken)).expect(200);
    expect(listed.body.nextCursor).toBeNull();
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        provider: 'local',
        displayName: 'Password',
        email: user.email,
        username: user.username,
        hasPassword: true,
        lastUsedAt: expect.any(String),
        linkedAt: expect.any(String),
      }),
      expect.objectContaining({
        provider: 'firebase',
        displayName: 'Firebase',
        providerUserId: firebase.uid,
        phone,
        verified: true,
        hasPassword: false,
        lastUsedAt: null,
      }),
    ]);
    expect(JSON.stringify(listed.body)).not.toMatch(/argon2|passwordHash|idToken/);
  });

  it('links a Firebase user while signed in; it then signs in to this account, and linking again changes nothing', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    const firebase = await fb.signUpWithEmail(freshEmail());
    const linked = await link(accessToken, { idToken: firebase.idToken });
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ provider: 'firebase', providerUserId: firebase.uid });

    const again = await link(accessToken, { idToken: firebase.idToken });
    expect({ status: again.status, id: again.body.id }).toEqual({ status: 200, id: linked.body.id });
    const signIn = await firebaseSignIn(firebase.idToken);
    expect({ status: signIn.status, id: signIn.body.user.id }).toEqual({ status: 200, id: user.id });
    const audit = await auditOf(user.id, 'identity.linked');
    expect(audit.map((row) => Boolean(Number(row.success)))).toEqual([true]);
    expect(JSON.stringify(audit)).not.toContain(firebase.idToken.split('.')[1]);
  });

  it('refuses to link a Firebase user of another account with 409, and nothing moves', async () => {
    const owner = await firebaseAccount();
    const other = await createUser(t);
    const { accessToken } = await signedIn(t, other);
    const firebase = await fb.signInWithPhone(owner.phone);
    expectProblem(await link(accessToken, { idToken: firebase.idToken }), 409, 'identity_linked_elsewhere');
    expect((await identities(accessToken)).map((identity) => identity.provider)).toEqual(['local']);
    const signIn = await firebaseSignIn((await fb.signInWithPhone(owner.phone)).idToken);
    expect({ status: signIn.status, id: signIn.body.user.id }).toEqual({ status: 200, id: owner.userId });
    expect((await auditOf(other.id, 'identity.linked')).map((row) => row.errorCode)).toEqual(['identity_linked_elsewhere']);
  });

  it('refuses a second Firebase user for an account that has one, and bad tokens with 401', async () => {
    const account = await firebaseAccount();
    const second = await fb.signInWithPhone(freshPhone());
    expectProblem(await link(account.token, { idToken: second.idToken }), 409, 'provider_already_linked');
    expectProblem(await link(account.token, { idToken: 'garbage' }), 401, 'invalid_firebase_token');
    expect((await link('x', { idToken: second.idToken })).status).toBe(401);
  });

  it('unlinks a method while another remains, and refuses the last one with 409', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    const phone = freshPhone();
    const firebase = await fb.signInWithPhone(phone);
    const linked = await link(accessToken, { idToken: firebase.idToken }).expect(200);

    await unlink(accessToken, linked.body.id).expect(204);
    expect((await identities(accessToken)).map((identity) => identity.provider)).toEqual(['local']);
    expect((await auditOf(user.id, 'identity.unlinked')).map((row) => Boolean(Number(row.success)))).toEqual([true]);
    // The Firebase user no longer opens this account.
    const fresh = await firebaseSignIn((await fb.signInWithPhone(phone)).idToken);
    expect(fresh.status).toBe(201);
    expect(fresh.body.user.id).not.toBe(user.id);

    const [local] = await identities(accessToken);
    expectProblem(await unlink(accessToken, local.id), 409, 'last_sign_in_method');
    expect((await login(t, user.email, user.password)).status).toBe(200);
  });

  it('refuses to unlink the only method of a Firebase-only account, and another account’s method is not found', async () => {
    const account = await firebaseAccount();
    const [only] = await identities(account.token);
    expectProblem(await unlink(account.token, only.id), 409, 'last_sign_in_method');
    expect(await identities(account.token)).toHaveLength(1);

    const stranger = await createUser(t);
    const { accessToken } = await signedIn(t, stranger);
    expectProblem(await unlink(accessToken, only.id), 404, 'not_found');
    expect(await identities(account.token)).toHaveLength(1);
  });

  it('adds a password to an account without one; it signs in with it, and the Firebase method may then go', async () => {
    const account = await firebaseAccount();
    expectProblem(await setPassword(account.token, 'short'), 400, 'validation_failed');
    expectProblem(await setPassword(account.token, `my number ${account.phone.slice(1)}`), 400, 'validation_failed');
    await setPassword(account.token, NEW_PASSWORD).expect(204);

    const byPassword = await login(t, account.phone, NEW_PASSWORD);
    expect({ status: byPassword.status, id: byPassword.body.user?.id }).toEqual({ status: 200, id: account.userId });
    expectProblem(await setPassword(account.token, 'another long passphrase'), 409, 'password_already_set');
    expect((await outboxTo(t, account.phone)).map((message) => message.template)).toEqual(['password_changed']);

    const methods = await identities(account.token);
    expect(methods.map((identity) => [identity.provider, identity.hasPassword])).toEqual([
      ['firebase', false],
      ['local', true],
    ]);
    await unlink(account.token, methods[0].id).expect(204);
    expect((await login(t, account.phone, NEW_PASSWORD)).status).toBe(200);
  });

  // Moves the service clock past REAUTH_WINDOW for the rest of the suite, so it runs last.
  it('needs a recent sign-in or the current password to link, unlink or add a password', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    const firebase = await fb.signInWithPhone(freshPhone());
    const linked = await link(accessToken, { idToken: firebase.idToken }).expect(200);
    const account = await firebaseAccount();
    advanceClock(t, 301);

    expectProblem(await unlink(accessToken, linked.body.id), 401, 'reauthentication_required');
    expectProblem(await unlink(accessToken, linked.body.id, { currentPassword: 'wrong password' }), 403, 'current_password_incorrect');
    expectProblem(await setPassword(account.token, NEW_PASSWORD), 401, 'reauthentication_required');
    const another = await fb.signInWithPhone(freshPhone());
    expectProblem(await link(account.token, { idToken: another.idToken }), 401, 'reauthentication_required');
    expect(await identities(account.token)).toHaveLength(1);

    await unlink(accessToken, linked.body.id, { currentPassword: user.password }).expect(204);
    expect((await identities(accessToken)).map((identity) => identity.provider)).toEqual(['local']);
  });
});
