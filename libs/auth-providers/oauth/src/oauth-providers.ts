import { normalizeEmail } from '@identity/common';
import { ExternalIdentity, OAuthEndpointDefaults, ProviderProfile } from '@identity/auth-core';

/**
 * Everything that differs between OAuth providers served by this module: published endpoints,
 * scopes, how the browser comes back, and how the provider's answer maps to an identity. A new
 * provider (GitHub, Microsoft) is one more entry, a login-method class and its env prefix.
 */
export interface OAuthProviderProfile {
  id: string;
  displayName: string;
  description: string;
  /** Variables are `<envPrefix>_CLIENT_ID`, `<envPrefix>_TOKEN_URL`, … */
  envPrefix: string;
  endpoints: OAuthEndpointDefaults;
  scopes: string[];
  responseMode: 'query' | 'form_post';
  identityFrom(providerId: string, profile: ProviderProfile): ExternalIdentity | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);
const emailOf = (value: unknown): string | null => {
  const address = text(value);
  return address ? normalizeEmail(address) : null;
};

function identity(providerId: string, subject: string, email: string | null, emailVerified: boolean, profile: ExternalIdentity['profile']) {
  return { providerId, subject, email, emailVerified: email !== null && emailVerified, phone: null, phoneVerified: false, profile };
}

/**
 * Facebook Login (OAuth 2.0, Graph API `/me`). Facebook says nothing about whether the address
 * was verified, so it never counts as verified: it does not link to an existing account by email
 * (the person links while signed in), and a new account does not get it (it stays on the identity).
 */
export const FACEBOOK: OAuthProviderProfile = {
  id: 'facebook',
  displayName: 'Facebook',
  description: 'Facebook Login (OAuth 2.0)',
  envPrefix: 'FACEBOOK',
  endpoints: {
    authorizationUrl: 'https://www.facebook.com/v19.0/dialog/oauth',
    tokenUrl: 'https://graph.facebook.com/v19.0/oauth/access_token',
    userinfoUrl: 'https://graph.facebook.com/v19.0/me?fields=id,name,email,picture',
    jwksUrl: null,
    issuers: ['https://www.facebook.com'],
  },
  scopes: ['public_profile', 'email'],
  responseMode: 'query',
  identityFrom(providerId, { userinfo }) {
    const subject = text(userinfo?.id);
    if (!subject) return null;
    const picture = (userinfo?.picture as { data?: { url?: unknown } } | undefined)?.data?.url;
    return identity(providerId, subject, emailOf(userinfo?.email), false, { displayName: text(userinfo?.name), avatarUrl: text(picture) });
  },
};

/** Apple sends the person's name once, on the first authorization, as a JSON `user` form field. */
function appleName(callback: Record<string, unknown>): string | null {
  try {
    const name = (JSON.parse(String(callback.user ?? '{}')) as { name?: { firstName?: unknown; lastName?: unknown } }).name;
    return text([text(name?.firstName), text(name?.lastName)].filter(Boolean).join(' '));
  } catch {
    return null;
  }
}

/**
 * Sign in with Apple (OIDC): everything comes from the ID token, checked against Apple's keys;
 * there is no userinfo endpoint. Apple returns by a form POST (response_mode=form_post). Its
 * `email_verified` is a boolean or the string "true"; relay addresses (is_private_email) are
 * verified addresses like any other.
 */
export const APPLE: OAuthProviderProfile = {
  id: 'apple',
  displayName: 'Apple',
  description: 'Sign in with Apple',
  envPrefix: 'APPLE',
  endpoints: {
    authorizationUrl: 'https://appleid.apple.com/auth/authorize',
    tokenUrl: 'https://appleid.apple.com/auth/token',
    userinfoUrl: null,
    jwksUrl: 'https://appleid.apple.com/auth/keys',
    issuers: ['https://appleid.apple.com'],
  },
  scopes: ['name', 'email'],
  responseMode: 'form_post',
  identityFrom(providerId, { idToken, callback }) {
    const subject = text(idToken?.sub);
    if (!subject) return null;
    const verified = idToken?.email_verified === true || idToken?.email_verified === 'true';
    return identity(providerId, subject, emailOf(idToken?.email), verified, { displayName: appleName(callback) });
  },
};

export const OAUTH_PROVIDERS = [FACEBOOK, APPLE];
