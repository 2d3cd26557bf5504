import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { PendingRegistrationEntity } from './pending-registration.entity';

const BATCH = 1000;

/**
 * Deletes registrations whose code expired without being verified, every ten minutes, in
 * batches by primary key (DESIGN §7). A pending row expires with its code, and a resend moves
 * both forward, so nothing that can still be verified is deleted. Safe on many instances: they
 * may pick the same batch, and deleting an already deleted id is a no-op. The schedule runs
 * only where ScheduleModule is registered (the API, not the CLI).
 */
@Injectable()
export class PendingRegistrationCleanupService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PendingRegistrationCleanupService.name);
  private running?: Promise<number>;
  private stopping = false;

  constructor(
    @InjectRepository(PendingRegistrationEntity) private readonly pending: Repository<PendingRegistrationEntity>,
    private readonly clock: Clock,
  ) {}

  @Cron(CronExpression.EVERY_10_MINUTES, { name: 'pending-registration-cleanup', waitForCompletion: true })
  async scheduledCleanup(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = this.deleteExpired();
    try {
      const deleted = await this.running;
      if (deleted) this.logger.log(`deleted ${deleted} expired pending registrations`);
    } catch (error) {
      this.logger.warn(`pending registration cleanup failed: ${(error as Error).message}`);
    } finally {
      this.running = undefined;
    }
  }

  /** Deletes every pending registration expired at `now`; returns how many. */
  async deleteExpired(now = this.clock.now()): Promise<number> {
    let deleted = 0;
    for (;;) {
      const batch = await this.pending.find({ select: { id: true }, where: { expiresAt: LessThan(now) }, take: BATCH });
      if (batch.length === 0) return deleted;
      // Expiry checked again: a resend may have moved a row forward since the batch was read.
      const result = await this.pending.delete({ id: In(batch.map((row) => row.id)), expiresAt: LessThan(now) });
      deleted += result.affected ?? 0;
      if (batch.length < BATCH || this.stopping) return deleted;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }
}
