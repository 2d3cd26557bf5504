import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { otpConfig } from '@identity/otp';
import { LoginMethod, LoginMethodProvider, LoginMethodRequest, ProviderCapability } from '@identity/auth-core';

export const EMAIL_OTP_ID = 'email_otp';
export const MOBILE_OTP_ID = 'mobile_otp';

/** Whether the request body names this field; the two methods share routes and differ only here. */
function bodyHas(request: LoginMethodRequest, field: 'email' | 'phone'): boolean {
  const body = request.body;
  return typeof body === 'object' && body !== null && (body as Record<string, unknown>)[field] != null;
}

/** OTP_SIGNUP decides whether a first verified code may create the account. */
function capabilitiesUnder(config: ConfigType<typeof otpConfig>): ProviderCapability[] {
  return config.signUp ? ['sign-in', 'sign-up'] : ['sign-in'];
}

/**
 * Sign-in with a code sent by email. Nothing to configure here: mail leaves through the outbox,
 * whose transport falls back to the log when MAIL_URL is unset.
 */
@Injectable()
@LoginMethod({
  id: EMAIL_OTP_ID,
  displayName: 'Email code',
  kind: 'otp',
  description: 'One-time code sent by email',
  supports: ['sign-in', 'sign-up'],
  amr: 'email',
})
export class EmailOtpLoginMethod implements LoginMethodProvider {
  constructor(@Inject(otpConfig.KEY) private readonly config: ConfigType<typeof otpConfig>) {}

  isConfigured(): boolean {
    return true;
  }

  enabledCapabilities(): ProviderCapability[] {
    return capabilitiesUnder(this.config);
  }

  handles(request: LoginMethodRequest): boolean {
    return bodyHas(request, 'email');
  }
}

/** Sign-in with a code sent by SMS; like email, the outbox's transport falls back to the log. */
@Injectable()
@LoginMethod({
  id: MOBILE_OTP_ID,
  displayName: 'SMS code',
  kind: 'otp',
  description: 'One-time code sent by SMS',
  supports: ['sign-in', 'sign-up'],
  amr: 'sms',
})
export class MobileOtpLoginMethod implements LoginMethodProvider {
  constructor(@Inject(otpConfig.KEY) private readonly config: ConfigType<typeof otpConfig>) {}

  isConfigured(): boolean {
    return true;
  }

  enabledCapabilities(): ProviderCapability[] {
    return capabilitiesUnder(this.config);
  }

  handles(request: LoginMethodRequest): boolean {
    return bodyHas(request, 'phone');
  }
}
