import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, JsonColumn, TimeColumn, UpdatedAtColumn } from '@identity/database';

/**
 * A user's second factor: one TOTP authenticator and its recovery codes. The row exists from the
 * start of enrolment; MFA is on once `confirmed_at` is set.
 *
 * The users table is named by entity name rather than imported, since this library sits below
 * the users library; the foreign key still removes the row with its user.
 */
@Entity('user_mfa')
export class UserMfaEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @OneToOne('UserEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_mfa_user' })
  user?: unknown;

  /** The base32 TOTP secret, sealed with AES-256-GCM (see secret-box.ts); never the plain secret. */
  @Column({ name: 'totp_secret', type: 'varchar', length: 255 })
  totpSecret: string;

  @TimeColumn({ name: 'confirmed_at', nullable: true })
  confirmedAt: Date | null;

  /** The time step of the last TOTP code accepted: that code and older ones are refused. */
  @Column({ name: 'last_used_step', type: 'int', nullable: true })
  lastUsedStep: number | null;

  /** Keyed hashes of the recovery codes not used yet. */
  @JsonColumn({ name: 'recovery_codes' })
  recoveryCodes: string[] | null;

  /** Bumped on every change of the recovery codes, so two uses of one code cannot both succeed. */
  @Column({ type: 'int', default: 0 })
  version: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
