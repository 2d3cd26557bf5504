import { Logger } from '@nestjs/common';
import {
  AfterQueryEvent,
  DataSource,
  DataSourceOptions,
  EntitySubscriberInterface,
  EventSubscriber,
  Logger as TypeOrmLogger,
} from 'typeorm';
import { DatabaseConfig } from './database.config';

const TIMED_OUT = 'PROTOCOL_SEQUENCE_TIMEOUT';

/**
 * mysql2 fails a statement that outlives its timeout but keeps the connection, with the statement
 * still waiting for its reply. Back in the pool, the next statement on it would queue behind that
 * one with no timer of its own, and hang for as long as the server does. Such a connection is
 * destroyed instead; the pool opens a fresh one and the server rolls back what it had open.
 */
@EventSubscriber()
export class DropTimedOutConnection implements EntitySubscriberInterface {
  afterQuery(event: AfterQueryEvent): Promise<void> | void {
    if (event.success || (event.error as { code?: string } | undefined)?.code !== TIMED_OUT) return;
    return event.queryRunner.connect().then((connection: { destroy?: () => void }) => connection.destroy?.());
  }
}

/**
 * TypeORM always prints slow statements, with their parameters (addresses, hashes). This logger
 * names only the statement and its time, at most once per interval: while the database hangs,
 * every statement is slow.
 */
export class SlowStatementLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');
  private lastWarning = 0;
  private suppressed = 0;

  logQuerySlow(time: number, query: string): void {
    const now = Date.now();
    if (now - this.lastWarning < 10_000) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed ? ` (and ${this.suppressed} more since the last warning)` : '';
    this.lastWarning = now;
    this.suppressed = 0;
    this.logger.warn(`statement took ${time} ms: ${query.slice(0, 120)}${more}`);
  }

  logQuery(): void {}
  logQueryError(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}

/**
 * Limits for the pool that serves requests: a statement that outlives DATABASE_QUERY_TIMEOUT_MS
 * (a frozen server or a dropped network answers nothing, and TCP would wait for hours) fails and
 * its connection is dropped, so the request ends with a 503 and the pool does not fill up with
 * stuck connections. Not for migrations: their lock wait and DDL may rightly take longer.
 */
export function servingLimits(config: DatabaseConfig): Partial<DataSourceOptions> {
  if (config.dialect !== 'mysql' || !config.queryTimeoutMs) return {};
  return {
    enableQueryTimeout: true,
    maxQueryExecutionTime: config.queryTimeoutMs,
    subscribers: [DropTimedOutConnection],
    logger: new SlowStatementLogger(),
  } as Partial<DataSourceOptions>;
}

interface CallbackPool {
  getConnection(callback: (error: Error | null, connection?: { release(): void }) => void): void;
}

/**
 * mysql2 queues a request for a pooled connection without a time limit. While the database hangs,
 * each busy connection is held up to the statement timeout, so a queued request could wait many
 * of those in a row. Past `timeoutMs` the request fails (503) instead; a connection that turns up
 * later goes straight back to the pool.
 */
export function boundConnectionWait(dataSource: DataSource, timeoutMs: number): void {
  const pool = (dataSource.driver as { pool?: CallbackPool }).pool;
  if (!pool || !timeoutMs) return;
  const acquire = pool.getConnection.bind(pool);
  pool.getConnection = (callback) => {
    let waiting = true;
    const timer = setTimeout(() => {
      waiting = false;
      callback(Object.assign(new Error(`no database connection free within ${timeoutMs} ms`), { code: ACQUIRE_TIMEOUT }));
    }, timeoutMs);
    acquire((error, connection) => {
      clearTimeout(timer);
      if (waiting) return callback(error, connection);
      connection?.release();
    });
  };
}

export const ACQUIRE_TIMEOUT = 'POOL_ACQUIRE_TIMEOUT';
