import { describe, it } from 'node:test';
import { expect } from 'expect';
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

  it('refuses other databases', () => {
    expect(() => loadDatabaseConfig({ DATABASE_URL: 'postgres://db/identity' })).toThrow(/DATABASE_URL/);
  });
});
