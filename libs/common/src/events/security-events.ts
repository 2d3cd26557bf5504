import { EntityManager } from 'typeorm';

/** Every security-relevant action the service records. Stable strings: they are stored. */
export const AUDIT_ACTIONS = [
  'login.succeeded',
  'login.failed',
  'token.refreshed',
  'token.refresh_failed',
  'token.reuse_detected',
  'logout',
  'session.revoked',
  'password.changed',
  'password.reset_requested',
  'password.reset',
  'registration.requested',
  'registration.completed',
  'otp.sent',
  'otp.verified',
  'otp.failed',
  'email.changed',
  'phone.changed',
  'message.failed',
  'message.requeued',
  'identity.linked',
  'identity.unlinked',
  'identity.link_failed',
  'account.created',
  'user.created',
  'users.imported',
  'user.updated',
  'user.activated',
  'user.deactivated',
  'user.deleted',
  'user.unlocked',
  'user.sessions_revoked',
  'user.roles_changed',
  'role.created',
  'role.updated',
  'role.deleted',
  'provider.enabled',
  'provider.disabled',
  'mfa.enrolled',
  'mfa.verified',
  'mfa.failed',
  'mfa.recovery_code_used',
  'mfa.recovery_codes_regenerated',
  'mfa.disabled',
  'mfa.reset',
  'reauthenticated',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Metadata keys for administrators only; the account holder's own security history leaves them
 * out. `decoy` marks a code that was never sent because the address belongs to another account:
 * showing it to the person who asked would tell them exactly what the decoy hides.
 */
export const ADMIN_ONLY_METADATA_KEYS: readonly string[] = ['decoy'];

/**
 * A security event as modules publish it. Request facts (IP, user agent, endpoint, duration) are
 * added from the request context by the audit listener; modules only say what happened.
 */
export interface SecurityEvent {
  action: AuditAction;
  success: boolean;
  /** The account the event is about. */
  userId?: string | null;
  /** Who did it, when not the user themselves (an admin). Defaults to the caller. */
  actorId?: string | null;
  sessionId?: string | null;
  /** Stable error code of a failure (never a secret). */
  errorCode?: string | null;
  metadata?: Record<string, unknown>;
  /** The transaction of the change, so the event commits (or rolls back) with it. */
  manager?: EntityManager;
}

export const SECURITY_EVENT = 'security.event';
