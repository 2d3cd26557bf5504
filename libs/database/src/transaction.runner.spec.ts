import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, EntityManager, Logger } from 'typeorm';
import { TransactionRunner } from './transaction.runner';

describe('transactions on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'transactions-spec-'));
  const file = join(dir, 'spec.sqlite');
  const statements: string[] = [];
  const logger: Logger = {
    logQuery: (query) => void statements.push(query),
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
  const dataSource = new DataSource({ type: 'better-sqlite3', database: file, logging: ['query'], logger });
  const runner = new TransactionRunner(dataSource);
  /** A second connection, as another process would have: it sees only what was committed. */
  let outside: Database.Database;
  const committedIds = () =>
    outside
      .prepare('SELECT id FROM items ORDER BY id')
      .all()
      .map((row) => (row as { id: string }).id);
  const insert = (manager: EntityManager, id: string) => manager.query('INSERT INTO items (id) VALUES (?)', [id]);

  before(async () => {
    await dataSource.initialize();
    await dataSource.query('PRAGMA journal_mode = WAL');
    await dataSource.query('CREATE TABLE items (id TEXT PRIMARY KEY)');
    outside = new Database(file, { readonly: true });
  });
  after(async () => {
    outside?.close();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits the units that queue up meanwhile together, each settling once its commit is on disk', async () => {
    await dataSource.query('DELETE FROM items');
    statements.length = 0;
    const seenAtResolve: string[][] = [];
    const ids = Array.from({ length: 10 }, (_, i) => `u${i}`);
    await Promise.all(
      ids.map((id) =>
        runner
          .run(async (manager) => {
            await insert(manager, id);
            return id;
          })
          .then((value) => {
            expect(value).toBe(id);
            seenAtResolve.push(committedIds());
          }),
      ),
    );
    // Each unit was visible to another connection when its promise resolved.
    seenAtResolve.forEach((seen, i) => expect(seen).toContain(ids[i]));
    const commits = statements.filter((statement) => statement === 'COMMIT').length;
    // The first unit starts alone; the nine that queued behind it share the next commit.
    expect(commits).toBe(2);
  });

  it('rolls back only the unit that failed, which fails with its own error', async () => {
    await dataSource.query('DELETE FROM items');
    const results = await Promise.allSettled([
      runner.run((manager) => insert(manager, 'a')),
      runner.run(async (manager) => {
        await insert(manager, 'b1');
        await insert(manager, 'b2');
        throw new Error('unit b changed its mind');
      }),
      // A constraint violation part-way: the unit's first insert must go too.
      runner.run(async (manager) => {
        await insert(manager, 'c');
        await insert(manager, 'a');
      }),
      runner.run(async (manager) => {
        // Units run in order: this one sees what the units before it in the same commit wrote.
        const rows: { id: string }[] = await manager.query('SELECT id FROM items ORDER BY id');
        await insert(manager, `d-after-${rows.map((row) => row.id).join('-')}`);
      }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('unit b changed its mind');
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(committedIds()).toEqual(['a', 'd-after-a']);
  });

  it('fails every unit of a transaction the database dropped, and starts the next one cleanly', async () => {
    await dataSource.query('DELETE FROM items');
    const results = await Promise.allSettled([
      // Alone in the first commit: the other two queue behind it and share the second.
      runner.run((manager) => insert(manager, 'a')),
      runner.run((manager) => insert(manager, 'b')),
      runner.run(async (manager) => {
        // What an I/O error does to SQLite: the whole transaction is rolled back under the savepoint.
        await manager.query('ROLLBACK');
        throw new Error('disk I/O error');
      }),
      runner.run((manager) => insert(manager, 'd')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    expect(committedIds()).toEqual(['a']);
    await runner.run((manager) => insert(manager, 'e'));
    expect(committedIds()).toEqual(['a', 'e']);
    expect(statements.at(-1)).toBe('COMMIT');
  });

  it('holds the write lock from BEGIN, so another process writing between a read and a write cannot fail the unit', async () => {
    await dataSource.query('DELETE FROM items');
    // Another process sharing the file, which gives up at once instead of waiting for the lock.
    const otherProcess = new Database(file);
    otherProcess.pragma('busy_timeout = 0');
    let otherWrite = 'not tried';
    try {
      await runner.run(async (manager) => {
        const rows: unknown[] = await manager.query('SELECT id FROM items');
        try {
          otherProcess.prepare("INSERT INTO items (id) VALUES ('other')").run();
          otherWrite = 'committed';
        } catch (error) {
          otherWrite = (error as { code?: string }).code ?? String(error);
        }
        // With a deferred BEGIN this write would fail with SQLITE_BUSY_SNAPSHOT.
        await insert(manager, `after-${rows.length}`);
      });
    } finally {
      otherProcess.close();
    }
    expect(otherWrite).toBe('SQLITE_BUSY');
    expect(committedIds()).toEqual(['after-0']);
  });
});
