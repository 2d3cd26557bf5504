import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions, MixedList } from 'typeorm';
import { DatabaseConfig } from './database.config';
import { MYSQL_MIGRATIONS } from './migrations/mysql';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';

// TypeORM's entity list type: classes of any shape.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityList = MixedList<Function>;

/** DataSource options for either dialect. Migrations never run implicitly: see runMigrations. */
export function buildDataSourceOptions(config: DatabaseConfig, entities: EntityList): DataSourceOptions {
  if (config.dialect === 'sqlite') {
    const path = config.sqlitePath!;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return {
      type: 'better-sqlite3',
      database: path,
      entities,
      migrations: SQLITE_MIGRATIONS,
      migrationsTableName: 'schema_migrations',
      synchronize: false,
      prepareDatabase: (db: { pragma(statement: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        // Stated, because better-sqlite3's default depends on the file: FULL for a database that
        // becomes WAL on this connection, NORMAL for one that already was (its build sets
        // SQLITE_DEFAULT_WAL_SYNCHRONOUS=1), i.e. after every restart. NORMAL may lose the last
        // commits to a power cut: a revocation or a spent one-time code would come back.
        db.pragma('synchronous = FULL');
        db.pragma('busy_timeout = 5000');
        db.pragma('foreign_keys = ON');
        // Savepoint journals (group commit gives every unit of work a savepoint) in memory. Kept on
        // disk, a batch's journal outgrew SQLite's 64 KiB in-memory allowance and every commit
        // created, wrote and deleted a temporary file: 7 % of a refresh's event loop. A sort that
        // no index serves would be held in memory too; the API's lists are read in index order.
        db.pragma('temp_store = MEMORY');
      },
    };
  }
  return {
    type: config.server === 'mariadb' ? 'mariadb' : 'mysql',
    url: config.url,
    entities,
    migrations: MYSQL_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    timezone: 'Z',
    charset: 'utf8mb4_unicode_ci',
    // A server that is gone refuses at once; one that hangs (frozen, unreachable host) would hold
    // each request for the driver's default 10 s, so opening a connection is bounded here.
    connectTimeout: config.connectTimeoutMs ?? 2000,
    poolSize: config.poolSize,
    extra: {
      // Fail fast instead of queueing forever when the database is slow or gone.
      queueLimit: 200,
      enableKeepAlive: true,
      idleTimeout: 60_000,
      // mysql2 records a stack trace for every query, for its own error messages; TypeORM wraps
      // every driver error in a QueryFailedError thrown where the query was awaited anyway.
      // Without it refreshes on MariaDB ran about a sixth faster (bench/README.md).
      trace: false,
    },
  };
}

const MIGRATION_LOCK = 'identity_schema_migrations';

/**
 * Runs pending migrations and returns the names of those it applied. On MySQL several instances may boot at once, so the run is guarded
 * by a named server lock; the loser waits, then finds nothing pending.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = async () => (await dataSource.runMigrations({ transaction: 'each' })).map((migration) => migration.name);
  if (dataSource.options.type === 'better-sqlite3') return applied();
  const runner = dataSource.createQueryRunner();
  try {
    const [{ acquired }] = await runner.query('SELECT GET_LOCK(?, 120) AS acquired', [MIGRATION_LOCK]);
    if (Number(acquired) !== 1) throw new Error('timed out waiting for the schema migration lock');
    try {
      return await applied();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}
