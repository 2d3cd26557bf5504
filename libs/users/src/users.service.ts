import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AccountStateCache, Errors, newId } from '@identity/common';
import { fromParameters, PreparedStatement } from '@identity/database';
import { UserEntity } from './user.entity';
import { UpdateProfileDto } from './update-profile.dto';

export interface NewUser {
  email?: string | null;
  emailVerified?: boolean;
  phone?: string | null;
  phoneVerified?: boolean;
  displayName: string;
  avatarUrl?: string | null;
  country?: string | null;
  locale?: string | null;
  profile?: Record<string, unknown> | null;
}

@Injectable()
export class UsersService {
  // Every sign-in reads the user and records the time (see PreparedStatement).
  private readonly byId = new PreparedStatement((manager) => manager.createQueryBuilder(UserEntity, 'user').where('user.id = :id'));
  private readonly setLastLogin = new PreparedStatement((manager) =>
    manager.createQueryBuilder().update(UserEntity).set(fromParameters('lastLoginAt')).where('id = :id'),
  );

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly cache: AccountStateCache,
  ) {}

  findById(id: string): Promise<UserEntity | null> {
    return this.byId.entity(this.users.manager, 'user', { id });
  }

  async getById(id: string): Promise<UserEntity> {
    const user = await this.findById(id);
    if (!user) throw Errors.notFound('user');
    return user;
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email });
  }

  findByPhone(phone: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ phone });
  }

  /** Inserts a user inside the caller's transaction; email/phone must already be normalized. */
  async create(manager: EntityManager, data: NewUser): Promise<UserEntity> {
    const now = new Date();
    const user = manager.create(UserEntity, {
      id: newId(),
      email: data.email ?? null,
      emailVerifiedAt: data.email && data.emailVerified ? now : null,
      phone: data.phone ?? null,
      phoneVerifiedAt: data.phone && data.phoneVerified ? now : null,
      displayName: data.displayName,
      avatarUrl: data.avatarUrl ?? null,
      country: data.country ?? null,
      locale: data.locale ?? null,
      profile: data.profile ?? null,
      isActive: true,
      lastLoginAt: null,
    });
    return manager.save(UserEntity, user);
  }

  async updateProfile(id: string, changes: UpdateProfileDto): Promise<UserEntity> {
    const user = await this.getById(id);
    if (changes.displayName !== undefined) user.displayName = changes.displayName.trim();
    if (changes.avatarUrl !== undefined) user.avatarUrl = changes.avatarUrl;
    if (changes.country !== undefined) user.country = changes.country;
    if (changes.locale !== undefined) user.locale = changes.locale;
    if (changes.profile !== undefined) user.profile = mergeProfile(user.profile, changes.profile);
    const saved = await this.users.save(user);
    // Profile edits are not security events, so nothing else tells the cache.
    this.cache.forgetUser(id);
    return saved;
  }

  async recordLogin(manager: EntityManager, id: string, at: Date): Promise<void> {
    await this.setLastLogin.run(manager, { id, lastLoginAt: at });
  }
}

function mergeProfile(current: Record<string, unknown> | null, changes: Record<string, unknown>): Record<string, unknown> | null {
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return Object.keys(merged).length ? merged : null;
}
