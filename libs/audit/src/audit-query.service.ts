import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { AuditLogEntity } from './audit-log.entity';
import { AuditCursor, decodeCursor, encodeCursor } from './audit-cursor';
import { DEFAULT_PAGE_SIZE } from './audit-event.dto';

export interface AuditFilter {
  userId?: string;
  actorId?: string;
  /** One action or several (any of them). */
  actions?: string[];
  success?: boolean;
  ip?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

export interface AuditPage {
  limit?: number;
  cursor?: string;
}

export interface AuditPageResult {
  items: AuditLogEntity[];
  nextCursor: string | null;
}

export interface DailyCount {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  count: number;
  distinctUsers: number;
}

const DAY_MS = 86_400_000;

/**
 * Reads the audit log: newest first, keyset-paginated on (created_at, id), so a page costs the
 * same at any depth and rows written meanwhile neither repeat nor vanish between pages.
 *
 * Every filter combination is served by an index whose order is the sort order: each equality
 * filter (user, actor, IP, one action) has its (x, created_at) index, and with none of them
 * `success` and the time range use (created_at, id). The database picks among the candidates
 * (e.g. a rare action over a busy user's index); the other filters are checked on rows read in
 * index order, so a page stops after `limit` matches and never sorts. Several actions without a
 * user, actor or IP run as one ordered range per action, merged here: an `IN` over
 * (action, created_at) would sort every matching row. bench/audit-search.js shows the plans.
 */
@Injectable()
export class AuditQueryService {
  constructor(@InjectRepository(AuditLogEntity) private readonly logs: Repository<AuditLogEntity>) {}

  /** Throws 400 `invalid_cursor` for a cursor this service did not issue. */
  async search(filter: AuditFilter, page: AuditPage = {}): Promise<AuditPageResult> {
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    const after = page.cursor ? decodeCursor(page.cursor) : undefined;
    const actions = [...new Set(filter.actions ?? [])];
    const fanOut = actions.length > 1 && !filter.userId && !filter.actorId && !filter.ip;
    const rows = fanOut
      ? mergeNewestFirst(
          await Promise.all(actions.map((action) => this.pageQuery({ ...filter, actions: [action] }, after, limit + 1).getMany())),
        )
      : await this.pageQuery({ ...filter, actions }, after, limit + 1).getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
  }

  /**
   * Events of one action per UTC day since the start of the day `days - 1` days before `now`,
   * oldest first, with a zero for every day without any. Reads only (action, created_at, id, user_id).
   */
  async dailyCounts(action: string, days: number, now = new Date()): Promise<DailyCount[]> {
    const since = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - (days - 1) * DAY_MS);
    // DATE() of MySQL yields a DATE, which the driver turns into a local Date; format it as text.
    const day =
      this.logs.manager.connection.options.type === 'better-sqlite3' ? 'date(a.createdAt)' : "DATE_FORMAT(a.createdAt, '%Y-%m-%d')";
    const rows: { day: string; count: string | number; distinctUsers: string | number }[] = await this.logs
      .createQueryBuilder('a')
      .select(day, 'day')
      .addSelect('COUNT(*)', 'count')
      .addSelect('COUNT(DISTINCT a.userId)', 'distinctUsers')
      .where('a.action = :action', { action })
      .andWhere('a.createdAt >= :since', { since })
      .groupBy(day)
      .getRawMany();
    const byDay = new Map(rows.map((row) => [String(row.day), row]));
    return Array.from({ length: days }, (_, index) => {
      const key = new Date(since.getTime() + index * DAY_MS).toISOString().slice(0, 10);
      const row = byDay.get(key);
      return { day: key, count: Number(row?.count ?? 0), distinctUsers: Number(row?.distinctUsers ?? 0) };
    });
  }

  private pageQuery(filter: AuditFilter, after: AuditCursor | undefined, take: number): SelectQueryBuilder<AuditLogEntity> {
    const query = this.logs.createQueryBuilder('a');
    // SQLite plans without statistics (nothing runs ANALYZE) and, given several equality filters,
    // takes the index that also yields the sort order — the action index, even for one user's
    // logins among everyone's. There a unary + keeps a term out of index selection, leaving the
    // index of the most selective filter: user, then actor, then IP. MySQL decides on statistics.
    // (`+ a.x`, spaced: TypeORM maps a property name only after a space, `=` or `(`.)
    const lead = filter.userId ? 'userId' : filter.actorId ? 'actorId' : filter.ip ? 'ip' : 'action';
    const sqlite = this.logs.manager.connection.options.type === 'better-sqlite3';
    const column = (name: typeof lead) => `${sqlite && name !== lead ? '+ ' : ''}a.${name}`;
    if (filter.userId) query.andWhere(`${column('userId')} = :userId`, { userId: filter.userId });
    if (filter.actorId) query.andWhere(`${column('actorId')} = :actorId`, { actorId: filter.actorId });
    if (filter.ip) query.andWhere(`${column('ip')} = :ip`, { ip: filter.ip });
    if (filter.actions?.length === 1) query.andWhere(`${column('action')} = :action`, { action: filter.actions[0] });
    else if (filter.actions?.length) query.andWhere(`${column('action')} IN (:...actions)`, { actions: filter.actions });
    if (filter.success !== undefined) query.andWhere('a.success = :success', { success: filter.success });
    if (filter.from) query.andWhere('a.createdAt >= :from', { from: filter.from });
    if (filter.to) query.andWhere('a.createdAt < :to', { to: filter.to });
    if (after) {
      // (created_at, id) < (:t, :id), written so that `created_at <= :t` bounds the index range
      // on every engine; the row-value form is not portable and the plain OR is not sargable
      // everywhere.
      query.andWhere('a.createdAt <= :afterTime AND (a.createdAt < :afterTime OR a.id < :afterId)', {
        afterTime: after.createdAt,
        afterId: after.id,
      });
    }
    return query.orderBy('a.createdAt', 'DESC').addOrderBy('a.id', 'DESC').limit(take);
  }
}

/** Merges lists that are each newest first into one, newest first. */
function mergeNewestFirst(lists: AuditLogEntity[][]): AuditLogEntity[] {
  return lists.flat().sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
