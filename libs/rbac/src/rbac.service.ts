import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { Errors, newId } from '@identity/common';
import { isUniqueViolation, PreparedStatement } from '@identity/database';
import { RoleEntity } from './role.entity';
import { UserRoleEntity } from './user-role.entity';
import { WILDCARD_PERMISSION } from './permissions';

export const ADMIN_ROLE = 'admin';
export const DEFAULT_ROLE = 'user';

const SYSTEM_ROLES: Pick<RoleEntity, 'name' | 'description' | 'permissions'>[] = [
  { name: ADMIN_ROLE, description: 'Full access to every admin endpoint.', permissions: [WILDCARD_PERMISSION] },
  { name: DEFAULT_ROLE, description: 'Every account has this role.', permissions: [] },
];

@Injectable()
export class RbacService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RbacService.name);
  /** One user's role names, in every sign-in's answer (see PreparedStatement). */
  private readonly namesOf = new PreparedStatement((manager) =>
    manager
      .createQueryBuilder(UserRoleEntity, 'link')
      .innerJoin('link.role', 'role')
      .select(['link.userId', 'role.name'])
      .where('link.userId = :userId'),
  );

  constructor(
    @InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>,
    @InjectRepository(UserRoleEntity) private readonly userRoles: Repository<UserRoleEntity>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureSystemRoles();
  }

  /** Creates the system roles if absent. Safe when several instances boot at once. */
  async ensureSystemRoles(): Promise<void> {
    for (const role of SYSTEM_ROLES) {
      if (await this.roles.existsBy({ name: role.name })) continue;
      try {
        await this.roles.insert({ id: newId(), ...role, isSystem: true, selfAssignable: false });
        this.logger.log(`created system role ${role.name}`);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
  }

  /** The user's role names, sorted. */
  async roleNamesOf(userId: string): Promise<string[]> {
    const rows = await this.namesOf.entities<{ role: RoleEntity }>(this.userRoles.manager, { userId });
    return rows.map((row) => row.role.name).sort();
  }

  /** Role names of each of the users (sorted; none for a user without roles), in one query. */
  async roleNamesByUser(userIds: string[]): Promise<Map<string, string[]>> {
    const names = new Map(userIds.map((userId) => [userId, [] as string[]]));
    if (userIds.length === 0) return names;
    const rows = await this.userRoles.find({ where: { userId: In(userIds) }, relations: { role: true } });
    for (const row of rows) names.get(row.userId)?.push(row.role!.name);
    for (const list of names.values()) list.sort();
    return names;
  }

  /** The user's current roles and the union of their permissions, read fresh from the database. */
  async access(userId: string): Promise<{ roles: string[]; permissions: string[] }> {
    const roles = await this.rolesOf(userId);
    return { roles: roles.map((role) => role.name).sort(), permissions: [...new Set(roles.flatMap((role) => role.permissions))] };
  }

  private async rolesOf(userId: string): Promise<RoleEntity[]> {
    const rows = await this.userRoles.find({ where: { userId }, relations: { role: true } });
    return rows.map((row) => row.role!);
  }

  /**
   * Refuses unless every named role exists and may be picked by users themselves: sign-up flows
   * call this on the role a client asked for. Unknown and non-self-assignable names get the same
   * answer, so a public endpoint does not reveal which roles exist. A role with permissions is
   * refused even if it was somehow marked self-assignable: nobody grants themselves power.
   */
  async assertSelfAssignable(roleNames: string[], manager: EntityManager = this.roles.manager): Promise<void> {
    const names = [...new Set(roleNames)];
    if (names.length === 0) return;
    const roles = await manager.findBy(RoleEntity, { name: In(names) });
    const refused = names.filter((name) => {
      const role = roles.find((candidate) => candidate.name === name);
      return !role?.selfAssignable || role.permissions.length > 0;
    });
    if (refused.length)
      throw Errors.badRequest('role_not_self_assignable', `These roles cannot be chosen at sign-up: ${refused.join(', ')}.`);
  }

  /** Adds roles by name inside the caller's transaction; unknown names are refused. */
  async grant(manager: EntityManager, userId: string, roleNames: string[]): Promise<void> {
    const names = [...new Set(roleNames)];
    if (names.length === 0) return;
    const roles = await manager.findBy(RoleEntity, { name: In(names) });
    const missing = names.filter((name) => !roles.some((role) => role.name === name));
    if (missing.length) throw Errors.badRequest('unknown_role', `Unknown role(s): ${missing.join(', ')}.`);
    const existing = await manager.findBy(UserRoleEntity, { userId, roleId: In(roles.map((role) => role.id)) });
    const toAdd = roles.filter((role) => !existing.some((row) => row.roleId === role.id));
    if (toAdd.length)
      await manager.insert(
        UserRoleEntity,
        toAdd.map((role) => ({ userId, roleId: role.id })),
      );
  }
}
