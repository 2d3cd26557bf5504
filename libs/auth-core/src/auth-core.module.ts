import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { messagingConfig, MessagingModule } from '@identity/messaging';
import { MfaModule } from '@identity/mfa';
import { OtpModule } from '@identity/otp';
import { RbacModule } from '@identity/rbac';
import { SessionsModule } from '@identity/sessions';
import { UsersModule } from '@identity/users';
import { AccessTokenGuard } from './access-token.guard';
import { AccountController } from './account/account.controller';
import { ContactChangeController } from './account/contact-change.controller';
import { ContactChangeService } from './account/contact-change.service';
import { IdentitiesController } from './account/identities.controller';
import { IdentitiesService } from './account/identities.service';
import { ReauthenticationService } from './account/reauthentication.service';
import { UserViewService } from './account/user-view.service';
import { authCoreConfig } from './auth-core.config';
import { AuthProviderEntity } from './auth-provider.entity';
import { AuthController } from './auth.controller';
import { MyMfaController } from './mfa/my-mfa.controller';
import { SecondFactorController } from './mfa/second-factor.controller';
import { PasswordHasher } from './passwords/password-hasher';
import { ProviderSwitchGuard } from './provider-switch.guard';
import { PasswordPolicy } from './passwords/password-policy';
import { ProviderRegistry } from './registry/provider-registry';
import { SignInService } from './signin/sign-in.service';
import { UserAuthEntity } from './user-auth.entity';
import { ExchangeCodeEntity } from './redirect/exchange-code.entity';
import { OidcClient } from './redirect/oidc-client';
import { redirectConfig } from './redirect/redirect.config';
import { RedirectController } from './redirect/redirect.controller';
import { RedirectFlowEntity } from './redirect/redirect-flow.entity';
import { RedirectSignInService } from './redirect/redirect-sign-in.service';
import { RedirectCleanupService } from './redirect/redirect-cleanup.service';

/**
 * The core every login method plugs into. Global so provider modules can inject its services
 * without importing each other or re-importing the core.
 */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    ConfigModule.forFeature(authCoreConfig),
    ConfigModule.forFeature(redirectConfig),
    // The brand name, which passwords must not contain.
    ConfigModule.forFeature(messagingConfig),
    TypeOrmModule.forFeature([AuthProviderEntity, UserAuthEntity, RedirectFlowEntity, ExchangeCodeEntity]),
    UsersModule,
    RbacModule,
    SessionsModule,
    OtpModule,
    MessagingModule,
    MfaModule,
  ],
  controllers: [
    AuthController,
    AccountController,
    ContactChangeController,
    IdentitiesController,
    SecondFactorController,
    MyMfaController,
    RedirectController,
  ],
  providers: [
    ProviderRegistry,
    PasswordHasher,
    PasswordPolicy,
    SignInService,
    UserViewService,
    ReauthenticationService,
    ContactChangeService,
    IdentitiesService,
    OidcClient,
    RedirectSignInService,
    RedirectCleanupService,
    // The switch is checked first: a disabled method answers 404 whether or not a token came.
    { provide: APP_GUARD, useClass: ProviderSwitchGuard },
    { provide: APP_GUARD, useClass: AccessTokenGuard },
  ],
  exports: [
    ProviderRegistry,
    PasswordHasher,
    PasswordPolicy,
    SignInService,
    UserViewService,
    ReauthenticationService,
    IdentitiesService,
    OidcClient,
    RedirectSignInService,
    TypeOrmModule,
    UsersModule,
    RbacModule,
    SessionsModule,
    OtpModule,
    MessagingModule,
    MfaModule,
    ConfigModule,
  ],
})
export class AuthCoreModule {}
