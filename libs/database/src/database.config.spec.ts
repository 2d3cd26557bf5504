import { describe, it } from 'node:test';
import { expect } from 'expect';
import { buildDataSourceOptions } from './data-source.factory';
import { servingLimits } from './pool-limits';
import { loadDatabaseConfig } from './database.config';

describe('database configuration', () => {
  it('defaults to the embedded SQLite file', () => {
    expect(loadDatabaseConfig({})).toMatchObject({ dialect: 'sqlite', sqlitePath: 'data/identity.sqlite', migrationsRun: true });
  });

  it('tells MySQL and MariaDB apart by scheme and hands the driver a mysql:// URL', () => {
    expect(loadDatabaseConfig({ DATABASE_URL: 'mysql://u:p@db:3306/identity' })).toMatchObject({
      dialect: 'mysql',
      server: 'mysql',
      url: 'mysql://u:p@db:3306/identity',
    });
    expect(loadDatabaseConfig({ DATABASE_URL: 'mariadb://u:p@db/identity' })).toMatchObject({
      dialect: 'mysql',
      server: 'mariadb',
      url: 'mysql://u:p@db/identity',
    });
  });

  it('reads DATABASE_MIGRATIONS_RUN as a boolean', () => {
    expect(loadDatabaseConfig({ DATABASE_MIGRATIONS_RUN: 'false' }).migrationsRun).toBe(false);
  });

  it('refuses schema synchronization by entities', () => {
    expect(() => loadDatabaseConfig({ DATABASE_SYNCHRONIZE: 'true' })).toThrow(/DATABASE_SYNCHRONIZE is not supported/);
    expect(loadDatabaseConfig({ DATABASE_SYNCHRONIZE: 'false' }).dialect).toBe('sqlite');
  });

  it('bounds connecting and statements by default, and refuses limits out of range', () => {
    expect(loadDatabaseConfig({})).toMatchObject({ connectTimeoutMs: 2000, queryTimeoutMs: 10_000 });
    expect(loadDatabaseConfig({ DATABASE_QUERY_TIMEOUT_MS: '0' }).queryTimeoutMs).toBe(0);
    expect(() => loadDatabaseConfig({ DATABASE_CONNECT_TIMEOUT_MS: '10' })).toThrow(/DATABASE_CONNECT_TIMEOUT_MS/);
    expect(() => loadDatabaseConfig({ DATABASE_QUERY_TIMEOUT_MS: 'soon' })).toThrow(/DATABASE_QUERY_TIMEOUT_MS/);
  });

  it('puts the statement timeout on the MySQL request pool only', () => {
    const mysql = loadDatabaseConfig({ DATABASE_URL: 'mysql://u@db/identity', DATABASE_QUERY_TIMEOUT_MS: '5000' });
    expect(servingLimits(mysql)).toMatchObject({ enableQueryTimeout: true, maxQueryExecutionTime: 5000 });
    expect(servingLimits({ ...mysql, queryTimeoutMs: 0 })).toEqual({});
    expect(servingLimits(loadDatabaseConfig({}))).toEqual({});
    expect(buildDataSourceOptions(mysql, [])).toMatchObject({ connectTimeout: 2000 });
  });

  it('refuses other databases', () => {
    expect(() => loadDatabaseConfig({ DATABASE_URL: 'postgres://db/identity' })).toThrow(/DATABASE_URL/);
  });
});
