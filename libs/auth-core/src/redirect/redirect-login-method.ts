import { JWTPayload } from 'jose';
import { ExternalIdentity } from '../registry/login-method';

/** Where and how to talk to an OAuth 2.0 / OpenID Connect provider. */
export interface OAuthClientSettings {
  clientId: string;
  /** A function because some providers (Apple) want a freshly signed secret. */
  clientSecret(): Promise<string>;
  /** Our callback URL, registered at the provider. */
  callbackUrl: string;
  authorizationUrl: string;
  tokenUrl: string;
  /** Fetched with the access token when set; an OIDC provider may rely on the ID token alone. */
  userinfoUrl: string | null;
  /** Verifies the ID token of the token response when set; without it the ID token is ignored. */
  jwksUrl: string | null;
  /** Accepted `iss` values of ID tokens. */
  issuers: string[];
  scopes: string[];
  /** `form_post` providers come back with a POST; the callback route must accept both. */
  responseMode: 'query' | 'form_post';
  /** Provider-specific authorization parameters (Google's `prompt`, …). */
  extraAuthorizationParams?: Record<string, string>;
}

/** What the provider told us about the person, for the provider's own claim mapping. */
export interface ProviderProfile {
  /** Claims of the verified ID token, when the provider sent one. */
  idToken: JWTPayload | null;
  /** The userinfo response, when a userinfo endpoint is configured. */
  userinfo: Record<string, unknown> | null;
  /** Other callback fields (Apple sends the name once, as a `user` JSON field). */
  callback: Record<string, unknown>;
}

/**
 * Implemented by a login method that signs in by redirecting the browser to an OAuth 2.0 / OIDC
 * provider. The core runs the flow (state, PKCE, nonce, browser binding, the one-time code for the
 * client); the method supplies its endpoints and maps what the provider says to an identity.
 */
export interface RedirectLoginMethod {
  readonly id: string;
  oauthSettings(): OAuthClientSettings;
  /** The identity, or null when the provider's answer names no subject. */
  identityFrom(profile: ProviderProfile): ExternalIdentity | null;
}
