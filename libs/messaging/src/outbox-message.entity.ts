import { Column, Entity, Index } from 'typeorm';
import { CreatedAtColumn, IdColumn, JsonColumn, TimeColumn } from '@identity/database';

export type MessageChannel = 'email' | 'sms';
/** Template data as stored: flat JSON values. */
export type MessagePayload = Record<string, string | number | boolean | null>;

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

/**
 * A message waiting to leave the service, written in the same transaction as the change that
 * needs it. The dispatcher claims due rows with a conditional update (`pending`/`sending` with
 * `next_attempt_at` in the past → `sending` with a lease in `next_attempt_at`), which both
 * dialects support and which lets only one instance win each row.
 */
@Entity('message_outbox')
@Index('idx_message_outbox_due', ['status', 'nextAttemptAt'])
@Index('idx_message_outbox_created', ['createdAt'])
export class OutboxMessageEntity {
  @IdColumn()
  id: string;

  @Column({ type: 'varchar', length: 8 })
  channel: MessageChannel;

  /** Normalized email or E.164 phone number. */
  @Column({ type: 'varchar', length: 320 })
  recipient: string;

  @Column({ type: 'varchar', length: 64 })
  template: string;

  @Column({ type: 'varchar', length: 16, nullable: true })
  locale: string | null;

  /** Template data. Secret values (codes) are removed once the message is sent or given up. */
  @JsonColumn()
  payload: MessagePayload | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: OutboxStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** When the row is next due: the retry time while pending, the lease expiry while sending. */
  @TimeColumn({ name: 'next_attempt_at' })
  nextAttemptAt: Date;

  @Column({ name: 'last_error', type: 'varchar', length: 512, nullable: true })
  lastError: string | null;

  @TimeColumn({ name: 'sent_at', nullable: true })
  sentAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
