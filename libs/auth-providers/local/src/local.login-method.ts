import { Injectable } from '@nestjs/common';
import { LoginMethod, LoginMethodProvider } from '@identity/auth-core';

export const LOCAL_PROVIDER_ID = 'local';

@Injectable()
@LoginMethod({
  id: LOCAL_PROVIDER_ID,
  displayName: 'Password',
  kind: 'password',
  description: 'Email, phone or username with a password',
  // Registration has its own OTP-first flow; the core's sign-up-on-first-sign-in never applies here.
  supports: ['sign-in', 'sign-up', 'recovery'],
})
export class LocalLoginMethod implements LoginMethodProvider {
  /** Needs nothing beyond the database. */
  isConfigured(): boolean {
    return true;
  }
}
