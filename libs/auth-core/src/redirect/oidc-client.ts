import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, JWTPayload, jwtVerify } from 'jose';
import { AppError } from '@identity/common';
import { OAuthClientSettings, ProviderProfile } from './redirect-login-method';

const PROVIDER_TIMEOUT_MS = 10_000;
/** Clock skew tolerated between us and the provider when checking `exp`/`iat`. */
const CLOCK_TOLERANCE_SECONDS = 30;

export interface IdTokenExpectations {
  jwksUrl: string;
  issuers: string[];
  audience: string;
  /** When set, the token must carry exactly this nonce. */
  nonce?: string;
}

export const providerUnavailable = () =>
  new AppError(HttpStatus.BAD_GATEWAY, 'provider_error', 'Provider error', 'The sign-in provider did not complete the sign-in.');

export const invalidIdToken = (detail = 'The ID token is invalid, expired or not meant for this service.') =>
  new AppError(HttpStatus.UNAUTHORIZED, 'invalid_id_token', 'Invalid ID token', detail);

/**
 * The HTTP side of OAuth 2.0 / OpenID Connect: the token request, ID-token verification against
 * the provider's JWKS and the userinfo request. Plain fetch and jose rather than a Passport
 * strategy: Passport's OAuth2 strategy keeps PKCE verifiers and state in an Express session and
 * answers through `res.redirect`, neither of which exists on Fastify, while the flow here binds
 * state to the browser by a cookie and a database row and hands the client a one-time code.
 */
@Injectable()
export class OidcClient {
  private readonly logger = new Logger(OidcClient.name);
  private readonly keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  /** Redeems an authorization code and reads who signed in. */
  async profileFor(
    settings: OAuthClientSettings,
    code: string,
    codeVerifier: string,
    nonce: string,
    callback: Record<string, unknown>,
  ): Promise<ProviderProfile> {
    const tokens = await this.redeemCode(settings, code, codeVerifier);
    const idToken =
      settings.jwksUrl && typeof tokens.id_token === 'string'
        ? await this.verifyIdToken(tokens.id_token, {
            jwksUrl: settings.jwksUrl,
            issuers: settings.issuers,
            audience: settings.clientId,
            nonce,
          })
        : null;
    const userinfo =
      settings.userinfoUrl && typeof tokens.access_token === 'string'
        ? await this.userinfo(settings.userinfoUrl, tokens.access_token)
        : null;
    return { idToken, userinfo, callback };
  }

  /** Verifies signature, issuer, audience, expiry and (when expected) nonce; throws 401 otherwise. */
  async verifyIdToken(token: string, expected: IdTokenExpectations): Promise<JWTPayload> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keySet(expected.jwksUrl), {
        issuer: expected.issuers,
        audience: expected.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      // The reason goes to the log (never the token); the client learns only that it was refused.
      this.logger.debug(`ID token refused: ${(error as { code?: string }).code ?? (error as Error).name}`);
      throw invalidIdToken();
    }
    if (expected.nonce !== undefined && payload.nonce !== expected.nonce)
      throw invalidIdToken('The ID token does not carry the expected nonce.');
    return payload;
  }

  private keySet(url: string) {
    let keys = this.keySets.get(url);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(url), { timeoutDuration: PROVIDER_TIMEOUT_MS });
      this.keySets.set(url, keys);
    }
    return keys;
  }

  private async redeemCode(settings: OAuthClientSettings, code: string, codeVerifier: string): Promise<Record<string, unknown>> {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: settings.callbackUrl,
      client_id: settings.clientId,
      client_secret: await settings.clientSecret(),
      code_verifier: codeVerifier,
    });
    return this.request('token', settings.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
    });
  }

  private userinfo(url: string, accessToken: string): Promise<Record<string, unknown>> {
    return this.request('userinfo', url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });
  }

  private async request(what: string, url: string, init: RequestInit): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
    } catch (error) {
      this.logger.warn(`${what} request to ${new URL(url).host} failed: ${(error as Error).message}`);
      throw providerUnavailable();
    }
    const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (!response.ok || !body || typeof body !== 'object') {
      // The provider's error code only (`invalid_grant`, …): its description may echo what we sent.
      this.logger.warn(`${what} request to ${new URL(url).host} answered ${response.status} ${String(body?.error ?? '')}`);
      throw providerUnavailable();
    }
    return body;
  }
}
