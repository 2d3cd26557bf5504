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

/**
 * The core every login method plugs into. Global so provider modules can inject its services
 * without importing each other or re-importing the core.
 */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    ConfigModule.forFeature(authCoreConfig),
    // The brand name, which passwords must not contain.
    ConfigModule.forFeature(messagingConfig),
    TypeOrmModule.forFeature([AuthProviderEntity, UserAuthEntity]),
    UsersModule,
    RbacModule,
    SessionsModule,
    OtpModule,
    MessagingModule,
    MfaModule,
  ],
  controllers: [AuthController, AccountController, ContactChangeController, IdentitiesController, SecondFactorController, MyMfaController],
  providers: [
    ProviderRegistry,
    PasswordHasher,
    PasswordPolicy,
    SignInService,
    UserViewService,
    ReauthenticationService,
    ContactChangeService,
    IdentitiesService,
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
