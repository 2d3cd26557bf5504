import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, IdColumn, RefColumn, TimeColumn } from '@identity/database';

/**
 * The state between a first factor and the second: what an `mfaToken` stands for. Only a keyed
 * hash of the token is stored. It is bound to the user and the first factor that was proven,
 * lives MFA_TOKEN_TTL, counts wrong codes and is consumed by a conditional update, once.
 */
@Entity('mfa_challenges')
@Index('idx_mfa_challenges_expires', ['expiresAt'])
export class MfaChallengeEntity {
  @IdColumn()
  id: string;

  @Index('idx_mfa_challenges_user')
  @RefColumn({ name: 'user_id' })
  userId: string;

  @ManyToOne('UserEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_mfa_challenges_user' })
  user?: unknown;

  @Index('uq_mfa_challenges_token', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  /** The login method of the first factor; the session opened afterwards records it. */
  @Column({ type: 'varchar', length: 50 })
  provider: string;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'max_attempts', type: 'int' })
  maxAttempts: number;

  @TimeColumn({ name: 'expires_at' })
  expiresAt: Date;

  @TimeColumn({ name: 'consumed_at', nullable: true })
  consumedAt: Date | null;

  @Column({ type: 'varchar', length: 45, nullable: true })
  ip: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
