import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { FindOptionsOrder, FindOptionsWhere, In, LessThan, ObjectLiteral, Repository } from 'typeorm';

export interface CleanupBatch {
  selected: number;
  deleted: number;
}

export interface ExpiredRows<T> {
  where: FindOptionsWhere<T>;
  /** The order the index serves, oldest first. */
  order?: FindOptionsOrder<T>;
  batchSize: number;
}

/**
 * Base of the scheduled jobs that delete rows no longer needed (spent codes, old messages, old
 * audit rows). Each batch selects ids through an index and deletes those by primary key (if they
 * still match), until a batch comes back short: no unbounded DELETE, so every statement is a short transaction
 * that neither locks a range for long nor outgrows the limits of TiDB/Vitess (DESIGN §7).
 *
 * Subclasses register a method that calls `runScheduled()` with ClusterJobs, which runs it on one
 * instance per schedule tick. Deleting stays safe without that guard too (a run by hand, a tick
 * that overran): two runs may pick the same batch, and deleting ids already deleted matches no row.
 */
export abstract class BatchedCleanup<T extends ObjectLiteral & { id: string }> implements BeforeApplicationShutdown {
  private running?: Promise<number>;
  private stopping = false;

  protected constructor(
    protected readonly rows: Repository<T>,
    private readonly logger: Logger,
    /** What the rows are, for log lines: "expired one-time codes". */
    private readonly what: string,
  ) {}

  /** Which rows are no longer needed at `now`. */
  protected abstract expiredAt(now: Date): ExpiredRows<T>;

  protected abstract now(): Date;

  /** Deletes every row no longer needed at `now`; returns how many this call deleted. */
  async deleteExpired(now = this.now()): Promise<number> {
    const { where, order, batchSize } = this.expiredAt(now);
    let deleted = 0;
    for (;;) {
      const batch = await this.deleteBatch(where, order, batchSize);
      deleted += batch.deleted;
      if (batch.selected < batchSize || this.stopping) return deleted;
    }
  }

  async deleteBatch(where: FindOptionsWhere<T>, order: FindOptionsOrder<T> | undefined, take: number): Promise<CleanupBatch> {
    const found = await this.rows.find({ select: { id: true } as never, where, order, take });
    if (found.length === 0) return { selected: 0, deleted: 0 };
    // The condition again: a row may have changed since it was read (a resend moves expiry on).
    const result = await this.rows.delete({ ...where, id: In(found.map((row) => row.id)) } as FindOptionsWhere<T>);
    return { selected: found.length, deleted: result.affected ?? 0 };
  }

  /** One scheduled run; skipped while the previous one is still going or the app is stopping. */
  protected async runScheduled(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = this.deleteExpired();
    try {
      const deleted = await this.running;
      if (deleted) this.logger.log(`deleted ${deleted} ${this.what}`);
    } catch (error) {
      // The next run continues where this one stopped.
      this.logger.warn(`deleting ${this.what} failed: ${(error as Error).message}`);
    } finally {
      this.running = undefined;
    }
  }

  /** Lets a running cleanup finish its batch before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }
}

/** The common case: rows that are no longer needed once their `expiresAt` has passed. */
export class ExpiredRowsCleanup<T extends ObjectLiteral & { id: string; expiresAt: Date }> extends BatchedCleanup<T> {
  constructor(
    rows: Repository<T>,
    logger: Logger,
    what: string,
    private readonly clock: () => Date,
  ) {
    super(rows, logger, what);
  }

  protected expiredAt(now: Date): ExpiredRows<T> {
    return { where: { expiresAt: LessThan(now) } as FindOptionsWhere<T>, batchSize: 1000 };
  }

  protected now(): Date {
    return this.clock();
  }
}
