import { Column, Entity, Index } from 'typeorm';
import { BoolColumn, CreatedAtColumn, IdColumn, UpdatedAtColumn } from '@identity/database';

export type ProviderKind = 'password' | 'otp' | 'oauth' | 'id-token';

/** One row per login method the deployment knows; upserted from the provider registry on boot. */
@Entity('auth_providers')
export class AuthProviderEntity {
  @IdColumn()
  id: string;

  @Index('uq_auth_providers_name', { unique: true })
  @Column({ type: 'varchar', length: 50 })
  name: string;

  @Column({ name: 'display_name', type: 'varchar', length: 100 })
  displayName: string;

  @Column({ type: 'varchar', length: 20 })
  kind: ProviderKind;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /**
   * The admin switch (PATCH /admin/auth-providers/{name}). Checked on every request to the
   * provider's routes, so turning it off takes effect at once on every instance.
   */
  @BoolColumn({ name: 'is_enabled', default: true })
  isEnabled: boolean;

  /** Usable now: mounted, configured and enabled. Recomputed on boot and when the switch moves. */
  @BoolColumn({ name: 'is_active', default: false })
  isActive: boolean;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
