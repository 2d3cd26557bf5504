import { Column, Entity, Index } from 'typeorm';
import { BoolColumn, CreatedAtColumn, IdColumn, JsonColumn, TimeColumn, UpdatedAtColumn } from '@identity/database';

/** A person known to the service. Ways to sign in live in `user_auth`, never here. */
@Entity('users')
// The admin list pages by (created_at, id), newest first.
@Index('idx_users_created', ['createdAt', 'id'])
// The admin search matches prefixes of email, phone and display name, each a range of an index.
// The migrations make them per dialect and the schema sync leaves them alone: SQLite's LIKE can
// only use NOCASE indexes, hence its own three; on MySQL the unique indexes of email and phone
// serve (the collation is case-insensitive) and only the display name needs one.
@Index('idx_users_display_name', { synchronize: false })
@Index('idx_users_email_nocase', { synchronize: false })
@Index('idx_users_phone_nocase', { synchronize: false })
export class UserEntity {
  @IdColumn()
  id: string;

  /** Normalized (NFKC, trimmed, lower case). */
  @Index('uq_users_email', { unique: true })
  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  @TimeColumn({ name: 'email_verified_at', nullable: true })
  emailVerifiedAt: Date | null;

  /** E.164. */
  @Index('uq_users_phone', { unique: true })
  @Column({ type: 'varchar', length: 20, nullable: true })
  phone: string | null;

  @TimeColumn({ name: 'phone_verified_at', nullable: true })
  phoneVerifiedAt: Date | null;

  @Column({ name: 'display_name', type: 'varchar', length: 255 })
  displayName: string;

  @Column({ name: 'avatar_url', type: 'varchar', length: 2048, nullable: true })
  avatarUrl: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  country: string | null;

  @Column({ type: 'varchar', length: 35, nullable: true })
  locale: string | null;

  /** Custom fields a deployment needs (academic year, roll number, …). */
  @JsonColumn()
  profile: Record<string, unknown> | null;

  @BoolColumn({ name: 'is_active', default: true })
  isActive: boolean;

  @TimeColumn({ name: 'last_login_at', nullable: true })
  lastLoginAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
