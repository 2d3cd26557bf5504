import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { CreatedAtColumn, IdColumn, RefColumn, TimeColumn } from '@identity/database';
import { SessionEntity } from './session.entity';

/** A refresh token, stored only as its SHA-256. Each use rotates it into a new row. */
@Entity('refresh_tokens')
export class RefreshTokenEntity {
  @IdColumn()
  id: string;

  @Index('idx_refresh_tokens_session')
  @RefColumn({ name: 'session_id' })
  sessionId: string;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'fk_refresh_tokens_session' })
  session?: SessionEntity;

  /** Hex SHA-256 of the token. */
  @Index('uq_refresh_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @CreatedAtColumn()
  createdAt: Date;

  /** Idle expiry: the token must be used (rotated) before this. */
  @TimeColumn({ name: 'expires_at' })
  expiresAt: Date;

  @TimeColumn({ name: 'rotated_at', nullable: true })
  rotatedAt: Date | null;

  @RefColumn({ name: 'replaced_by', nullable: true })
  replacedBy: string | null;
}
