import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import {
  ExternalIdentity,
  LoginMethod,
  LoginMethodProvider,
  LoginMethodRequest,
  OAuthClientSettings,
  OAuthEnv,
  ProviderProfile,
  RedirectLoginMethod,
} from '@identity/auth-core';
import { AppleClientSecret } from './apple-client-secret';
import { oauthProvidersConfig } from './oauth.config';
import { APPLE, FACEBOOK, OAuthProviderProfile } from './oauth-providers';

/**
 * One OAuth provider of this module as a login method. The routes are shared (`auth/:provider`),
 * so each method recognises its own requests by the path parameter.
 */
abstract class OAuthLoginMethod implements LoginMethodProvider, RedirectLoginMethod {
  readonly id: string;

  protected constructor(
    readonly profile: OAuthProviderProfile,
    private readonly env: OAuthEnv,
    private readonly secret: () => Promise<string>,
    private readonly hasSecret: boolean,
  ) {
    this.id = profile.id;
  }

  isConfigured(): boolean {
    return Boolean(this.env.clientId) && this.hasSecret;
  }

  handles(request: LoginMethodRequest): boolean {
    return (request.params as { provider?: unknown } | undefined)?.provider === this.id;
  }

  oauthSettings(): OAuthClientSettings {
    return {
      clientId: this.env.clientId ?? '',
      clientSecret: this.secret,
      callbackUrl: this.env.callbackUrl,
      authorizationUrl: this.env.authorizationUrl,
      tokenUrl: this.env.tokenUrl,
      userinfoUrl: this.env.userinfoUrl,
      jwksUrl: this.env.jwksUrl,
      issuers: this.env.issuers,
      scopes: this.profile.scopes,
      responseMode: this.profile.responseMode,
    };
  }

  identityFrom(profile: ProviderProfile): ExternalIdentity | null {
    return this.profile.identityFrom(this.id, profile);
  }
}

@Injectable()
@LoginMethod({
  id: FACEBOOK.id,
  displayName: FACEBOOK.displayName,
  kind: 'oauth',
  description: FACEBOOK.description,
  supports: ['sign-in', 'sign-up', 'link'],
})
export class FacebookLoginMethod extends OAuthLoginMethod {
  constructor(@Inject(oauthProvidersConfig.KEY) config: ConfigType<typeof oauthProvidersConfig>) {
    const secret = config.facebook.clientSecret ?? '';
    super(FACEBOOK, config.facebook, async () => secret, Boolean(secret));
  }
}

@Injectable()
@LoginMethod({
  id: APPLE.id,
  displayName: APPLE.displayName,
  kind: 'oauth',
  description: APPLE.description,
  supports: ['sign-in', 'sign-up', 'link'],
})
export class AppleLoginMethod extends OAuthLoginMethod {
  constructor(@Inject(oauthProvidersConfig.KEY) config: ConfigType<typeof oauthProvidersConfig>) {
    const { apple } = config;
    const signed = apple.signingKey && apple.clientId ? new AppleClientSecret(apple.signingKey, apple.clientId) : null;
    const fixed = apple.clientSecret ?? '';
    super(APPLE, apple, signed ? () => signed.value() : async () => fixed, Boolean(signed || fixed));
  }
}

export const OAUTH_LOGIN_METHODS = [FacebookLoginMethod, AppleLoginMethod];
