import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { OAuthController } from './oauth.controller';
import { oauthProvidersConfig } from './oauth.config';
import { OAUTH_LOGIN_METHODS } from './oauth.login-methods';

/**
 * Generic OAuth 2.0 / OpenID Connect sign-in: `facebook` and `apple`, two login methods that
 * share this module and its routes (`/auth/:provider/…`). Each is configured by its own
 * `<PROVIDER>_*` variables and mounted only when AUTH_PROVIDERS enables it; a request for one
 * that is off answers 404.
 */
@Module({
  imports: [ConfigModule.forFeature(oauthProvidersConfig)],
  controllers: [OAuthController],
  providers: [...OAUTH_LOGIN_METHODS],
})
export class OAuthProviderModule {}
