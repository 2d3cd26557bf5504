import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { normalizeEmail } from '@identity/common';
import {
  ExternalIdentity,
  LoginMethod,
  LoginMethodProvider,
  OAuthClientSettings,
  ProviderProfile,
  RedirectLoginMethod,
} from '@identity/auth-core';
import { googleConfig } from './google.config';

export const GOOGLE_ID = 'google';

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);

/**
 * Google claims (ID token and userinfo share names) as an identity. Keyed by `sub`, which stays
 * when the person changes their Gmail address; the email counts only when Google says it is
 * verified (`email_verified`, a boolean, or "true" in some older tokens).
 */
export function googleIdentity(claims: Record<string, unknown>): ExternalIdentity | null {
  const subject = text(claims.sub);
  if (!subject) return null;
  const address = text(claims.email);
  const email = address ? normalizeEmail(address) : null;
  return {
    providerId: GOOGLE_ID,
    subject,
    email,
    emailVerified: email !== null && (claims.email_verified === true || claims.email_verified === 'true'),
    phone: null,
    phoneVerified: false,
    profile: { displayName: text(claims.name), avatarUrl: text(claims.picture), locale: text(claims.locale) },
  };
}

@Injectable()
@LoginMethod({
  id: GOOGLE_ID,
  displayName: 'Google',
  kind: 'oauth',
  description: 'Google OAuth 2.0 / OpenID Connect',
  supports: ['sign-in', 'sign-up', 'link'],
})
export class GoogleLoginMethod implements LoginMethodProvider, RedirectLoginMethod {
  readonly id = GOOGLE_ID;

  constructor(@Inject(googleConfig.KEY) private readonly config: ConfigType<typeof googleConfig>) {}

  isConfigured(): boolean {
    return Boolean(this.config.clientId && this.config.clientSecret);
  }

  get clientId(): string {
    return this.config.clientId ?? '';
  }

  get jwksUrl(): string | null {
    return this.config.jwksUrl;
  }

  get issuers(): string[] {
    return this.config.issuers;
  }

  oauthSettings(): OAuthClientSettings {
    const secret = this.config.clientSecret ?? '';
    return {
      clientId: this.clientId,
      clientSecret: async () => secret,
      callbackUrl: this.config.callbackUrl,
      authorizationUrl: this.config.authorizationUrl,
      tokenUrl: this.config.tokenUrl,
      userinfoUrl: this.config.userinfoUrl,
      jwksUrl: this.config.jwksUrl,
      issuers: this.config.issuers,
      scopes: ['openid', 'email', 'profile'],
      responseMode: 'query',
    };
  }

  /** The userinfo answer is fresher than the ID token; the ID token's `sub` must agree with it. */
  identityFrom(profile: ProviderProfile): ExternalIdentity | null {
    const idToken = profile.idToken ?? {};
    const userinfo = profile.userinfo ?? {};
    if (idToken.sub && userinfo.sub && idToken.sub !== userinfo.sub) return null;
    return googleIdentity({ ...idToken, ...userinfo });
  }
}
