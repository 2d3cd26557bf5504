import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { otpConfig } from '@identity/otp';
import { LoginMethod, LoginMethodProvider, LoginMethodRequest, ProviderCapability } from '@identity/auth-core';

export const EMAIL_OTP_ID = 'email_otp';
export const MOBILE_OTP_ID = 'mobile_otp';

/**
 * The two code methods share routes and differ only in the field a request names. Nothing to
 * configure: messages leave through the outbox, whose transports fall back to the log.
 */
abstract class CodeLoginMethod implements LoginMethodProvider {
  protected constructor(
    private readonly config: ConfigType<typeof otpConfig>,
    private readonly field: 'email' | 'phone',
  ) {}

  isConfigured(): boolean {
    return true;
  }

  /** OTP_SIGNUP decides whether a first verified code may create the account. */
  enabledCapabilities(): ProviderCapability[] {
    return this.config.signUp ? ['sign-in', 'sign-up'] : ['sign-in'];
  }

  handles(request: LoginMethodRequest): boolean {
    const body = request.body;
    return typeof body === 'object' && body !== null && (body as Record<string, unknown>)[this.field] != null;
  }
}

@Injectable()
@LoginMethod({
  id: EMAIL_OTP_ID,
  displayName: 'Email code',
  kind: 'otp',
  description: 'One-time code sent by email',
  supports: ['sign-in', 'sign-up'],
})
export class EmailOtpLoginMethod extends CodeLoginMethod {
  constructor(@Inject(otpConfig.KEY) config: ConfigType<typeof otpConfig>) {
    super(config, 'email');
  }
}

@Injectable()
@LoginMethod({
  id: MOBILE_OTP_ID,
  displayName: 'SMS code',
  kind: 'otp',
  description: 'One-time code sent by SMS',
  supports: ['sign-in', 'sign-up'],
})
export class MobileOtpLoginMethod extends CodeLoginMethod {
  constructor(@Inject(otpConfig.KEY) config: ConfigType<typeof otpConfig>) {
    super(config, 'phone');
  }
}
