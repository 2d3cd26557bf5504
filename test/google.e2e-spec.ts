import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { DataSource } from 'typeorm';
import { AuthProviderEntity, UserAuthEntity } from '@identity/auth-core';
import { Clock } from '@identity/common';
import { bearer, countRows, createUser, signedIn } from './support/accounts';
import { captureLogs, LogCapture } from './support/log-capture';
import {
  authorizeAt,
  beginRedirect,
  CLIENT_REDIRECT,
  clientReturn,
  LocalProvider,
  NATIVE_REDIRECT,
  REDIRECT_ALLOWLIST,
  redirectSignIn,
  returnToCallback,
  startLocalProvider,
} from './support/oauth-provider';
import { startTestApp, TestApp } from './support/test-app';

const PROBLEM_JSON = /^application\/problem\+json/;
let n = 0;
const person = (overrides: Record<string, unknown> = {}) => {
  n += 1;
  const id = `${process.pid}${Date.now() % 100000}${n}`;
  return { sub: `g-${id}`, email: `g${id}@gmail.test`, email_verified: true, name: `Google Person ${n}`, ...overrides };
};

describe('Google sign-in', () => {
  let google: LocalProvider;
  let t: TestApp;
  let logs: LogCapture;
  /** Every code and state the flows produced, to prove none lands in a log or the audit trail. */
  const secrets: string[] = [];

  before(async () => {
    google = await startLocalProvider();
    t = await startTestApp({ ...google.env('GOOGLE'), REDIRECT_ALLOWLIST });
    logs = captureLogs(t);
  });
  after(async () => {
    await t?.close();
    await google?.stop();
  });

  const exchange = (code: string) => t.http().post('/api/v1/auth/exchange').send({ code });

  /** Start to callback; returns where the browser lands at the client. */
  async function throughCallback(query: Record<string, string> = { redirect_uri: CLIENT_REDIRECT }, headers: Record<string, string> = {}) {
    const started = await beginRedirect(t, 'google', query, headers);
    const callback = await authorizeAt(started.authorizeUrl);
    secrets.push(callback.searchParams.get('state')!, callback.searchParams.get('code')!);
    const back = clientReturn(await returnToCallback(t, callback, started.cookie));
    if (back.searchParams.get('code')) secrets.push(back.searchParams.get('code')!);
    return { started, callback, back };
  }

  describe('redirect flow', () => {
    it('creates the account on first sign-in, finds it on the next, and hands tokens only to the exchange', async () => {
      google.user = person();
      const sessionsBefore = await countRows(t, 'sessions');
      const { started, back } = await throughCallback();

      expect(started.authorizeUrl.origin).toBe(google.url);
      const params = started.authorizeUrl.searchParams;
      expect(params.get('code_challenge_method')).toBe('S256');
      expect(params.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(params.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(params.get('redirect_uri')).toBe('http://identity.test/api/v1/auth/google/callback');
      expect(started.cookie).toMatch(/^identity_oauth=/);

      expect(`${back.origin}${back.pathname}`).toBe(CLIENT_REDIRECT);
      expect([...back.searchParams.keys()]).toEqual(['code']);
      expect(await countRows(t, 'sessions')).toBe(sessionsBefore);

      const created = await exchange(back.searchParams.get('code')!).expect(201);
      expect(created.body).toMatchObject({ tokenType: 'Bearer', user: { email: google.user.email, emailVerified: true } });
      expect(created.body.user.displayName).toBe(google.user.name);

      const again = await redirectSignIn(t, 'google');
      expect(again.status).toBe(200);
      expect(again.body.user.id).toBe(created.body.user.id);
      const me = await t.http().get('/api/v1/me').set(bearer(again.body.accessToken)).expect(200);
      expect(me.body.id).toBe(created.body.user.id);
    });

    it('sends a PKCE verifier that matches the challenge, and fails when they differ', async () => {
      google.user = person();
      const { started, callback } = await throughCallback();
      const request = google.tokenRequests.find((body) => body.code === callback.searchParams.get('code'))!;
      const challenge = createHash('sha256').update(request.code_verifier).digest('base64url');
      expect(challenge).toBe(started.authorizeUrl.searchParams.get('code_challenge'));
      expect(request.client_id).toBe('google-client');

      // Someone swaps the challenge on the way to the provider: our verifier no longer fits.
      const swapped = await beginRedirect(t, 'google');
      swapped.authorizeUrl.searchParams.set('code_challenge', createHash('sha256').update('x'.repeat(43)).digest('base64url'));
      const sessions = await countRows(t, 'sessions');
      const back = clientReturn(await returnToCallback(t, await authorizeAt(swapped.authorizeUrl), swapped.cookie));
      expect(back.searchParams.get('error')).toBe('provider_error');
      expect(back.searchParams.get('code')).toBeNull();
      expect(await countRows(t, 'sessions')).toBe(sessions);
    });

    it('refuses a missing or forged state with problem+json', async () => {
      const missing = await t.http().get('/api/v1/auth/google/callback?code=abc').expect(400);
      expect(missing.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(missing.body.code).toBe('invalid_state');
      const started = await beginRedirect(t, 'google');
      const forged = await t
        .http()
        .get('/api/v1/auth/google/callback')
        .query({ code: 'abc', state: 'A'.repeat(43) })
        .set('Cookie', started.cookie!)
        .expect(400);
      expect(forged.body.code).toBe('invalid_state');
    });

    it('refuses a callback without the browser cookie, or from another browser, and opens no session', async () => {
      google.user = person();
      const sessions = await countRows(t, 'sessions');
      const started = await beginRedirect(t, 'google');
      const callback = await authorizeAt(started.authorizeUrl);
      const bare = clientReturn(await returnToCallback(t, callback, null));
      expect(bare.searchParams.get('error')).toBe('invalid_state');
      const other = await beginRedirect(t, 'google');
      const foreign = clientReturn(await returnToCallback(t, callback, other.cookie));
      expect(foreign.searchParams.get('error')).toBe('invalid_state');
      expect(await countRows(t, 'sessions')).toBe(sessions);
    });

    it('refuses a reused state and a replayed authorization code', async () => {
      google.user = person();
      const started = await beginRedirect(t, 'google');
      const callback = await authorizeAt(started.authorizeUrl);
      clientReturn(await returnToCallback(t, callback, started.cookie));
      const sessions = await countRows(t, 'sessions');

      const replay = clientReturn(await returnToCallback(t, callback, started.cookie));
      expect(replay.searchParams.get('error')).toBe('invalid_state');

      // The old authorization code smuggled into a fresh flow of the same browser.
      const fresh = await beginRedirect(t, 'google', { redirect_uri: CLIENT_REDIRECT }, { Cookie: started.cookie! });
      const freshCallback = await authorizeAt(fresh.authorizeUrl);
      freshCallback.searchParams.set('code', callback.searchParams.get('code')!);
      const smuggled = clientReturn(await returnToCallback(t, freshCallback, started.cookie));
      expect(smuggled.searchParams.get('error')).toBe('provider_error');
      expect(await countRows(t, 'sessions')).toBe(sessions);
    });

    it('returns the provider refusal to the client without a code', async () => {
      const started = await beginRedirect(t, 'google');
      const callback = await authorizeAt(started.authorizeUrl);
      callback.searchParams.delete('code');
      callback.searchParams.set('error', 'access_denied');
      const back = clientReturn(await returnToCallback(t, callback, started.cookie));
      expect(back.searchParams.get('error')).toBe('access_denied');
    });

    it('accepts a one-time code once', async () => {
      google.user = person();
      const { back } = await throughCallback();
      const code = back.searchParams.get('code')!;
      await exchange(code).expect(201);
      const sessions = await countRows(t, 'sessions');
      const replayed = await exchange(code).expect(401);
      expect(replayed.body.code).toBe('invalid_exchange_code');
      expect(replayed.headers['content-type']).toMatch(PROBLEM_JSON);

      expect((await exchange('B'.repeat(43)).expect(401)).body.code).toBe('invalid_exchange_code');
      expect(await countRows(t, 'sessions')).toBe(sessions);
    });

    it('returns to a native app scheme on the allow-list, keeping nothing else', async () => {
      google.user = person();
      const { back } = await throughCallback({ redirect_uri: NATIVE_REDIRECT });
      expect(back.protocol).toBe('com.example.app:');
      await exchange(back.searchParams.get('code')!).expect(201);
    });

    it('refuses return URLs that are not exactly on the allow-list, before any flow starts', async () => {
      const flows = await countRows(t, 'redirect_flows');
      for (const redirectUri of [
        '//evil.example/auth/done',
        'https://app.example.com.evil.example/auth/done',
        'https://app.example.com@evil.example/auth/done',
        'javascript:alert(1)',
        'https://app.example.com/auth/done/../../evil',
        'https://app.example.com/auth/done?next=evil',
        'https://APP.example.com/auth/done',
        '',
      ]) {
        for (const route of ['/api/v1/auth/google', '/api/v1/auth/google/url']) {
          const response = await t.http().get(route).query({ redirect_uri: redirectUri });
          expect({ redirectUri, route, status: response.status }).toEqual({ redirectUri, route, status: 400 });
          expect(response.headers['set-cookie']).toBeUndefined();
          expect(response.headers.location).toBeUndefined();
        }
      }
      expect(await countRows(t, 'redirect_flows')).toBe(flows);
    });

    it('gives single-page apps the provider URL as JSON, with the binding cookie', async () => {
      const response = await t.http().get('/api/v1/auth/google/url').query({ redirect_uri: CLIENT_REDIRECT }).expect(200);
      expect(new URL(response.body.url).origin).toBe(google.url);
      expect(response.headers['set-cookie'][0]).toMatch(/^identity_oauth=[^;]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
    });
  });

  describe('linking policy', () => {
    it('does not match an unverified provider email against accounts: a separate account without it', async () => {
      const owner = await createUser(t);
      google.user = person({ email: owner.email, email_verified: false });
      const { back } = await throughCallback();
      expect(back.searchParams.get('error')).toBeNull();
      const viaRedirect = await exchange(back.searchParams.get('code')!).expect(201);
      expect(viaRedirect.body.user).toMatchObject({ email: null, emailVerified: false });
      expect(viaRedirect.body.user.id).not.toBe(owner.id);

      // The ID-token route answers an address someone holds exactly as one nobody holds.
      const onTaken = await google.idToken({ ...person({ email: owner.email, email_verified: false }), aud: 'google-client' });
      const onFree = await google.idToken({ ...person({ email_verified: false }), aud: 'google-client' });
      const answers = await Promise.all([onTaken, onFree].map((idToken) => t.http().post('/api/v1/auth/google').send({ idToken })));
      expect(answers.map((r) => [r.status, r.body.user.email, Object.keys(r.body).sort().join()])).toEqual([
        [201, null, Object.keys(answers[1].body).sort().join()],
        [201, null, Object.keys(answers[0].body).sort().join()],
      ]);
      expect(await t.app.get(DataSource).getRepository(UserAuthEntity).countBy({ userId: owner.id })).toBe(1);
    });

    it('links a verified provider email to an account whose email is verified', async () => {
      const owner = await createUser(t);
      google.user = person({ email: owner.email });
      const response = await redirectSignIn(t, 'google');
      expect(response.status).toBe(200);
      expect(response.body.user.id).toBe(owner.id);
    });

    it('keeps the same account when the Google email changes', async () => {
      google.user = person();
      const first = await redirectSignIn(t, 'google');
      google.user = { ...google.user, email: `changed-${google.user.email}` };
      const second = await redirectSignIn(t, 'google');
      expect(second.status).toBe(200);
      expect(second.body.user.id).toBe(first.body.user.id);
    });

    it('links Google to the signed-in account on request', async () => {
      const owner = await createUser(t);
      const tokens = await signedIn(t, owner);
      google.user = person({ email: `other-${owner.email}` });
      const { back } = await throughCallback({ redirect_uri: CLIENT_REDIRECT, intent: 'link' }, bearer(tokens.accessToken));
      expect(Object.fromEntries(back.searchParams)).toEqual({ linked: 'google' });
      const signIn = await redirectSignIn(t, 'google');
      expect(signIn.status).toBe(200);
      expect(signIn.body.user.id).toBe(owner.id);
    });

    it('refuses to link an identity that belongs to another account, moving nothing', async () => {
      google.user = person();
      const holder = await redirectSignIn(t, 'google');
      const other = await createUser(t);
      const tokens = await signedIn(t, other);
      const { back } = await throughCallback({ redirect_uri: CLIENT_REDIRECT, intent: 'link' }, bearer(tokens.accessToken));
      expect(back.searchParams.get('error')).toBe('identity_linked_elsewhere');
      const again = await redirectSignIn(t, 'google');
      expect(again.body.user.id).toBe(holder.body.user.id);
      const provider = await t.app.get(DataSource).getRepository(AuthProviderEntity).findOneByOrFail({ name: 'google' });
      expect(await t.app.get(DataSource).getRepository(UserAuthEntity).countBy({ userId: other.id, authProviderId: provider.id })).toBe(0);
    });
  });

  describe('ID token from a native app', () => {
    const signIn = (body: Record<string, unknown>) => t.http().post('/api/v1/auth/google').send(body);

    it('signs in with a valid token, creating then finding the account', async () => {
      const claims = person();
      const idToken = await google.idToken({ ...claims, aud: 'google-client' });
      const created = await signIn({ idToken }).expect(201);
      expect(created.body.user.email).toBe(claims.email);
      const found = await signIn({
        idToken: await google.idToken({ ...claims, aud: 'google-client', nonce: 'n-12345678' }),
        nonce: 'n-12345678',
      });
      expect(found.status).toBe(200);
      expect(found.body.user.id).toBe(created.body.user.id);
    });

    it('refuses a token for another audience, issuer, an expired one, a nonce mismatch and garbage', async () => {
      const claims = person();
      const sessions = await countRows(t, 'sessions');
      const refused = [
        await google.idToken({ ...claims, aud: 'someone-else' }),
        await google.idToken({ ...claims, aud: 'google-client', iss: 'https://evil.example' }),
        await google.idToken({ ...claims, aud: 'google-client' }, { expiresIn: -3600 }),
        'garbage.garbage.garbage-garbage',
      ];
      for (const idToken of refused) {
        const response = await signIn({ idToken });
        expect({ status: response.status, code: response.body.code }).toEqual({ status: 401, code: 'invalid_id_token' });
        expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      }
      const withNonce = await google.idToken({ ...claims, aud: 'google-client', nonce: 'n-aaaaaaaa' });
      expect((await signIn({ idToken: withNonce, nonce: 'n-bbbbbbbb' })).status).toBe(401);
      expect(await countRows(t, 'sessions')).toBe(sessions);
    });
  });

  it('writes no state, authorization code or one-time code to the log or the audit trail', async () => {
    expect(secrets.length).toBeGreaterThan(10);
    const audit = JSON.stringify(await t.app.get(DataSource).query('SELECT * FROM audit_logs'));
    for (const secret of secrets) {
      expect(logs.lines.filter((line) => line.includes(secret))).toEqual([]);
      expect(audit.includes(secret)).toBe(false);
    }
    const actions = (
      await t.app.get(DataSource).query("SELECT DISTINCT action FROM audit_logs WHERE action LIKE 'identity.%' OR action LIKE 'login.%'")
    ).map((row: { action: string }) => row.action);
    expect(actions).toEqual(expect.arrayContaining(['login.succeeded', 'login.failed', 'identity.linked', 'identity.link_failed']));
  });
});

describe('Google without a client id', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ REDIRECT_ALLOWLIST });
  });
  after(() => t?.close());

  it('is neither listed nor served', async () => {
    const listed = await t.http().get('/api/v1/auth/providers').expect(200);
    expect(listed.body.map((provider: { id: string }) => provider.id)).not.toContain('google');
    await t.http().get('/api/v1/auth/google').query({ redirect_uri: CLIENT_REDIRECT }).expect(404);
    await t
      .http()
      .post('/api/v1/auth/google')
      .send({ idToken: 'x'.repeat(40) })
      .expect(404);
  });
});

describe('Google sign-in over time', () => {
  let google: LocalProvider;
  let t: TestApp;

  // Each test moves the service clock forward; sessions keep real time, so these share no app
  // with tests that need a fresh sign-in.
  before(async () => {
    google = await startLocalProvider();
    t = await startTestApp({ ...google.env('GOOGLE'), REDIRECT_ALLOWLIST });
  });
  after(async () => {
    await t?.close();
    await google?.stop();
  });

  it('refuses a one-time code after 60 seconds', async () => {
    google.user = person();
    const started = await beginRedirect(t, 'google');
    const back = clientReturn(await returnToCallback(t, await authorizeAt(started.authorizeUrl), started.cookie));
    t.app.get(Clock).offsetMs += 61_000;
    const late = await t
      .http()
      .post('/api/v1/auth/exchange')
      .send({ code: back.searchParams.get('code') })
      .expect(401);
    expect(late.body.code).toBe('invalid_exchange_code');
  });

  it('refuses an expired flow', async () => {
    google.user = person();
    const started = await beginRedirect(t, 'google');
    const callback = await authorizeAt(started.authorizeUrl);
    t.app.get(Clock).offsetMs += 601_000;
    const back = clientReturn(await returnToCallback(t, callback, started.cookie));
    expect(back.searchParams.get('error')).toBe('invalid_state');
  });

  it('starts a link only with a valid bearer token of a recent sign-in', async () => {
    const query = { redirect_uri: CLIENT_REDIRECT, intent: 'link' };
    expect((await t.http().get('/api/v1/auth/google/url').query(query).expect(401)).body.code).toBe('unauthenticated');
    const owner = await createUser(t);
    const tokens = await signedIn(t, owner);
    t.app.get(Clock).offsetMs += 3600_000;
    const stale = await t.http().get('/api/v1/auth/google/url').query(query).set(bearer(tokens.accessToken));
    expect({ status: stale.status, code: stale.body.code }).toEqual({ status: 401, code: 'reauthentication_required' });
  });
});
