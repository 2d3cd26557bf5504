import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { validateEnv } from '@identity/common';

class DatabaseEnv {
  @Matches(/^(sqlite:.+|(mysql|mariadb):\/\/.+)$/, {
    message: 'DATABASE_URL must be sqlite:<path>, mysql://user:pass@host:port/db or mariadb://user:pass@host:port/db',
  })
  DATABASE_URL = 'sqlite:data/identity.sqlite';

  @Transform(({ value }) => value === true || value === 'true' || value === '1')
  @IsBoolean()
  DATABASE_MIGRATIONS_RUN = true;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE = 10;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(100)
  @Max(60_000)
  DATABASE_CONNECT_TIMEOUT_MS = 2000;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(600_000)
  DATABASE_QUERY_TIMEOUT_MS = 10_000;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(60_000)
  DATABASE_ACQUIRE_TIMEOUT_MS = 3000;

  /**
   * Not an option: TypeORM's synchronize alters tables to match the entities with no review and
   * may drop columns. Boilerplates offer it under this name, so setting it fails loudly rather
   * than being silently ignored.
   */
  @IsOptional()
  @IsIn(['false', '0'], { message: 'DATABASE_SYNCHRONIZE is not supported: the schema changes only through migrations (`cli migrate`)' })
  DATABASE_SYNCHRONIZE?: string;
}

export type DatabaseDialect = 'sqlite' | 'mysql';

export interface DatabaseConfig {
  dialect: DatabaseDialect;
  /** For the mysql dialect: which server. TypeORM reads MariaDB's catalog differently. */
  server?: 'mysql' | 'mariadb';
  /** Connection URL; for MySQL-family servers always with the mysql:// scheme. */
  url: string;
  /** SQLite file path (or `:memory:`) when the dialect is sqlite. */
  sqlitePath?: string;
  migrationsRun: boolean;
  poolSize: number;
  /** MySQL: how long opening a connection may take before the request fails (503). */
  connectTimeoutMs?: number;
  /** MySQL: how long a request's statement may run before its connection is dropped (0: no limit). */
  queryTimeoutMs?: number;
  /** MySQL: how long a request may wait for a free pooled connection (0: no limit). */
  acquireTimeoutMs?: number;
}

export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const values = validateEnv(DatabaseEnv, env);
  const url = values.DATABASE_URL;
  const dialect: DatabaseDialect = url.startsWith('sqlite:') ? 'sqlite' : 'mysql';
  return {
    dialect,
    server: dialect === 'mysql' ? (url.startsWith('mariadb:') ? 'mariadb' : 'mysql') : undefined,
    url: url.replace(/^mariadb:/, 'mysql:'),
    sqlitePath: dialect === 'sqlite' ? url.slice('sqlite:'.length) : undefined,
    migrationsRun: values.DATABASE_MIGRATIONS_RUN,
    poolSize: values.DATABASE_POOL_SIZE,
    connectTimeoutMs: values.DATABASE_CONNECT_TIMEOUT_MS,
    queryTimeoutMs: values.DATABASE_QUERY_TIMEOUT_MS,
    acquireTimeoutMs: values.DATABASE_ACQUIRE_TIMEOUT_MS,
  };
}

export const databaseConfig = registerAs('database', () => loadDatabaseConfig());
