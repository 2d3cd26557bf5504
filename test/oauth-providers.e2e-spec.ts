import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createLocalJWKSet, decodeProtectedHeader, JWK, jwtVerify } from 'jose';
import { DataSource } from 'typeorm';
import { UserAuthEntity } from '@identity/auth-core';
import { assertValidConfig } from '../apps/identity-api/src/config-check';
import { bearer, countRows, createUser, signedIn } from './support/accounts';
import {
  authorizeAt,
  beginRedirect,
  CLIENT_REDIRECT,
  clientReturn,
  LocalProvider,
  REDIRECT_ALLOWLIST,
  redirectSignIn,
  returnToCallback,
  startLocalProvider,
} from './support/oauth-provider';
import { startTestApp, TestApp } from './support/test-app';

let n = 0;
const unique = () => `${process.pid}${Date.now() % 100000}${++n}`;

/** Facebook's Graph API `/me` shape, not OIDC claims. */
const facebookMe = (user: Record<string, unknown>) => ({
  id: user.sub,
  name: user.name,
  email: user.email,
  picture: { data: { url: 'https://graph.example/p.jpg' } },
});

/** Apple's key for signing the client secret, as downloaded from its developer account. */
function appleKeyFile(dir: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const file = join(dir, 'AuthKey_TESTKEY123.p8');
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { file, publicJwk: publicKey.export({ format: 'jwk' }) };
}

describe('Facebook and Apple sign-in', () => {
  let facebook: LocalProvider;
  let apple: LocalProvider;
  let t: TestApp;
  let keyDir: string;
  let applePublicJwk: JWK;

  before(async () => {
    facebook = await startLocalProvider();
    facebook.userinfo = facebookMe;
    apple = await startLocalProvider();
    keyDir = mkdtempSync(join(tmpdir(), 'apple-key-'));
    const key = appleKeyFile(keyDir);
    applePublicJwk = key.publicJwk as JWK;
    const appleEnv = apple.env('APPLE', 'com.example.service');
    delete appleEnv.APPLE_CLIENT_SECRET;
    // Apple has no userinfo endpoint: everything comes from its ID token.
    delete appleEnv.APPLE_USERINFO_URL;
    t = await startTestApp({
      ...facebook.env('FACEBOOK'),
      ...appleEnv,
      APPLE_TEAM_ID: 'TEAM123456',
      APPLE_KEY_ID: 'TESTKEY123',
      APPLE_PRIVATE_KEY_FILE: key.file,
      REDIRECT_ALLOWLIST,
    });
  });
  after(async () => {
    await t?.close();
    await facebook?.stop();
    await apple?.stop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  describe('facebook', () => {
    it('creates the account from the Graph profile, then finds it; the unverified email stays on the identity', async () => {
      facebook.user = { sub: `fb-${unique()}`, name: 'Face Book', email: `fb${unique()}@example.com` };
      const created = await redirectSignIn(t, 'facebook');
      expect(created.status).toBe(201);
      expect(created.body.user).toMatchObject({ email: null, emailVerified: false, displayName: 'Face Book' });
      expect(created.body.user.avatarUrl).toBe('https://graph.example/p.jpg');
      const again = await redirectSignIn(t, 'facebook');
      expect(again.status).toBe(200);
      expect(again.body.user.id).toBe(created.body.user.id);
      const request = facebook.tokenRequests.at(-1)!;
      expect(request).toMatchObject({ client_id: 'facebook-client', client_secret: 'facebook-secret', grant_type: 'authorization_code' });
      expect(request.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('does not link to an existing account by an email Facebook does not vouch for', async () => {
      const owner = await createUser(t);
      facebook.user = { sub: `fb-${unique()}`, name: 'Takeover', email: owner.email };
      const started = await beginRedirect(t, 'facebook');
      const back = clientReturn(await returnToCallback(t, await authorizeAt(started.authorizeUrl), started.cookie));
      // Not matched at all: a separate account without the address, as for an unknown one.
      expect(back.searchParams.get('error')).toBeNull();
      const created = await t
        .http()
        .post('/api/v1/auth/exchange')
        .send({ code: back.searchParams.get('code') })
        .expect(201);
      expect(created.body.user).toMatchObject({ email: null });
      expect(created.body.user.id).not.toBe(owner.id);
      expect(await t.app.get(DataSource).getRepository(UserAuthEntity).countBy({ userId: owner.id })).toBe(1);
    });

    it('links to the signed-in account on request, and refuses one linked elsewhere', async () => {
      const owner = await createUser(t);
      const tokens = await signedIn(t, owner);
      facebook.user = { sub: `fb-${unique()}`, name: 'Linked', email: owner.email };
      const started = await beginRedirect(t, 'facebook', { redirect_uri: CLIENT_REDIRECT, intent: 'link' }, bearer(tokens.accessToken));
      const back = clientReturn(await returnToCallback(t, await authorizeAt(started.authorizeUrl), started.cookie));
      expect(back.searchParams.get('linked')).toBe('facebook');
      expect((await redirectSignIn(t, 'facebook')).body.user.id).toBe(owner.id);

      const other = await createUser(t);
      const otherTokens = await signedIn(t, other);
      const stolen = await beginRedirect(t, 'facebook', { redirect_uri: CLIENT_REDIRECT, intent: 'link' }, bearer(otherTokens.accessToken));
      const refused = clientReturn(await returnToCallback(t, await authorizeAt(stolen.authorizeUrl), stolen.cookie));
      expect(refused.searchParams.get('error')).toBe('identity_linked_elsewhere');
      expect((await redirectSignIn(t, 'facebook')).body.user.id).toBe(owner.id);
    });
  });

  describe('apple', () => {
    it('asks for form_post and signs in through a POSTed callback, taking the name from the first authorization', async () => {
      apple.user = {
        sub: `ap-${unique()}.001`,
        email: `ap${unique()}@privaterelay.appleid.com`,
        email_verified: 'true',
        is_private_email: 'true',
      };
      const started = await beginRedirect(t, 'apple');
      expect(started.authorizeUrl.searchParams.get('response_mode')).toBe('form_post');
      expect(started.authorizeUrl.searchParams.get('scope')).toBe('name email');
      const callback = await authorizeAt(started.authorizeUrl);
      callback.searchParams.set('user', JSON.stringify({ name: { firstName: 'Ada', lastName: 'Lovelace' } }));
      const back = clientReturn(await returnToCallback(t, callback, started.cookie, true));
      const created = await t
        .http()
        .post('/api/v1/auth/exchange')
        .send({ code: back.searchParams.get('code') })
        .expect(201);
      expect(created.body.user).toMatchObject({ email: apple.user.email, emailVerified: true, displayName: 'Ada Lovelace' });

      const again = await redirectSignIn(t, 'apple', true);
      expect(again.status).toBe(200);
      expect(again.body.user.id).toBe(created.body.user.id);
    });

    it('sends a client secret signed with the Apple key (ES256, team id, key id)', async () => {
      apple.user = { sub: `ap-${unique()}.002`, email: `ap${unique()}@example.com`, email_verified: true };
      await redirectSignIn(t, 'apple', true);
      const secret = apple.tokenRequests.at(-1)!.client_secret;
      expect(decodeProtectedHeader(secret)).toMatchObject({ alg: 'ES256', kid: 'TESTKEY123' });
      const { payload } = await jwtVerify(secret, createLocalJWKSet({ keys: [{ ...applePublicJwk, kid: 'TESTKEY123', alg: 'ES256' }] }), {
        issuer: 'TEAM123456',
        audience: 'https://appleid.apple.com',
        subject: 'com.example.service',
      });
      expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(24 * 3600);
    });

    it('refuses a replayed form_post callback and an ID token for another client', async () => {
      apple.user = { sub: `ap-${unique()}.003`, email: `ap${unique()}@example.com`, email_verified: true };
      const started = await beginRedirect(t, 'apple');
      const callback = await authorizeAt(started.authorizeUrl);
      clientReturn(await returnToCallback(t, callback, started.cookie, true));
      const replay = clientReturn(await returnToCallback(t, callback, started.cookie, true));
      expect(replay.searchParams.get('error')).toBe('invalid_state');

      const sessions = await countRows(t, 'sessions');
      apple.user = { ...apple.user, aud: 'com.someone.else' };
      const foreign = await beginRedirect(t, 'apple');
      const refused = clientReturn(await returnToCallback(t, await authorizeAt(foreign.authorizeUrl), foreign.cookie, true));
      expect(refused.searchParams.get('error')).toBe('invalid_id_token');
      expect(await countRows(t, 'sessions')).toBe(sessions);
    });
  });

  it('answers 404 for a provider this module does not have', async () => {
    const response = await t.http().get('/api/v1/auth/github').query({ redirect_uri: CLIENT_REDIRECT });
    expect(response.status).toBe(404);
  });
});

describe('OAuth provider configuration', () => {
  it('refuses unsafe or incomplete settings at boot', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ REDIRECT_ALLOWLIST: 'javascript:alert(1)' }, /REDIRECT_ALLOWLIST/],
      [{ REDIRECT_ALLOWLIST: 'https://user@app.example.com/cb' }, /credentials/],
      [{ REDIRECT_ALLOWLIST: 'https://app.example.com/cb#x' }, /fragment/],
      [{ FACEBOOK_CLIENT_ID: 'id' }, /FACEBOOK_CLIENT_SECRET/],
      [{ GOOGLE_TOKEN_URL: 'ftp://token' }, /GOOGLE_TOKEN_URL/],
      [{ APPLE_CLIENT_ID: 'x', APPLE_TEAM_ID: 'T' }, /APPLE_PRIVATE_KEY_FILE/],
      [
        { APPLE_CLIENT_ID: 'x', APPLE_TEAM_ID: 'T', APPLE_KEY_ID: 'K', APPLE_PRIVATE_KEY_FILE: '/nonexistent.p8' },
        /APPLE_PRIVATE_KEY_FILE/,
      ],
    ];
    for (const [env, message] of cases) expect(() => assertValidConfig({ NODE_ENV: 'test', ...env })).toThrow(message);
  });
});
