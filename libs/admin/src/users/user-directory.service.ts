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
   *
   * A search pages once per searched field that has matches and merges the pages: with the
   * fields OR-ed in one query no index applies, and the databases read every user.
   */
  async list(query: ListUsersQueryDto): Promise<UserPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const narrowings = query.search ? await this.searchNarrowings(query.search) : [ALL_USERS];
    const pages = await Promise.all(narrowings.map((narrow) => this.page(query, limit, narrow)));
    const rows = mergeNewestFirst(pages.flat()).slice(0, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      // The same view as GET /me, so admins and users never see different shapes of one account.
      items: await this.views.ofMany(page.map((row) => row.user)),
      nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.cursorCreatedAt, id: last.user.id }) : null,
    };
  }

  /** Up to `limit + 1` users after the cursor that pass the filters and `narrow`, newest first. */
  private async page(query: ListUsersQueryDto, limit: number, narrow: Narrowing): Promise<ListedUser[]> {
    const builder = this.userRows
      .createQueryBuilder('u')
      // The stored text of created_at, for the next cursor (see UserListCursor).
      .addSelect('CAST(u.createdAt AS CHAR)', 'cursor_created_at')
      .orderBy('u.createdAt', 'DESC')
      .addOrderBy('u.id', 'DESC')
      .limit(limit + 1);
    applyFilters(builder, query);
    narrow(builder);
    if (query.cursor) after(builder, decodeCursor(query.cursor));
    const { entities, raw } = await builder.getRawAndEntities<{ cursor_created_at: string }>();
    return entities.map((user, i) => ({ user, cursorCreatedAt: raw[i].cursor_created_at }));
  }

  /**
   * One narrowing per searched field that some user's value starts with: email, phone, display
   * name, username. LIKE is case-insensitive on both dialects (MySQL by the columns' collation,
   * SQLite for ASCII) and, with the pattern's only wildcard at its end, a range of the field's
   * index (on SQLite a NOCASE one: see the search-indexes migration).
   */
  private async searchNarrowings(search: string): Promise<Narrowing[]> {
    const text = prefixPattern(search);
    const narrowings = await Promise.all([
      this.byPrefix('u.email', text),
      this.byPrefix('u.phone', prefixPattern(phoneSearch(search))),
      this.byPrefix('u.displayName', text),
      this.byUsernamePrefix(text),
    ]);
    return narrowings.filter((narrowing): narrowing is Narrowing => narrowing !== null);
  }

  private async byPrefix(column: string, pattern: string): Promise<Narrowing | null> {
    const holders = await this.userRows
      .createQueryBuilder('u')
      .select('u.id', 'id')
      .where(`${column} LIKE :pattern ESCAPE '!'`, { pattern })
      .limit(INDEXED_SEARCH_CAP + 1)
      .getRawMany<{ id: string }>();
    return narrowingFor(holders, (builder) => builder.andWhere(`LOWER(${column}) LIKE :pattern ESCAPE '!'`, { pattern }));
  }

  private async byUsernamePrefix(pattern: string): Promise<Narrowing | null> {
    const holders = await this.identities
      .createQueryBuilder('ua')
      .select('ua.userId', 'id')
      .where(`ua.username LIKE :pattern ESCAPE '!'`, { pattern })
      .limit(INDEXED_SEARCH_CAP + 1)
      .getRawMany<{ id: string }>();
    return narrowingFor(holders, (builder) => {
      const credential = builder
        .subQuery()
        .select('1')
        .from(UserAuthEntity, 'ua')
        .where('ua.userId = u.id')
        .andWhere(`LOWER(ua.username) LIKE :pattern ESCAPE '!'`)
        .getQuery();
      builder.andWhere(`EXISTS ${credential}`, { pattern });
    });
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
  if (query.role) holdingRole(builder, query.role);
  if (query.active !== undefined) builder.andWhere('u.isActive = :active', { active: query.active });
  if (query.createdFrom) builder.andWhere('u.createdAt >= :createdFrom', { createdFrom: storedTime(new Date(query.createdFrom)) });
  if (query.createdTo) builder.andWhere('u.createdAt < :createdTo', { createdTo: storedTime(new Date(query.createdTo)) });
}

interface ListedUser {
  user: UserEntity;
  /** The stored text of created_at (see UserListCursor). */
  cursorCreatedAt: string;
}

type Narrowing = (builder: UserQuery) => void;

const ALL_USERS: Narrowing = () => undefined;

/**
 * Up to this many users holding a prefix, their ids (read from a range of the field's index)
 * are the search's condition, and the page is sorted from them. With more, reading users newest
 * first finds a page of holders soonest (a common first name: every fourteenth user), so the
 * condition is written in a form no index serves (LOWER: LIKE ignores case anyway), or the
 * database might sort every holder to return twenty.
 */
const INDEXED_SEARCH_CAP = 1000;

function narrowingFor(holders: Array<{ id: string }>, scan: Narrowing): Narrowing | null {
  if (holders.length === 0) return null;
  if (holders.length > INDEXED_SEARCH_CAP) return scan;
  const ids = holders.map((holder) => holder.id);
  return (builder) => builder.andWhere('u.id IN (:...searchIds)', { searchIds: ids });
}

/** `!` is the LIKE escape: a backslash is itself an escape in MySQL string literals but not in SQLite's. */
const prefixPattern = (text: string): string => `${text.replace(/[!%_]/g, '!$&')}%`;

/**
 * Phones are stored in E.164 (`+4915112345678`): a search that looks like a phone number
 * (digits with spaces, dashes, dots or brackets, an optional leading +) is matched on its digits,
 * so `+49 151 1234` and `49151-1234` find the same users.
 */
function phoneSearch(search: string): string {
  return /^\+?[\d\s().-]+$/.test(search) && /\d/.test(search) ? `+${search.replace(/\D/g, '')}` : search;
}

/** Pages of the same order merged into one, each user once. */
function mergeNewestFirst(rows: ListedUser[]): ListedUser[] {
  const unique = new Map(rows.map((row) => [row.user.id, row]));
  // The stored texts compare like the times (fixed-width, or SQLite's whole seconds sorting
  // before the same second with a fraction); ids are lower-case hex of one width.
  return [...unique.values()].sort((a, b) =>
    a.cursorCreatedAt === b.cursorCreatedAt ? compare(b.user.id, a.user.id) : compare(b.cursorCreatedAt, a.cursorCreatedAt),
  );
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * IN rather than a join, so a user is one row whatever else they hold; and rather than a
 * correlated EXISTS, so the database may start from the role's holders (a few admins among a
 * million users) instead of testing every user.
 */
function holdingRole(builder: UserQuery, role: string): void {
  const holders = builder
    .subQuery()
    .select('ur.userId')
    .from(UserRoleEntity, 'ur')
    .innerJoin('ur.role', 'r')
    .where('r.name = :role')
    .getQuery();
  builder.andWhere(`u.id IN ${holders}`, { role });
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
