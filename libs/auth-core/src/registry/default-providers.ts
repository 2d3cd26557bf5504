import { LoginMethodDescriptor } from './login-method';

/**
 * The login methods of the normalized design. Each gets an `auth_providers` row on boot so
 * data and admin screens can refer to it; a row is active only while a provider module for that
 * id is enabled and configured. This is data, not code: the core never calls a method by name.
 */
export const DEFAULT_PROVIDER_ROWS: Omit<LoginMethodDescriptor, 'supports'>[] = [
  { id: 'local', displayName: 'Password', kind: 'password', description: 'Email, phone or username with a password' },
  { id: 'google', displayName: 'Google', kind: 'oauth', description: 'Google OAuth 2.0 / OpenID Connect' },
  { id: 'facebook', displayName: 'Facebook', kind: 'oauth', description: 'Facebook Login (OAuth 2.0)' },
  { id: 'apple', displayName: 'Apple', kind: 'oauth', description: 'Sign in with Apple' },
  { id: 'mobile_otp', displayName: 'SMS code', kind: 'otp', description: 'One-time code sent by SMS' },
  { id: 'email_otp', displayName: 'Email code', kind: 'otp', description: 'One-time code sent by email' },
];
