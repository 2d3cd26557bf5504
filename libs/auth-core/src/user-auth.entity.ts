import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BoolColumn, CreatedAtColumn, IdColumn, JsonColumn, RefColumn, TimeColumn, UpdatedAtColumn } from '@identity/database';
import { UserEntity } from '@identity/users';
import { AuthProviderEntity } from './auth-provider.entity';

/**
 * One way a user signs in: a (provider, subject) pair linked to a user. For the local provider
 * the subject is the user id and the row carries the username and password hash.
 */
@Entity('user_auth')
@Index('uq_user_auth_user_provider', ['userId', 'authProviderId'], { unique: true })
@Index('uq_user_auth_provider_subject', ['authProviderId', 'providerUserId'], { unique: true })
@Index('uq_user_auth_provider_username', ['authProviderId', 'username'], { unique: true })
// The admin search matches username prefixes (NOCASE on SQLite; see UserEntity's search indexes).
@Index('idx_user_auth_username', { synchronize: false })
export class UserAuthEntity {
  @IdColumn()
  id: string;

  @RefColumn({ name: 'user_id' })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_auth_user' })
  user?: UserEntity;

  @RefColumn({ name: 'auth_provider_id' })
  authProviderId: string;

  @ManyToOne(() => AuthProviderEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'auth_provider_id', foreignKeyConstraintName: 'fk_user_auth_provider' })
  authProvider?: AuthProviderEntity;

  @Column({ name: 'provider_user_id', type: 'varchar', length: 255, nullable: true })
  providerUserId: string | null;

  @Column({ name: 'provider_email', type: 'varchar', length: 320, nullable: true })
  providerEmail: string | null;

  /** Normalized username or roll number (local provider). */
  @Column({ type: 'varchar', length: 191, nullable: true })
  username: string | null;

  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash: string | null;

  @JsonColumn({ name: 'provider_data' })
  providerData: Record<string, unknown> | null;

  @BoolColumn({ name: 'is_verified', default: false })
  isVerified: boolean;

  @TimeColumn({ name: 'verified_at', nullable: true })
  verifiedAt: Date | null;

  @TimeColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
