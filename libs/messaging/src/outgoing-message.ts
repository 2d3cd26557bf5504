import { MessageChannel } from './outbox-message.entity';

/** The kinds of message the service sends; each has an email and an SMS rendering. */
export type MessageTemplate = 'otp_code' | 'account_exists' | 'password_changed' | 'mfa_reset';

/**
 * Why a one-time code was sent: the message words its subject and intro after it. The same
 * names as the one-time code purposes, kept here so messaging does not depend on the codes.
 */
export const CODE_PURPOSES = [
  'registration',
  'login',
  'password_reset',
  'email_change',
  'phone_change',
  'verify_email',
  'verify_phone',
  'mfa',
] as const;
export type CodePurpose = (typeof CODE_PURPOSES)[number];

export interface OtpCodeData {
  code: string;
  purpose: CodePurpose;
  expiresInMinutes: number;
  displayName?: string | null;
}

export interface AccountExistsData {
  displayName?: string | null;
}

export interface PasswordChangedData {
  displayName?: string | null;
  /** When it happened (ISO 8601), and from where, so the owner can tell whether it was them. */
  changedAt: string;
  ip?: string | null;
}

export interface MfaResetData {
  displayName?: string | null;
  /** When an administrator turned two-step verification off (ISO 8601). */
  resetAt: string;
}

interface MessageOf<T extends MessageTemplate, D> {
  channel: MessageChannel;
  /** Normalized email address or E.164 phone number. */
  to: string;
  template: T;
  /** BCP 47 tag; English when absent or not shipped. */
  locale?: string | null;
  data: D;
}

export type OutgoingMessage =
  | MessageOf<'otp_code', OtpCodeData>
  | MessageOf<'account_exists', AccountExistsData>
  | MessageOf<'password_changed', PasswordChangedData>
  | MessageOf<'mfa_reset', MfaResetData>;

/** Data fields that are secrets: removed from the outbox row once the message is sent or given up. */
export const SECRET_FIELDS = ['code'] as const;

/**
 * The secret fields a template cannot be rendered without. Once they are removed (a message sent
 * or given up), the message can't be sent again: a code mail without its code says nothing.
 */
export const TEMPLATE_SECRETS: Record<MessageTemplate, readonly (typeof SECRET_FIELDS)[number][]> = {
  otp_code: ['code'],
  account_exists: [],
  password_changed: [],
  mfa_reset: [],
};
