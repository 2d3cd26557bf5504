import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Not, Repository } from 'typeorm';
import { AccountStateCache, writtenOnce } from '@identity/common';
import { PreparedStatement } from '@identity/database';
import { MfaService } from '@identity/mfa';
import { RbacService } from '@identity/rbac';
import { UserEntity, UsersService } from '@identity/users';
import { UserAuthEntity } from '../user-auth.entity';
import { UserDto } from './user.dto';

/** Assembles the public user view from the user row, their roles and their identities. */
@Injectable()
export class UserViewService {
  private readonly usernameOf = new PreparedStatement((manager) =>
    manager
      .createQueryBuilder(UserAuthEntity, 'identity')
      .select(['identity.id', 'identity.username'])
      .where('identity.userId = :userId AND identity.username IS NOT NULL'),
  );

  constructor(
    private readonly users: UsersService,
    private readonly rbac: RbacService,
    private readonly mfa: MfaService,
    private readonly cache: AccountStateCache,
    @InjectRepository(UserAuthEntity) private readonly identities: Repository<UserAuthEntity>,
  ) {}

  /**
   * The view `GET /me` answers, which may come from the AccountStateCache (then as it is: frozen,
   * with its JSON written once).
   */
  byId(userId: string): UserDto | Promise<UserDto> {
    return this.cache.read(userId, 'view', async () => writtenOnce(await this.of(await this.users.getById(userId))));
  }

  /**
   * One user's view, with statements prepared for the one user every sign-in answers with. A
   * sign-in has just checked MFA in its own transaction and passes what it found.
   */
  async of(user: UserEntity, known: { mfaEnabled?: boolean } = {}): Promise<UserDto> {
    const [roles, username, mfaEnabled] = await Promise.all([
      this.rbac.roleNamesOf(user.id),
      this.usernameOf.entity<UserAuthEntity>(this.identities.manager, 'identity', { userId: user.id }),
      known.mfaEnabled ?? this.mfa.isEnabled(user.id),
    ]);
    return viewOf(user, roles, username?.username ?? null, mfaEnabled);
  }

  /**
   * Views of several users with one query per kind of data (roles, usernames, MFA) however many
   * users: a page of a hundred would otherwise queue three hundred queries on the pool.
   */
  async ofMany(users: UserEntity[]): Promise<UserDto[]> {
    const ids = users.map((user) => user.id);
    const [roles, usernames, withMfa] = await Promise.all([
      this.rbac.roleNamesByUser(ids),
      this.usernamesOf(ids),
      this.mfa.enabledAmong(ids),
    ]);
    return users.map((user) => viewOf(user, roles.get(user.id) ?? [], usernames.get(user.id) ?? null, withMfa.has(user.id)));
  }

  private async usernamesOf(userIds: string[]): Promise<Map<string, string>> {
    const rows = userIds.length
      ? await this.identities.find({ where: { userId: In(userIds), username: Not(IsNull()) }, select: { userId: true, username: true } })
      : [];
    return new Map(rows.map((row) => [row.userId, row.username!]));
  }
}

function viewOf(user: UserEntity, roles: string[], username: string | null, mfaEnabled: boolean): UserDto {
  return {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerifiedAt !== null,
    phone: user.phone,
    phoneVerified: user.phoneVerifiedAt !== null,
    username,
    displayName: user.displayName,
    avatarUrl: user.avatarUrl,
    country: user.country,
    locale: user.locale,
    profile: user.profile ?? {},
    roles,
    mfaEnabled,
    isActive: user.isActive,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}
