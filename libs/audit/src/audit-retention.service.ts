import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { auditConfig } from './audit.config';
import { AuditLogEntity } from './audit-log.entity';

export const AUDIT_RETENTION_JOB = 'audit-retention';

/**
 * Deletes audit rows older than AUDIT_RETENTION_DAYS, hourly, in batches of
 * AUDIT_RETENTION_BATCH: select a batch of ids through the (created_at) index, delete exactly
 * those by primary key, repeat until a batch comes back short. No unbounded DELETE, so every
 * statement is a short transaction that neither locks a range of the table for long nor outgrows
 * the transaction limits of TiDB/Vitess (DESIGN §7).
 *
 * Safe on many instances without a lock: they may pick the same batch, and deleting ids that
 * another instance already deleted matches no row — wasted work, never a wrong result. Rows are
 * only ever deleted when older than the cutoff, and audit rows are never updated, so a stale
 * batch cannot remove anything recent.
 *
 * The schedule runs only when the application registers ScheduleModule.forRoot().
 */
@Injectable()
export class AuditRetentionService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditRetentionService.name);
  private running?: Promise<number>;
  private stopping = false;

  constructor(
    @Inject(auditConfig.KEY) private readonly config: ConfigType<typeof auditConfig>,
    @InjectRepository(AuditLogEntity) private readonly logs: Repository<AuditLogEntity>,
  ) {}

  @Cron(CronExpression.EVERY_HOUR, { name: AUDIT_RETENTION_JOB, waitForCompletion: true })
  async scheduledPurge(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = this.purgeExpired();
    try {
      const deleted = await this.running;
      if (deleted) this.logger.log(`deleted ${deleted} audit rows older than ${this.config.retentionDays} days`);
    } catch (error) {
      // The next run continues where this one stopped.
      this.logger.warn(`audit retention failed: ${(error as Error).message}`);
    } finally {
      this.running = undefined;
    }
  }

  /** Deletes every row older than the retention period before `now`; returns how many this call deleted. */
  async purgeExpired(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.retentionDays * 86_400_000);
    let deleted = 0;
    for (;;) {
      const batch = await this.purgeBatch(cutoff);
      deleted += batch.deleted;
      if (batch.selected < this.config.retentionBatch || this.stopping) return deleted;
    }
  }

  /** One batch: at most AUDIT_RETENTION_BATCH of the oldest expired rows. */
  async purgeBatch(cutoff: Date): Promise<{ selected: number; deleted: number }> {
    const rows = await this.logs.find({
      select: { id: true },
      where: { createdAt: LessThan(cutoff) },
      order: { createdAt: 'ASC' },
      take: this.config.retentionBatch,
    });
    if (rows.length === 0) return { selected: 0, deleted: 0 };
    const result = await this.logs
      .createQueryBuilder()
      .delete()
      .whereInIds(rows.map((row) => row.id))
      .execute();
    return { selected: rows.length, deleted: result.affected ?? 0 };
  }

  /** Lets a running purge finish its current batch before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }
}
