import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
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

  /** The view `GET /me` answers, which may come from the AccountStateCache. */
  byId(userId: string): Promise<UserDto> {
    return this.cache.read(userId, 'view', async () => this.of(await this.users.getById(userId)));
  }

  async of(user: UserEntity): Promise<UserDto> {
    const [roles, withUsername, mfaEnabled] = await Promise.all([
      this.rbac.roleNamesOf(user.id),
      this.identities.findOne({ where: { userId: user.id, username: Not(IsNull()) }, select: { id: true, username: true } }),
      this.mfa.isEnabled(user.id),
    ]);
    return {
      id: user.id,
      email: user.email,
      emailVerified: user.emailVerifiedAt !== null,
      phone: user.phone,
      phoneVerified: user.phoneVerifiedAt !== null,
      username: withUsername?.username ?? null,
      displayName: user.displayName,
      avatarUrl: user.avatarUrl,
      country: user.country,
      locale: user.locale,
      profile: user.profile ?? {},
      roles,
      mfaEnabled,
      isActive: user.isActive,
      createdAt: user.createdAt,
      lastLoginAt: user.lastLoginAt,
    };
  }
}
