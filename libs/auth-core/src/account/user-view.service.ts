import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Not, Repository } from 'typeorm';
import { AccountStateCache } from '@identity/common';
import { MfaService } from '@identity/mfa';
import { RbacService } from '@identity/rbac';
import { UserEntity, UsersService } from '@identity/users';
import { UserAuthEntity } from '../user-auth.entity';
import { UserDto } from './user.dto';

/** Assembles the public user view from the user row, their roles and their identities. */
@Injectable()
export class UserViewService {
  constructor(
    private readonly users: UsersService,
    private readonly rbac: RbacService,
    private readonly mfa: MfaService,
    private readonly cache: AccountStateCache,
    @InjectRepository(UserAuthEntity) private readonly identities: Repository<UserAuthEntity>,
  ) {}

  /** The view `GET /me` answers, which may come from the AccountStateCache (then as it is). */
  byId(userId: string): UserDto | Promise<UserDto> {
    return this.cache.read(userId, 'view', async () => this.of(await this.users.getById(userId)));
  }

  async of(user: UserEntity): Promise<UserDto> {
    return (await this.ofMany([user]))[0];
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
    return users.map((user) => ({
      id: user.id,
      email: user.email,
      emailVerified: user.emailVerifiedAt !== null,
      phone: user.phone,
      phoneVerified: user.phoneVerifiedAt !== null,
      username: usernames.get(user.id) ?? null,
      displayName: user.displayName,
      avatarUrl: user.avatarUrl,
      country: user.country,
      locale: user.locale,
      profile: user.profile ?? {},
      roles: roles.get(user.id) ?? [],
      mfaEnabled: withMfa.has(user.id),
      isActive: user.isActive,
      createdAt: user.createdAt.toISOString(),
      lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    }));
  }

  private async usernamesOf(userIds: string[]): Promise<Map<string, string>> {
    const rows = userIds.length
      ? await this.identities.find({ where: { userId: In(userIds), username: Not(IsNull()) }, select: { userId: true, username: true } })
      : [];
    return new Map(rows.map((row) => [row.userId, row.username!]));
  }
}
