import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

type Work<T> = (manager: EntityManager) => Promise<T>;

interface QueuedWork {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The most units of work one SQLite commit takes (see TransactionRunner.commitTogether). */
const MAX_UNITS_PER_COMMIT = 64;

/**
 * Runs a unit of work in one database transaction.
 *
 * SQLite has one connection per process, and TypeORM's better-sqlite3 driver fails when two
 * transactions overlap on it ("cannot start a transaction within a transaction"). So on SQLite
 * units run one after another, and the units that queued up meanwhile share one commit (see
 * commitTogether); on MySQL each gets its own pooled connection and runs concurrently.
 */
@Injectable()
export class TransactionRunner {
  private readonly queued: QueuedWork[] = [];
  private draining = false;

  constructor(private readonly dataSource: DataSource) {}

  get isSqlite(): boolean {
    return this.dataSource.options.type === 'better-sqlite3';
  }

  run<T>(work: Work<T>): Promise<T> {
    if (!this.isSqlite) return this.withDeadlockRetry(work);
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queued.length) await this.commitTogether(this.queued.splice(0, MAX_UNITS_PER_COMMIT));
    } finally {
      this.draining = false;
    }
  }

  /**
   * Group commit. A SQLite commit waits for the disk (fsync), on the event loop, since the driver
   * is synchronous: about a fifth of a refresh. So the units that queued while the previous commit
   * ran go into one transaction, each in a savepoint of its own: a unit that fails is rolled back
   * to its savepoint and fails alone, the others commit together with one fsync. Every unit still
   * settles only after the commit that holds it, so what a caller was told is durable, is.
   */
  private async commitTogether(units: QueuedWork[]): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    const done: { unit: QueuedWork; value: unknown }[] = [];
    try {
      await beginImmediate(runner);
      for (const unit of units) {
        const outcome = await this.inSavepoint(runner, unit.work);
        if (outcome.failed) unit.reject(outcome.error);
        else done.push({ unit, value: outcome.value });
      }
      await runner.commitTransaction();
    } catch (error) {
      // The transaction itself failed (BEGIN or COMMIT, or a savepoint the database dropped):
      // nothing of it was written. (Rejecting a unit that already failed on its own changes nothing.)
      await abandon(runner);
      for (const unit of units) unit.reject(error);
      return;
    }
    for (const { unit, value } of done) unit.resolve(value);
  }

  /** Runs one unit in a savepoint; its failure is its own, unless the savepoint cannot be undone. */
  private async inSavepoint(
    runner: QueryRunner,
    work: Work<unknown>,
  ): Promise<{ failed: false; value: unknown } | { failed: true; error: unknown }> {
    await runner.startTransaction();
    try {
      const value = await work(runner.manager);
      await runner.commitTransaction();
      return { failed: false, value };
    } catch (error) {
      // If this throws, the whole transaction is gone: commitTogether fails every unit.
      await runner.rollbackTransaction();
      return { failed: true, error };
    }
  }

  /**
   * InnoDB resolves a deadlock by rolling one transaction back; the standard remedy is to run it
   * again. The work is a fresh transaction each time, so a retry never sees half of an attempt.
   */
  private async withDeadlockRetry<T>(work: Work<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        if (attempt >= DEADLOCK_ATTEMPTS || !isDeadlock(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, attempt * 10 * Math.random()));
      }
    }
  }
}

/**
 * Opens the transaction holding SQLite's write lock from its first statement. TypeORM's BEGIN is
 * DEFERRED: a transaction that reads first takes a snapshot, and if another process sharing the
 * file commits before it writes, its write fails at once with SQLITE_BUSY_SNAPSHOT (the busy
 * timeout cannot help: waiting would not make the snapshot current). IMMEDIATE waits for the
 * lock, within the busy timeout, before reading anything. Within one process it costs nothing:
 * its transactions run one at a time anyway.
 */
async function beginImmediate(runner: QueryRunner): Promise<void> {
  await runner.query('BEGIN IMMEDIATE');
  setTransactionDepth(runner, 1);
}

/**
 * Leaves SQLite and TypeORM's view of the connection outside any transaction after a failure
 * part-way, whatever state it left: otherwise the next BEGIN would become a savepoint of a
 * transaction that never commits.
 */
async function abandon(runner: QueryRunner): Promise<void> {
  await runner.query('ROLLBACK').catch(() => undefined);
  setTransactionDepth(runner, 0);
}

/**
 * TypeORM keeps the depth that decides between BEGIN and SAVEPOINT (and COMMIT and RELEASE) on the
 * query runner; it has no way to open a transaction other than its own BEGIN, so it is set here.
 */
function setTransactionDepth(runner: QueryRunner, depth: number): void {
  const state = runner as unknown as { transactionDepth: number; isTransactionActive: boolean };
  state.transactionDepth = depth;
  state.isTransactionActive = depth > 0;
}

const DEADLOCK_ATTEMPTS = 3;

function isDeadlock(error: unknown): boolean {
  const code = (error as { driverError?: { code?: string } })?.driverError?.code ?? (error as { code?: string })?.code;
  return code === 'ER_LOCK_DEADLOCK';
}
