import { CodePurpose } from '../outgoing-message';
import { MessageCatalog } from './catalog';

const SUBJECTS: Record<CodePurpose, string> = {
  registration: 'Confirm your email to finish signing up',
  login: 'Your sign-in code',
  password_reset: 'Reset your password',
  email_change: 'Confirm your new email address',
  phone_change: 'Confirm your new phone number',
  verify_email: 'Verify your email address',
  verify_phone: 'Verify your phone number',
  mfa: 'Your verification code',
};

const INTROS: Record<CodePurpose, (appName: string) => string> = {
  registration: (app) => `Thanks for signing up for ${app}. Enter this code to confirm it is you and create your account:`,
  login: (app) => `Use this code to sign in to ${app}:`,
  password_reset: (app) => `We received a request to reset the password of your ${app} account. Enter this code to choose a new one:`,
  email_change: (app) => `Enter this code in ${app} to make this your account's email address:`,
  phone_change: (app) => `Enter this code in ${app} to make this your account's phone number:`,
  verify_email: (app) => `Enter this code in ${app} to verify your email address:`,
  verify_phone: (app) => `Enter this code in ${app} to verify your phone number:`,
  mfa: (app) => `Enter this code to finish signing in to ${app}:`,
};

const SMS_LABELS: Record<CodePurpose, string> = {
  registration: 'sign-up code',
  login: 'sign-in code',
  password_reset: 'password reset code',
  email_change: 'confirmation code',
  phone_change: 'confirmation code',
  verify_email: 'verification code',
  verify_phone: 'verification code',
  mfa: 'verification code',
};

export const ENGLISH: MessageCatalog = {
  greeting: (name) => (name ? `Hello ${name},` : 'Hello,'),
  footer: (app) => `This message was sent by ${app} because of activity on your account. Please do not reply to it.`,
  securityTip: 'Never share this code with anyone. We will never ask you for it by phone, email or chat.',
  otp: {
    subject: (purpose, app) => `${app}: ${SUBJECTS[purpose]}`,
    intro: (purpose, app) => INTROS[purpose](app),
    expiry: (minutes) => `The code expires in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} and works only once.`,
    notYou: 'If you did not ask for this code, you can ignore this message; nothing changes without it.',
    sms: (code, purpose, minutes, app) => `${code} is your ${app} ${SMS_LABELS[purpose]}. It expires in ${minutes} min. Never share it.`,
  },
  accountExists: {
    subject: (app) => `${app}: You already have an account`,
    paragraphs: (app) => [
      `Someone, hopefully you, just tried to create a new ${app} account with this address. You already have an account, so no new one was created.`,
      'If it was you, sign in instead; if you forgot your password, use "Forgot password" on the sign-in screen.',
      'If it was not you, you can ignore this message. Your account has not changed.',
    ],
    sms: (app) =>
      `Someone tried to sign up for ${app} with this number, which already has an account. Sign in or reset your password instead.`,
  },
  passwordChanged: {
    subject: (app) => `${app}: Your password was changed`,
    paragraphs: (app, changedAt, ip) => [
      `The password of your ${app} account was changed on ${changedAt}${ip ? ` from the address ${ip}` : ''}. Other devices have been signed out.`,
      'If this was you, there is nothing more to do.',
      'If it was not you, reset your password now with "Forgot password" on the sign-in screen and contact support.',
    ],
    sms: (app) => `Your ${app} password was changed. If this was not you, reset it now and contact support.`,
  },
  mfaReset: {
    subject: (app) => `${app}: Two-step verification was turned off`,
    paragraphs: (app, resetAt) => [
      `An administrator turned off two-step verification for your ${app} account on ${resetAt}. Signing in now needs only your usual sign-in method.`,
      'If you asked for this, set it up again under your account security settings once you can.',
      'If you did not ask for this, contact support now and change your password.',
    ],
    sms: (app) =>
      `Two-step verification on your ${app} account was turned off by an administrator. If you did not ask for this, contact support.`,
  },
};
