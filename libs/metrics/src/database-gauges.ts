import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull, MoreThan } from 'typeorm';
import { OutboxMessageEntity } from '@identity/messaging';
import { SessionEntity } from '@identity/sessions';
import { ServiceMetrics } from './service-metrics';

/** A scrape must not hang on a slow database: counts give up after this long. */
export const SCRAPE_QUERY_TIMEOUT_MS = 500;
/** The active-session count walks every unexpired session; it is refreshed at most this often. */
export const ACTIVE_SESSIONS_CACHE_MS = 15_000;

const OUTBOX_WAITING = ['pending', 'sending'] as const;

/** mysql2's pool keeps its connection lists in fields of its own (not a public API). */
interface Mysql2Pool {
  config?: { connectionLimit?: number };
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Connection counts of TypeORM's mysql2 pool; null for SQLite, which has no pool. */
export function poolUsage(dataSource: DataSource): { total: number; free: number; queued: number; max: number } | null {
  const pool = (dataSource.driver as { pool?: Mysql2Pool }).pool;
  if (!pool?._allConnections) return null;
  return {
    total: pool._allConnections.length,
    free: pool._freeConnections?.length ?? 0,
    queued: pool._connectionQueue?.length ?? 0,
    max: pool.config?.connectionLimit ?? 0,
  };
}

/**
 * Gauges read from the database when Prometheus scrapes. Each count runs through an index
 * (outbox: `idx_message_outbox_due` on status; sessions: `idx_sessions_expires`), gives up after
 * SCRAPE_QUERY_TIMEOUT_MS, and never runs twice at once. An outbox count that failed leaves its
 * gauge empty rather than showing a stale number as current.
 */
@Injectable()
export class DatabaseGauges implements OnModuleInit {
  private readonly logger = new Logger('Metrics');
  private outboxQuery?: Promise<{ status: string; count: string | number }[]>;
  private sessions?: { value: number; at: number };
  private sessionsQuery?: Promise<number>;

  constructor(
    private readonly metrics: ServiceMetrics,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('identity_outbox_messages', 'Messages waiting in the outbox, by status (pending, sending).', ['status'], (gauge) =>
      this.collectOutbox(gauge),
    );
    this.metrics.gauge(
      'identity_active_sessions',
      `Sessions neither revoked nor expired (counted at most every ${ACTIVE_SESSIONS_CACHE_MS / 1000} s).`,
      [],
      (gauge) => this.collectSessions(gauge),
    );
    this.metrics.gauge(
      'identity_db_pool_connections',
      'MySQL pool connections by state: total (open), free, queued (waiting requests), max.',
      ['state'],
      (gauge) => {
        gauge.reset();
        const usage = poolUsage(this.dataSource);
        if (usage) for (const [state, value] of Object.entries(usage)) gauge.set({ state }, value);
      },
    );
  }

  private async collectOutbox(gauge: { reset(): void; set(labels: { status: string }, value: number): void }): Promise<void> {
    gauge.reset();
    this.outboxQuery ??= this.dataSource
      .getRepository(OutboxMessageEntity)
      .createQueryBuilder('m')
      .select('m.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .where({ status: In([...OUTBOX_WAITING]) })
      .groupBy('m.status')
      .getRawMany()
      .finally(() => (this.outboxQuery = undefined));
    try {
      const rows = await withTimeout(this.outboxQuery, SCRAPE_QUERY_TIMEOUT_MS, 'counting the outbox');
      for (const status of OUTBOX_WAITING) gauge.set({ status }, Number(rows.find((row) => row.status === status)?.count ?? 0));
    } catch (error) {
      this.logger.warn(`metrics: ${(error as Error).message}`);
    }
  }

  private async collectSessions(gauge: { set(value: number): void }): Promise<void> {
    const now = Date.now();
    if (!this.sessions || now - this.sessions.at >= ACTIVE_SESSIONS_CACHE_MS) {
      this.sessionsQuery ??= this.dataSource
        .getRepository(SessionEntity)
        .count({ where: { expiresAt: MoreThan(new Date(now)), revokedAt: IsNull() } })
        .finally(() => (this.sessionsQuery = undefined));
      try {
        this.sessions = { value: await withTimeout(this.sessionsQuery, SCRAPE_QUERY_TIMEOUT_MS, 'counting active sessions'), at: now };
      } catch (error) {
        // The previous count stays (it is a cached figure anyway); the next scrape tries again.
        this.logger.warn(`metrics: ${(error as Error).message}`);
      }
    }
    if (this.sessions) gauge.set(this.sessions.value);
  }
}
