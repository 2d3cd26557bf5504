import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './data-source.factory';

describe('SQLite data source', () => {
  /** Opens the file, reads a setting of the connection, and closes it again. */
  async function pragmaOf(file: string, name: string): Promise<unknown> {
    const options = buildDataSourceOptions({ dialect: 'sqlite', sqlitePath: file, url: '', migrationsRun: false, poolSize: 1 }, []);
    const dataSource = await new DataSource(options).initialize();
    try {
      const [row] = (await dataSource.query(`PRAGMA ${name}`)) as Record<string, unknown>[];
      return row[name];
    } finally {
      await dataSource.destroy();
    }
  }

  let dir: string;
  before(() => void (dir = mkdtempSync(join(tmpdir(), 'identity-sqlite-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps temporary files, savepoint journals included, in memory', async () => {
    expect(await pragmaOf(join(dir, 'temp-store.sqlite'), 'temp_store')).toBe(2);
  });

  it('commits durably (synchronous=FULL) on a new file and after a restart alike', async () => {
    const file = join(dir, 'durability.sqlite');
    expect(await pragmaOf(file, 'synchronous')).toBe(2);
    // The file is in WAL mode now; reopened, it would get better-sqlite3's WAL default, NORMAL (1).
    expect(await pragmaOf(file, 'journal_mode')).toBe('wal');
    expect(await pragmaOf(file, 'synchronous')).toBe(2);
  });
});
