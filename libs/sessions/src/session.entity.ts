import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, IdColumn, RefColumn, TimeColumn } from '@identity/database';
import { UserEntity } from '@identity/users';

/** One signed-in device or browser. Refresh tokens rotate within it; revoking it ends them all. */
@Entity('sessions')
@Index('idx_sessions_user', ['userId', 'revokedAt'])
@Index('idx_sessions_expires', ['expiresAt'])
export class SessionEntity {
  @IdColumn()
  id: string;

  @RefColumn({ name: 'user_id' })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_sessions_user' })
  user?: UserEntity;

  /** The login method that opened the session (`local`, `google`, …). */
  @Column({ type: 'varchar', length: 50 })
  provider: string;

  @Column({ type: 'varchar', length: 45, nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ name: 'device_label', type: 'varchar', length: 100, nullable: true })
  deviceLabel: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @TimeColumn({ name: 'last_used_at' })
  lastUsedAt: Date;

  /** Absolute end of the session, whatever refreshes happen. */
  @TimeColumn({ name: 'expires_at' })
  expiresAt: Date;

  /**
   * When the holder last proved who they are: the sign-in, or a later POST /auth/reauthenticate.
   * Null on sessions opened before the column existed (their created_at stands in).
   */
  @TimeColumn({ name: 'auth_time', nullable: true })
  authTime: Date | null;

  /** Authentication methods of the sign-in (RFC 8176 `amr` values), space separated. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  amr: string | null;

  @TimeColumn({ name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoke_reason', type: 'varchar', length: 50, nullable: true })
  revokeReason: string | null;
}

/** The session's `amr` values as a list (stored space separated, see SessionsService.open). */
export function amrOf(session: Pick<SessionEntity, 'amr'>): string[] {
  return session.amr ? session.amr.split(' ') : [];
}
