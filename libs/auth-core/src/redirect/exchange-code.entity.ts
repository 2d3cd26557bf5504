import { Column, Entity, Index } from 'typeorm';
import { BoolColumn, CreatedAtColumn, IdColumn, RefColumn, TimeColumn } from '@identity/database';

/**
 * A one-time code that a redirect sign-in hands to the client instead of tokens: the code in the
 * URL is worth nothing after one exchange or a minute, and only its SHA-256 is stored.
 */
@Entity('exchange_codes')
@Index('idx_exchange_codes_expires', ['expiresAt'])
export class ExchangeCodeEntity {
  @IdColumn()
  id: string;

  @Index('uq_exchange_codes_code', { unique: true })
  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @RefColumn({ name: 'user_id' })
  userId: string;

  @Column({ type: 'varchar', length: 50 })
  provider: string;

  /** Whether the sign-in created the account (the exchange answers 201 then). */
  @BoolColumn({ name: 'account_created', default: false })
  accountCreated: boolean;

  @TimeColumn({ name: 'expires_at' })
  expiresAt: Date;

  @TimeColumn({ name: 'consumed_at', nullable: true })
  consumedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
