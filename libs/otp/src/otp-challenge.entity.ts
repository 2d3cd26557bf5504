import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, RefColumn, TimeColumn } from '@identity/database';

export const OTP_PURPOSES = [
  'registration',
  'login',
  'password_reset',
  'email_change',
  'phone_change',
  'verify_email',
  'verify_phone',
  'mfa',
] as const;
export type OtpPurpose = (typeof OTP_PURPOSES)[number];

export type OtpChannel = 'email' | 'sms';

/**
 * One code sent (or, for an address that must not learn anything, pretended to be sent) to a
 * destination for one purpose. The code itself is never stored: only a keyed hash of purpose,
 * destination and code, so a leaked table reveals nothing and a code is useless elsewhere.
 *
 * `active_key` is a hash of (purpose, destination) while the challenge is the one in force and
 * NULL afterwards; its unique index is what makes "a resend replaces the previous code" hold
 * under concurrency (two live codes for one destination cannot both be inserted).
 */
@Entity('otp_challenges')
@Index('idx_otp_challenges_destination_created', ['destination', 'createdAt'])
@Index('idx_otp_challenges_ip_created', ['ip', 'createdAt'])
@Index('idx_otp_challenges_expires', ['expiresAt'])
export class OtpChallengeEntity {
  @IdColumn()
  id: string;

  @Column({ type: 'varchar', length: 32 })
  purpose: OtpPurpose;

  @Column({ type: 'varchar', length: 8 })
  channel: OtpChannel;

  /** Normalized email or E.164 phone number. */
  @Column({ type: 'varchar', length: 320 })
  destination: string;

  /** The account the code is for, when there is one (no foreign key: rows are short-lived). */
  @RefColumn({ name: 'user_id', nullable: true })
  userId: string | null;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'max_attempts', type: 'int' })
  maxAttempts: number;

  @TimeColumn({ name: 'expires_at' })
  expiresAt: Date;

  @TimeColumn({ name: 'consumed_at', nullable: true })
  consumedAt: Date | null;

  @Index('uq_otp_challenges_active', { unique: true })
  @Column({ name: 'active_key', type: 'varchar', length: 64, nullable: true })
  activeKey: string | null;

  @Column({ type: 'varchar', length: 45, nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
