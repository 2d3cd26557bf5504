import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AppError, Errors, FieldError, newId, SecurityEvents, ValidationError } from '@identity/common';
import { isUniqueViolation, TransactionRunner } from '@identity/database';
import { ALL_PERMISSIONS, WILDCARD_PERMISSION } from './permissions';
import { ROLE_NAME } from './role.dto';
import { RoleEntity } from './role.entity';
import { UserRoleEntity } from './user-role.entity';

export interface NewRole {
  name: string;
  description?: string | null;
  permissions: string[];
  selfAssignable?: boolean;
}

export interface RoleChanges {
  description?: string | null;
  permissions?: string[];
  selfAssignable?: boolean;
}

/** Managing the roles themselves (admin API). Who holds which role is RbacService's business. */
@Injectable()
export class RolesService {
  constructor(
    @InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
  ) {}

  async list(): Promise<RoleEntity[]> {
    // Sorted here rather than by the database: MySQL's collation puts `_` before digits, SQLite
    // after, and the order should not depend on the dialect.
    return (await this.roles.find()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async get(id: string): Promise<RoleEntity> {
    const role = await this.roles.findOneBy({ id });
    if (!role) throw Errors.notFound('role');
    return role;
  }

  async create(input: NewRole): Promise<RoleEntity> {
    const permissions = normalizePermissions(input.permissions);
    const selfAssignable = input.selfAssignable ?? false;
    // The DTO checks the name too; this guards callers that bypass HTTP (the CLI, other modules).
    if (!ROLE_NAME.test(input.name)) throw new ValidationError([{ field: 'name', messages: ['name must match ' + ROLE_NAME.source] }]);
    assertValid(permissions, selfAssignable, true);
    const role = this.roles.create({
      id: newId(),
      name: input.name,
      description: normalizeDescription(input.description),
      permissions,
      isSystem: false,
      selfAssignable,
    });
    try {
      // Concurrent creations of one name are settled by the unique index, not by a prior read.
      return await this.transactions.run(async (manager) => {
        await manager.insert(RoleEntity, role);
        await this.events.publish({
          action: 'role.created',
          success: true,
          metadata: { roleId: role.id, role: role.name, description: role.description, permissions, selfAssignable },
          manager,
        });
        return manager.findOneByOrFail(RoleEntity, { id: role.id });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw roleExists(input.name);
      throw error;
    }
  }

  /** Changes what is given; a request that changes nothing is answered with the role and not recorded. */
  async update(id: string, input: RoleChanges): Promise<RoleEntity> {
    return this.transactions.run(async (manager) => {
      const role = await this.lock(manager, id);
      const changes: Record<string, unknown> = {};
      const patch: Partial<RoleEntity> = {};

      if (input.description !== undefined) {
        const description = normalizeDescription(input.description);
        if (description !== role.description) {
          changes.description = { from: role.description, to: description };
          patch.description = description;
        }
      }
      if (input.permissions !== undefined) {
        const permissions = normalizePermissions(input.permissions);
        const added = permissions.filter((permission) => !role.permissions.includes(permission));
        const removed = role.permissions.filter((permission) => !permissions.includes(permission));
        if (added.length || removed.length) {
          changes.permissions = { added, removed };
          patch.permissions = permissions;
        }
      }
      if (input.selfAssignable !== undefined && input.selfAssignable !== role.selfAssignable) {
        changes.selfAssignable = { from: role.selfAssignable, to: input.selfAssignable };
        patch.selfAssignable = input.selfAssignable;
      }

      if (role.isSystem && (patch.permissions || patch.selfAssignable !== undefined))
        throw systemRole(role.name, 'change the permissions or self-assignability of');
      assertValid(patch.permissions ?? role.permissions, patch.selfAssignable ?? role.selfAssignable, patch.permissions !== undefined);
      if (Object.keys(patch).length === 0) return role;

      await manager.update(RoleEntity, { id }, patch);
      await this.events.publish({ action: 'role.updated', success: true, metadata: { roleId: id, role: role.name, changes }, manager });
      return manager.findOneByOrFail(RoleEntity, { id });
    });
  }

  /**
   * Deletes a custom role. While users hold it that needs `force`, which takes it from them
   * first; the count of users who lost it goes into the audit event.
   */
  async delete(id: string, force: boolean): Promise<void> {
    await this.transactions.run(async (manager) => {
      // Locked so a concurrent grant (its user_roles insert share-locks the role row through the
      // foreign key) either commits before the count below or waits until the role is gone.
      const role = await this.lock(manager, id);
      if (role.isSystem) throw systemRole(role.name, 'delete');
      const holders = await manager.countBy(UserRoleEntity, { roleId: id });
      if (holders > 0 && !force) {
        throw new AppError(
          HttpStatus.CONFLICT,
          'role_in_use',
          'Role in use',
          `${holders} user(s) hold the role "${role.name}"; remove it from them first, or delete with force=true.`,
          { users: holders },
        );
      }
      const detached = holders > 0 ? ((await manager.delete(UserRoleEntity, { roleId: id })).affected ?? holders) : 0;
      await manager.delete(RoleEntity, { id });
      await this.events.publish({
        action: 'role.deleted',
        success: true,
        metadata: { roleId: id, role: role.name, permissions: role.permissions, detachedUsers: detached, force },
        manager,
      });
    });
  }

  /** Reads the role for a change, holding its row until the transaction ends. */
  private async lock(manager: EntityManager, id: string): Promise<RoleEntity> {
    // SQLite has no row locks, and needs none: TransactionRunner runs its transactions one at a time.
    const role = await manager.findOne(RoleEntity, {
      where: { id },
      lock: this.transactions.isSqlite ? undefined : { mode: 'pessimistic_write' },
    });
    if (!role) throw Errors.notFound('role');
    return role;
  }
}

function normalizePermissions(permissions: string[]): string[] {
  return [...new Set(permissions)].sort();
}

function normalizeDescription(description: string | null | undefined): string | null {
  return description?.trim() || null;
}

/**
 * The rules of a custom role: only known permissions, never `*` (that is the admin role's
 * alone), and no permissions on a self-assignable role, since a user picks those themselves.
 */
function assertValid(permissions: string[], selfAssignable: boolean, permissionsChanged: boolean): void {
  const problems: FieldError[] = [];
  if (permissionsChanged) {
    if (permissions.includes(WILDCARD_PERMISSION))
      problems.push({ field: 'permissions', messages: ['"*" is reserved for the system admin role; list the permissions instead'] });
    const unknown = permissions.filter((permission) => permission !== WILDCARD_PERMISSION && !ALL_PERMISSIONS.includes(permission));
    if (unknown.length)
      problems.push({
        field: 'permissions',
        messages: [`unknown permission(s): ${unknown.join(', ')}; known are ${ALL_PERMISSIONS.join(', ')}`],
      });
  }
  if (selfAssignable && permissions.length)
    problems.push({
      field: 'selfAssignable',
      messages: ['a role that grants permissions cannot be self-assignable: users pick those roles themselves at sign-up'],
    });
  if (problems.length) throw new ValidationError(problems, problems.flatMap((problem) => problem.messages).join('; ') + '.');
}

const roleExists = (name: string) =>
  new AppError(HttpStatus.CONFLICT, 'role_exists', 'Role exists', `A role named "${name}" already exists.`);

const systemRole = (name: string, what: string) =>
  new AppError(HttpStatus.CONFLICT, 'system_role', 'System role', `"${name}" is a system role; you cannot ${what} it.`);
