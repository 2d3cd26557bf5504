import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository, SelectQueryBuilder } from 'typeorm';
import { UserAuthEntity, UserViewService } from '@identity/auth-core';
import { UserRoleEntity } from '@identity/rbac';
import { SessionDto, SessionsService } from '@identity/sessions';
import { UserEntity, UsersService } from '@identity/users';
import { AdminUserDetailDto, DEFAULT_PAGE_SIZE, ListUsersQueryDto, UserIdentityDto, UserPageDto } from './admin-users.dto';
import { decodeCursor, encodeCursor, UserListCursor } from './user-list.cursor';

type UserQuery = SelectQueryBuilder<UserEntity>;

/** Read side of the admin users API: search with keyset pagination, and one user in detail. */
@Injectable()
export class UserDirectoryService {
  constructor(
    private readonly users: UsersService,
    private readonly views: UserViewService,
    private readonly sessions: SessionsService,
    @InjectRepository(UserEntity) private readonly userRows: Repository<UserEntity>,
    @InjectRepository(UserAuthEntity) private readonly identities: Repository<UserAuthEntity>,
  ) {}

  /**
   * Newest first, ties broken by id, so the order is total and stable while users are added.
   * Pages continue after the cursor row (keyset), so deep pages cost the same as the first and
   * rows inserted meanwhile never shift a page.
   */
  async list(query: ListUsersQueryDto): Promise<UserPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const builder = this.userRows
      .createQueryBuilder('u')
      // The stored text of created_at, for the next cursor (see UserListCursor).
      .addSelect('CAST(u.createdAt AS CHAR)', 'cursor_created_at')
      .orderBy('u.createdAt', 'DESC')
      .addOrderBy('u.id', 'DESC')
      .limit(limit + 1);
    applyFilters(builder, query);
    if (query.cursor) after(builder, decodeCursor(query.cursor));
    const { entities, raw } = await builder.getRawAndEntities<{ cursor_created_at: string }>();
    const page = entities.slice(0, limit);
    const last = page.length ? { createdAt: raw[page.length - 1].cursor_created_at, id: page[page.length - 1].id } : null;
    return {
      // The same view as GET /me, so admins and users never see different shapes of one account.
      items: await Promise.all(page.map((user) => this.views.of(user))),
      nextCursor: entities.length > limit && last ? encodeCursor(last) : null,
    };
  }

  async detail(userId: string, callerSessionId: string): Promise<AdminUserDetailDto> {
    const user = await this.users.getById(userId);
    const [view, identities, sessions] = await Promise.all([
      this.views.of(user),
      this.identitiesOf(userId),
      this.sessions.listActive(userId),
    ]);
    return { ...view, identities, sessions: sessions.map((session) => SessionDto.from(session, callerSessionId)) };
  }

  private async identitiesOf(userId: string): Promise<UserIdentityDto[]> {
    const rows = await this.identities.find({ where: { userId }, relations: { authProvider: true }, order: { createdAt: 'ASC' } });
    return rows.map((row) => ({
      id: row.id,
      provider: row.authProvider!.name,
      providerUserId: row.providerUserId,
      email: row.providerEmail,
      verified: row.isVerified,
      createdAt: row.createdAt,
      lastUsedAt: row.lastUsedAt,
    }));
  }
}

function applyFilters(builder: UserQuery, query: ListUsersQueryDto): void {
  if (query.search) matchText(builder, query.search);
  if (query.role) holdingRole(builder, query.role);
  if (query.active !== undefined) builder.andWhere('u.isActive = :active', { active: query.active });
  if (query.createdFrom) builder.andWhere('u.createdAt >= :createdFrom', { createdFrom: storedTime(new Date(query.createdFrom)) });
  if (query.createdTo) builder.andWhere('u.createdAt < :createdTo', { createdTo: storedTime(new Date(query.createdTo)) });
}

/**
 * Substring match, case-insensitive on both dialects (LOWER on both sides rather than trusting
 * the column collation; SQLite lowers ASCII only). `!` is the LIKE escape because a backslash is
 * itself an escape in MySQL string literals but not in SQLite's.
 */
function matchText(builder: UserQuery, search: string): void {
  const pattern = `%${search.toLowerCase().replace(/[!%_]/g, '!$&')}%`;
  const like = (column: string) => `LOWER(${column}) LIKE :pattern ESCAPE '!'`;
  const username = builder
    .subQuery()
    .select('1')
    .from(UserAuthEntity, 'ua')
    .where('ua.userId = u.id')
    .andWhere(like('ua.username'))
    .getQuery();
  builder.andWhere(
    new Brackets((where) =>
      where.where(like('u.email')).orWhere(like('u.phone')).orWhere(like('u.displayName')).orWhere(`EXISTS ${username}`),
    ),
    { pattern },
  );
}

/** EXISTS rather than a join, so a user is one row whatever else they hold. */
function holdingRole(builder: UserQuery, role: string): void {
  const holders = builder
    .subQuery()
    .select('1')
    .from(UserRoleEntity, 'ur')
    .innerJoin('ur.role', 'r')
    .where('ur.userId = u.id')
    .andWhere('r.name = :role')
    .getQuery();
  builder.andWhere(`EXISTS ${holders}`, { role });
}

/** Rows strictly after the cursor in (created_at DESC, id DESC) order. */
function after(builder: UserQuery, cursor: UserListCursor): void {
  builder.andWhere(
    new Brackets((where) =>
      where
        .where('u.createdAt < :cursorAt')
        .orWhere(new Brackets((tie) => tie.where('u.createdAt = :cursorAt').andWhere('u.id < :cursorId'))),
    ),
    { cursorAt: cursor.createdAt, cursorId: cursor.id },
  );
}

/**
 * A bound in the text form the databases store: SQLite compares times as text and its default
 * timestamps have whole seconds, so `.000` would sort after an equal stored value.
 */
function storedTime(date: Date): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/(\.000)?Z$/, '');
}
