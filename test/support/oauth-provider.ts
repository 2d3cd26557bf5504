import { createHash } from 'node:crypto';
import type { OAuth2Server } from 'oauth2-mock-server';
import { TestApp } from './test-app';

/** The client URLs the redirect tests allow-list. */
export const CLIENT_REDIRECT = 'https://app.example.com/auth/done';
export const NATIVE_REDIRECT = 'com.example.app:/oauth';
export const REDIRECT_ALLOWLIST = `${CLIENT_REDIRECT},${NATIVE_REDIRECT}`;

/** Who is "signed in" at the local provider: the claims its ID token and userinfo return. */
export type ProviderUser = Record<string, unknown> & { sub: string };

export interface LocalProvider {
  url: string;
  server: OAuth2Server;
  /** Claims of the person the next authorization is for. */
  user: ProviderUser;
  /** Replaces the userinfo body, for providers whose userinfo is not OIDC-shaped (Facebook). */
  userinfo?: (user: ProviderUser) => Record<string, unknown>;
  /** Form bodies of the token requests received, in order. */
  tokenRequests: Record<string, string>[];
  /** PKCE challenges sent to /authorize, by the authorization code issued. */
  challenges: Map<string, string>;
  idToken(claims: Record<string, unknown>, options?: { expiresIn?: number }): Promise<string>;
  env(prefix: string, clientId?: string): Record<string, string>;
  stop(): Promise<void>;
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/**
 * Starts oauth2-mock-server on a free port, standing in for Google, Facebook or Apple. The mock
 * checks little by itself, so this wrapper makes its token endpoint behave like a real one where
 * the tests need it: an authorization code works once, and the PKCE verifier must match the
 * challenge sent with the authorization request.
 */
export async function startLocalProvider(): Promise<LocalProvider> {
  const { OAuth2Server } = await import('oauth2-mock-server');
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  const url = server.issuer.url!;
  const provider: LocalProvider = {
    url,
    server,
    user: { sub: 'nobody' },
    tokenRequests: [],
    challenges: new Map(),
    idToken: (claims, options = {}) =>
      server.issuer.buildToken({
        expiresIn: options.expiresIn ?? 3600,
        scopesOrTransform: (_header, payload) => Object.assign(payload, claims),
      }),
    env: (prefix, clientId = `${prefix.toLowerCase()}-client`) => ({
      [`${prefix}_CLIENT_ID`]: clientId,
      [`${prefix}_CLIENT_SECRET`]: `${prefix.toLowerCase()}-secret`,
      [`${prefix}_AUTHORIZATION_URL`]: `${url}/authorize`,
      [`${prefix}_TOKEN_URL`]: `${url}/token`,
      [`${prefix}_USERINFO_URL`]: `${url}/userinfo`,
      [`${prefix}_JWKS_URL`]: `${url}/jwks`,
      [`${prefix}_ISSUER`]: url,
    }),
    stop: () => server.stop(),
  };
  const usedCodes = new Set<string>();
  server.service.on('beforeAuthorizeRedirect', (redirect: { url: URL }, request: { query: Record<string, string> }) => {
    const code = redirect.url.searchParams.get('code');
    if (code && request.query.code_challenge) provider.challenges.set(code, request.query.code_challenge);
  });
  server.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
    const { sub, ...claims } = provider.user;
    Object.assign(token.payload, claims, { sub });
  });
  server.service.on('beforeResponse', (response: { body: unknown; statusCode: number }, request: { body: Record<string, string> }) => {
    provider.tokenRequests.push({ ...request.body });
    const { code, code_verifier: verifier } = request.body;
    const replayed = usedCodes.has(code);
    usedCodes.add(code);
    const challenge = provider.challenges.get(code);
    if (replayed || !challenge || !verifier || s256(verifier) !== challenge) {
      response.statusCode = 400;
      response.body = { error: 'invalid_grant' };
    }
  });
  server.service.on('beforeUserinfo', (response: { body: unknown }) => {
    response.body = provider.userinfo ? provider.userinfo(provider.user) : { ...provider.user };
  });
  return provider;
}

export interface RedirectStep {
  /** Status and headers of our start route. */
  status: number;
  authorizeUrl: URL;
  cookie: string | null;
}

/** The `name=value` part of our binding cookie from a response. */
export function bindingCookie(setCookie: string | string[] | undefined): string | null {
  const header = [setCookie ?? []].flat().find((value) => value.startsWith('identity_oauth='));
  return header ? header.split(';')[0] : null;
}

/** GET /auth/<provider>?redirect_uri=… as a browser would, expecting the 302 to the provider. */
export async function beginRedirect(
  t: TestApp,
  provider: string,
  query: Record<string, string> = { redirect_uri: CLIENT_REDIRECT },
  headers: Record<string, string> = {},
): Promise<RedirectStep> {
  const response = await t.http().get(`/api/v1/auth/${provider}`).query(query).set(headers);
  if (response.status !== 302) throw new Error(`start failed: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    status: response.status,
    authorizeUrl: new URL(response.headers.location),
    cookie: bindingCookie(response.headers['set-cookie']),
  };
}

/** The browser at the provider: it signs in and is sent back to our callback. */
export async function authorizeAt(authorizeUrl: URL): Promise<URL> {
  const response = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`provider did not redirect: ${response.status}`);
  return new URL(location);
}

/** Our callback, by GET with the query (or by POST with a form body for form_post providers). */
export async function returnToCallback(t: TestApp, callback: URL, cookie: string | null, formPost = false) {
  const request = formPost
    ? t.http().post(callback.pathname).type('form').send(Object.fromEntries(callback.searchParams))
    : t.http().get(`${callback.pathname}${callback.search}`);
  if (cookie) request.set('Cookie', cookie);
  return request;
}

/** Where our callback sent the browser back to. */
export function clientReturn(response: { status: number; headers: Record<string, string> }): URL {
  if (response.status !== 302) throw new Error(`callback did not redirect: ${response.status}`);
  return new URL(response.headers.location);
}

/** A complete redirect sign-in: start, provider, callback, exchange. Returns the exchange response. */
export async function redirectSignIn(t: TestApp, provider: string, formPost = false) {
  const started = await beginRedirect(t, provider);
  const callback = await authorizeAt(started.authorizeUrl);
  const back = clientReturn(await returnToCallback(t, callback, started.cookie, formPost));
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code: ${back}`);
  return t.http().post('/api/v1/auth/exchange').send({ code });
}
