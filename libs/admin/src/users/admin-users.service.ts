import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Not, Repository } from 'typeorm';
import {
  AppError,
  AuditAction,
  Errors,
  FieldError,
  newId,
  normalizeEmail,
  normalizePhone,
  normalizeUsername,
  Principal,
  SecurityEvents,
  ValidationError,
} from '@identity/common';
import { accountKeyOf, LockoutService } from '@identity/abuse';
import { isUniqueViolation, TransactionRunner } from '@identity/database';
import { PasswordHasher, PasswordPolicy, ProviderRegistry, UserAuthEntity, UserDto, UserViewService } from '@identity/auth-core';
import { DEFAULT_ROLE, grants, PERMISSIONS, RbacService, RoleEntity, UserRoleEntity } from '@identity/rbac';
import { SessionsService } from '@identity/sessions';
import { UserEntity, UsersService } from '@identity/users';
import { AdminUpdateUserDto, CreateUserDto } from './admin-users.dto';

/** The local login method's name. Admin never imports the provider, only its stored rows. */
const LOCAL_PROVIDER = 'local';

/** Same rule as the local provider's sign-up: letters, digits and . _ - / ; no @ or leading +. */
const USERNAME = /^[\p{L}\p{N}][\p{L}\p{N}._\-/]{1,63}$/u;

/** What an admin needs to keep for themselves when changing their own roles. */
const ROLE_MANAGEMENT = [PERMISSIONS.usersWrite, PERMISSIONS.rolesWrite];

interface NormalizedAccount {
  email: string | null;
  phone: string | null;
  username: string | null;
}

const conflict = (code: string, title: string, detail: string) => new AppError(HttpStatus.CONFLICT, code, title, detail);
const accountExists = () => conflict('account_exists', 'Account exists', 'An account with this email, phone or username already exists.');
const cannotModifySelf = (what: string) => conflict('cannot_modify_self', 'Cannot modify yourself', `Admins cannot ${what} themselves.`);

/**
 * Write side of the admin users API. Every change publishes its security event in the same
 * transaction, so the audit row commits or rolls back with it; the acting admin is filled in by
 * the audit listener from the request.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: UsersService,
    private readonly views: UserViewService,
    private readonly rbac: RbacService,
    private readonly sessions: SessionsService,
    private readonly registry: ProviderRegistry,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly lockout: LockoutService,
    @InjectRepository(RoleEntity) private readonly roles: Repository<RoleEntity>,
    @InjectRepository(UserAuthEntity) private readonly identities: Repository<UserAuthEntity>,
  ) {}

  async create(input: CreateUserDto, actor: Principal): Promise<UserDto> {
    const account = this.validateAccount(input);
    const roleNames = [...new Set([DEFAULT_ROLE, ...(input.roles ?? [])])];
    await this.assertMayGrant(actor.userId, roleNames);
    // Hashing is slow: done before the transaction so it holds no locks meanwhile.
    const passwordHash = input.password ? await this.hasher.hash(input.password) : null;
    try {
      const user = await this.transactions.run(async (manager) => {
        const created = await this.users.create(manager, {
          ...account,
          emailVerified: input.verified,
          phoneVerified: input.verified,
          displayName: input.displayName.trim(),
        });
        if (passwordHash || account.username) await this.insertLocalCredential(manager, created.id, account, passwordHash, input.verified);
        await this.rbac.grant(manager, created.id, roleNames);
        const metadata = {
          roles: roleNames,
          password: passwordHash !== null,
          username: account.username,
          verified: Boolean(input.verified),
        };
        await this.publish(manager, 'user.created', created.id, metadata);
        return created;
      });
      return await this.views.of(user);
    } catch (error) {
      // Unique keys settle concurrent creations of one email, phone or username.
      if (isUniqueViolation(error)) throw accountExists();
      throw error;
    }
  }

  /** Checks and normalizes every identifier at once, so the client sees all problems together. */
  private validateAccount(input: CreateUserDto): NormalizedAccount {
    const account = {
      email: input.email ? normalizeEmail(input.email) : null,
      phone: input.phone ? normalizePhone(input.phone) : null,
      username: input.username ? normalizeUsername(input.username) : null,
    };
    const problems: FieldError[] = [];
    if (input.phone && !account.phone)
      problems.push({ field: 'phone', messages: ['phone must be a valid number in E.164 form, e.g. +4915112345678'] });
    if (account.username && !USERNAME.test(account.username))
      problems.push({ field: 'username', messages: ['username must be 2-64 letters, digits, or . _ - /'] });
    if (!account.email && !account.phone && !account.username)
      problems.push({ field: 'email', messages: ['one of email, phone or username is required'] });
    if (input.password)
      problems.push(
        ...this.policy.problems(input.password, account).map((problem) => ({ field: 'password', messages: [`password ${problem}`] })),
      );
    if (problems.length) throw new ValidationError(problems);
    return account;
  }

  /**
   * The `local` user_auth row, as the local provider writes it: the subject is the user id.
   * Duplicated from LocalAccountsService.create because admin may not import a provider; both
   * belong in a shared credentials service in auth-core.
   */
  private async insertLocalCredential(
    manager: EntityManager,
    userId: string,
    account: NormalizedAccount,
    passwordHash: string | null,
    verified = false,
  ): Promise<void> {
    await manager.insert(UserAuthEntity, {
      id: newId(),
      userId,
      authProviderId: this.registry.rowId(LOCAL_PROVIDER),
      providerUserId: userId,
      providerEmail: account.email,
      username: account.username,
      passwordHash,
      providerData: null,
      isVerified: verified,
      verifiedAt: verified ? new Date() : null,
      lastUsedAt: null,
    });
  }

  /**
   * users:write alone must not let an admin hand out more power than they hold: granting a role
   * with permissions the caller lacks (admin's `*` above all) needs roles:write as well.
   */
  private async assertMayGrant(actorId: string, roleNames: string[]): Promise<void> {
    const caller = await this.rbac.access(actorId);
    if (grants(caller.permissions, [PERMISSIONS.rolesWrite])) return;
    const beyond = (await this.roles.findBy({ name: In(roleNames) })).filter((role) => !grants(caller.permissions, role.permissions));
    if (beyond.length)
      throw Errors.forbidden(`Granting ${beyond.map((role) => role.name).join(', ')} needs the permission ${PERMISSIONS.rolesWrite}.`);
  }

  async update(userId: string, changes: AdminUpdateUserDto, actor: Principal): Promise<UserDto> {
    const { isActive, ...profile } = changes;
    if (isActive === false && userId === actor.userId) throw cannotModifySelf('deactivate');
    let user = await this.users.getById(userId);
    const fields = Object.keys(profile)
      .filter((field) => profile[field as keyof typeof profile] !== undefined)
      .sort();
    if (fields.length) {
      user = await this.users.updateProfile(userId, profile);
      await this.publish(undefined, 'user.updated', userId, { fields });
    }
    if (isActive !== undefined) user = await this.setActive(user, isActive);
    return this.views.of(user);
  }

  /**
   * Deactivation revokes every session in the same transaction: the guard already refuses an
   * inactive user's access tokens, and revoked sessions refuse their refresh tokens too.
   */
  private async setActive(user: UserEntity, isActive: boolean): Promise<UserEntity> {
    await this.transactions.run(async (manager) => {
      // Conditional, so only the request that actually flips the flag records the event.
      const flipped = await manager.update(UserEntity, { id: user.id, isActive: !isActive }, { isActive });
      const sessionsRevoked = isActive ? 0 : await this.sessions.revokeAll(user.id, 'admin', undefined, manager);
      if (flipped.affected)
        await this.publish(manager, isActive ? 'user.activated' : 'user.deactivated', user.id, isActive ? {} : { sessionsRevoked });
    });
    return { ...user, isActive };
  }

  /** Replaces the user's roles; `user` always stays. Takes effect on their next request. */
  async setRoles(userId: string, requested: string[], actor: Principal): Promise<UserDto> {
    const user = await this.users.getById(userId);
    const wanted = [...new Set([DEFAULT_ROLE, ...requested])];
    await this.transactions.run(async (manager) => {
      const roles = await this.rolesNamed(manager, wanted);
      if (userId === actor.userId) assertKeepsRoleManagement(roles);
      const before = await this.roleNamesIn(manager, userId);
      await manager.delete(UserRoleEntity, { userId, roleId: Not(In(roles.map((role) => role.id))) });
      await this.rbac.grant(manager, userId, wanted);
      const added = wanted.filter((name) => !before.includes(name));
      const removed = before.filter((name) => !wanted.includes(name));
      if (added.length || removed.length)
        await this.publish(manager, 'user.roles_changed', userId, { added, removed, roles: [...wanted].sort() });
    });
    return this.views.of(user);
  }

  private async rolesNamed(manager: EntityManager, names: string[]): Promise<RoleEntity[]> {
    const roles = await manager.findBy(RoleEntity, { name: In(names) });
    const missing = names.filter((name) => !roles.some((role) => role.name === name));
    if (missing.length) throw Errors.badRequest('unknown_role', `Unknown role(s): ${missing.join(', ')}.`);
    return roles;
  }

  private async roleNamesIn(manager: EntityManager, userId: string): Promise<string[]> {
    const rows = await manager.find(UserRoleEntity, { where: { userId }, relations: { role: true } });
    return rows.map((row) => row.role!.name);
  }

  /**
   * Lockouts arrive with throttling; until then no account is ever locked, so there is nothing
   * to clear and the request is only recorded.
   */
  async unlock(userId: string): Promise<void> {
    const user = await this.users.getById(userId);
    const usernames = await this.identities.find({ where: { userId }, select: { id: true, username: true } });
    const identifiers = [user.email, user.phone, ...usernames.map((identity) => identity.username)].filter((value): value is string =>
      Boolean(value),
    );
    await this.lockout.unlock(identifiers.map(accountKeyOf));
    await this.publish(undefined, 'user.unlocked', userId, { identifiers: identifiers.length });
  }

  async revokeSessions(userId: string): Promise<number> {
    await this.users.getById(userId);
    return this.transactions.run(async (manager) => {
      const revoked = await this.sessions.revokeAll(userId, 'admin', undefined, manager);
      await this.publish(manager, 'user.sessions_revoked', userId, { revoked });
      return revoked;
    });
  }

  /**
   * Identities, roles and sessions go with the user (foreign keys cascade). The event is written
   * first, in the same transaction, so it exists when the delete nulls the user id of every
   * audit row of the account: the history survives, detached from the person.
   */
  async remove(userId: string, actor: Principal): Promise<void> {
    if (userId === actor.userId) throw cannotModifySelf('delete');
    await this.users.getById(userId);
    await this.transactions.run(async (manager) => {
      await this.publish(manager, 'user.deleted', userId, { deletedUserId: userId });
      const deleted = await manager.delete(UserEntity, { id: userId });
      // Deleted meanwhile by a concurrent request: roll the event back with a 404.
      if (!deleted.affected) throw Errors.notFound('user');
    });
  }

  private publish(
    manager: EntityManager | undefined,
    action: AuditAction,
    userId: string,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    return this.events.publish({ action, success: true, userId, metadata, manager });
  }
}

function assertKeepsRoleManagement(roles: RoleEntity[]): void {
  const permissions = roles.flatMap((role) => role.permissions);
  if (!grants(permissions, ROLE_MANAGEMENT))
    throw conflict('last_admin_role', 'Last admin role', 'You cannot remove your own last role that lets you manage users and roles.');
}
