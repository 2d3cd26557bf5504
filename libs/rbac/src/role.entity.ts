import { Column, Entity, Index } from 'typeorm';
import { BoolColumn, CreatedAtColumn, IdColumn, JsonColumn, UpdatedAtColumn } from '@identity/database';

@Entity('roles')
export class RoleEntity {
  @IdColumn()
  id: string;

  @Index('uq_roles_name', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  description: string | null;

  /** Permission names such as `users:read`; `*` grants everything. */
  @JsonColumn({ nullable: false })
  permissions: string[];

  /** System roles (admin, user) cannot be deleted. */
  @BoolColumn({ name: 'is_system', default: false })
  isSystem: boolean;

  /** Whether a user may pick this role for themselves at sign-up (e.g. teacher, student). */
  @BoolColumn({ name: 'self_assignable', default: false })
  selfAssignable: boolean;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
