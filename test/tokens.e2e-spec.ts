import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createHmac, createPublicKey, createSign, JsonWebKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createLocalJWKSet, decodeProtectedHeader, JWK, jwtVerify } from 'jose';
import { verify as verifyWithJsonwebtoken } from 'jsonwebtoken';
import { bearer, createUser, signedIn } from './support/accounts';
import { startTestApp, TestApp } from './support/test-app';

const b64url = (value: object | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

describe('access tokens and JWKS', () => {
  let t: TestApp;
  let accessToken: string;
  let userId: string;
  let sessionId: string;
  let jwks: { keys: JWK[] };

  before(async () => {
    t = await startTestApp();
    const user = await createUser(t);
    const tokens = await signedIn(t, user);
    accessToken = tokens.accessToken;
    userId = tokens.user.id;
    sessionId = tokens.sessionId;
    jwks = (await t.http().get('/.well-known/jwks.json').expect(200)).body;
  });
  after(() => t?.close());

  const me = (token: string) => t.http().get('/api/v1/me').set(bearer(token));

  it('publishes public keys only, with kid, alg and use', () => {
    expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
      expect(key).not.toHaveProperty('d');
    }
  });

  it('issues tokens that a standard JOSE library verifies against the JWKS', async () => {
    const { payload, protectedHeader } = await jwtVerify(accessToken, createLocalJWKSet(jwks), {
      issuer: 'http://identity.test',
      audience: 'identity',
      algorithms: ['RS256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: jwks.keys[0].kid });
    expect(payload).toMatchObject({ sub: userId, sid: sessionId, roles: ['user'] });
    expect(payload.exp! - payload.iat!).toBe(900);
  });

  it('serves a discovery document pointing at the JWKS', async () => {
    const response = await t.http().get('/.well-known/openid-configuration').expect(200);
    expect(response.body).toMatchObject({ issuer: 'http://identity.test', jwks_uri: 'http://identity.test/.well-known/jwks.json' });
  });

  it('accepts the genuine token', async () => {
    await me(accessToken).expect(200);
  });

  it('refuses requests without a token, and garbage tokens', async () => {
    const none = await t.http().get('/api/v1/me');
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('unauthenticated');
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await me('not-a-jwt')).status).toBe(401);
  });

  /** The genuine token's signature over different claims: what a tampering client can produce. */
  function withClaims(claims: object): string {
    const [head, , signature] = accessToken.split('.');
    return `${head}.${b64url(claims)}.${signature}`;
  }

  it('refuses alg none', async () => {
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
    const token = `${b64url({ alg: 'none', typ: 'at+jwt', kid: jwks.keys[0].kid })}.${b64url(claims)}.`;
    const response = await me(token);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('invalid_token');
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
    const publicPem = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' }).export({ format: 'pem', type: 'spki' });
    const input = `${b64url({ alg: 'HS256', typ: 'at+jwt', kid: jwks.keys[0].kid })}.${b64url(claims)}`;
    const token = `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`;
    expect((await me(token)).status).toBe(401);
  });

  it('refuses a tampered payload (role escalation) and a tampered signature', async () => {
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
    expect((await me(withClaims({ ...claims, roles: ['admin'] }))).status).toBe(401);
    const [h, p, s] = accessToken.split('.');
    const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await me(flipped)).status).toBe(401);
  });

  describe('claims checked against a key we control', () => {
    // A second app whose keys the test can read, to mint tokens with wrong claims that are
    // otherwise correctly signed.
    let other: TestApp;
    let privatePem: string;
    let claims: Record<string, unknown>;
    let kid: string;

    before(async () => {
      other = await startTestApp();
      const user = await createUser(other);
      const tokens = await signedIn(other, user);
      const dir = other.env.JWT_KEYS_DIR!;
      privatePem = readFileSync(`${dir}/${readdirSync(dir)[0]}`, 'utf8');
      claims = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1], 'base64url').toString());
      kid = decodeProtectedHeader(tokens.accessToken).kid!;
    });
    after(() => other?.close());

    const mint = (overrides: Record<string, unknown>, head: Record<string, unknown> = {}) => {
      const input = `${b64url({ alg: 'RS256', typ: 'at+jwt', kid, ...head })}.${b64url({ ...claims, ...overrides })}`;
      return `${input}.${b64url(createSign('RSA-SHA256').update(input).sign(privatePem))}`;
    };
    const call = (token: string) => other.http().get('/api/v1/me').set(bearer(token));

    it('accepts a correctly minted token (control)', async () => {
      await call(mint({})).expect(200);
    });

    it('refuses a wrong audience', async () => {
      expect((await call(mint({ aud: 'another-service' }))).status).toBe(401);
    });

    it('refuses a wrong issuer', async () => {
      expect((await call(mint({ iss: 'https://evil.example' }))).status).toBe(401);
    });

    it('refuses an expired token', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect((await call(mint({ iat: now - 3600, exp: now - 60 }))).status).toBe(401);
    });

    it('refuses a token once it expires, though it was accepted (and remembered) before', async () => {
      // Verified tokens are remembered; the memory must not outlive `exp` (plus the 5 s leeway).
      const now = Math.floor(Date.now() / 1000);
      const token = mint({ iat: now - 60, exp: now - 3 });
      await call(token).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 2_200));
      expect((await call(token)).status).toBe(401);
    });

    it('refuses a token of another type (e.g. an ID token)', async () => {
      expect((await call(mint({}, { typ: 'JWT' }))).status).toBe(401);
    });

    it("refuses a token for a session that doesn't exist", async () => {
      expect((await call(mint({ sid: '01900000-0000-7000-8000-000000000000' }))).status).toBe(401);
    });
  });
});

/** The algorithms besides the default; jsonwebtoken (and so passport-jwt) has no EdDSA. */
const OTHER_ALGORITHMS = [
  { alg: 'ES256', key: { kty: 'EC', crv: 'P-256' }, jsonwebtoken: true },
  { alg: 'EdDSA', key: { kty: 'OKP', crv: 'Ed25519' }, jsonwebtoken: false },
] as const;

for (const { alg, key, jsonwebtoken } of OTHER_ALGORITHMS) {
  describe(`access tokens signed with ${alg} (JWT_ALGORITHM=${alg})`, () => {
    let t: TestApp;
    let tokens: Awaited<ReturnType<typeof signedIn>>;
    let jwks: { keys: JWK[] };

    before(async () => {
      t = await startTestApp({ JWT_ALGORITHM: alg });
      tokens = await signedIn(t, await createUser(t));
      jwks = (await t.http().get('/.well-known/jwks.json').expect(200)).body;
    });
    after(() => t?.close());

    it(`publishes a ${key.crv} public key and names ${alg} in the discovery document`, async () => {
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ ...key, alg, use: 'sig', kid: expect.any(String) });
      expect(jwks.keys[0]).not.toHaveProperty('d');
      const discovery = (await t.http().get('/.well-known/openid-configuration').expect(200)).body;
      expect(discovery.id_token_signing_alg_values_supported).toEqual([alg]);
    });

    it(`issues tokens that jose${jsonwebtoken ? ' and jsonwebtoken (passport-jwt, express-jwt)' : ''} verify against the JWKS`, async () => {
      const { payload, protectedHeader } = await jwtVerify(tokens.accessToken, createLocalJWKSet(jwks), {
        algorithms: [alg],
        issuer: 'http://identity.test',
        audience: 'identity',
        typ: 'at+jwt',
      });
      expect(protectedHeader).toEqual({ alg, typ: 'at+jwt', kid: jwks.keys[0].kid });
      expect(payload).toMatchObject({ sub: tokens.user.id, sid: tokens.sessionId, roles: ['user'] });
      expect(payload.exp! - payload.iat!).toBe(900);
      if (!jsonwebtoken) return;
      const publicKey = createPublicKey({ key: jwks.keys[0] as JsonWebKey, format: 'jwk' });
      const claims = verifyWithJsonwebtoken(tokens.accessToken, publicKey, {
        algorithms: [alg as 'ES256'],
        issuer: 'http://identity.test',
        audience: 'identity',
      });
      expect(claims).toMatchObject({ sub: tokens.user.id, sid: tokens.sessionId, roles: ['user'] });
    });

    it('accepts its tokens, before and after a refresh, and refuses one whose signature was altered', async () => {
      await t.http().get('/api/v1/me').set(bearer(tokens.accessToken)).expect(200);
      const refreshed = await t.http().post('/api/v1/auth/refresh').send({ refreshToken: tokens.refreshToken }).expect(200);
      expect(decodeProtectedHeader(refreshed.body.accessToken).alg).toBe(alg);
      await t.http().get('/api/v1/me').set(bearer(refreshed.body.accessToken)).expect(200);
      const [head, payload, signature] = refreshed.body.accessToken.split('.');
      const flipped = Buffer.from(signature, 'base64url');
      flipped[10] ^= 1;
      const response = await t
        .http()
        .get('/api/v1/me')
        .set(bearer(`${head}.${payload}.${flipped.toString('base64url')}`));
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('invalid_token');
    });
  });
}
