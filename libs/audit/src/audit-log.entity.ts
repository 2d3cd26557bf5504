import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BoolColumn, CreatedAtColumn, IdColumn, JsonColumn, RefColumn } from '@identity/database';
import { UserEntity } from '@identity/users';

/**
 * One security event. Rows outlive their user (user_id is nulled on delete) so the history of
 * what happened to an account, and who did it, survives the account.
 *
 * Lists are newest first on (created_at, id). Each (x, created_at) index serves one equality
 * filter in that order. Where `id` is spelled out it costs InnoDB nothing (it appends the primary
 * key to every secondary index anyway) but SQLite's indexes end in the rowid: without `id` its
 * planner sorts the whole table for a filter no index covers (`success`). The action index also
 * carries `user_id`, so the failed-logins-per-day report (action, time range, distinct users)
 * reads only the index instead of one table row per failure.
 */
@Entity('audit_logs')
@Index('idx_audit_logs_user_created', ['userId', 'createdAt'])
@Index('idx_audit_logs_actor_created', ['actorId', 'createdAt'])
@Index('idx_audit_logs_action_created', ['action', 'createdAt', 'id', 'userId'])
@Index('idx_audit_logs_ip_created', ['ip', 'createdAt'])
@Index('idx_audit_logs_created', ['createdAt', 'id'])
export class AuditLogEntity {
  @IdColumn()
  id: string;

  @RefColumn({ name: 'user_id', nullable: true })
  userId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_audit_logs_user' })
  user?: UserEntity;

  /** Who acted, when someone other than the user (an admin); no foreign key: admins come and go. */
  @RefColumn({ name: 'actor_id', nullable: true })
  actorId: string | null;

  @RefColumn({ name: 'session_id', nullable: true })
  sessionId: string | null;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @BoolColumn()
  success: boolean;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode: string | null;

  @Column({ type: 'varchar', length: 45, nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  method: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  endpoint: string | null;

  @JsonColumn()
  metadata: Record<string, unknown> | null;

  @Column({ name: 'duration_ms', type: 'int', nullable: true })
  durationMs: number | null;

  @CreatedAtColumn()
  createdAt: Date;
}
