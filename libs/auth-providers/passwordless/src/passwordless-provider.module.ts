import { Module } from '@nestjs/common';
import { PasswordlessController } from './passwordless.controller';
import { EmailOtpLoginMethod, MobileOtpLoginMethod } from './passwordless.login-methods';
import { PasswordlessSignInService } from './passwordless-sign-in.service';

/**
 * Passwordless sign-in by a one-time code: `email_otp` and `mobile_otp`, two login methods that
 * share this module and its routes. The module is loaded when either is enabled; the registry
 * mounts only the enabled ones, and a request for the other answers 404.
 */
@Module({
  controllers: [PasswordlessController],
  providers: [EmailOtpLoginMethod, MobileOtpLoginMethod, PasswordlessSignInService],
})
export class PasswordlessProviderModule {}
