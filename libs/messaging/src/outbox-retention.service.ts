import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { messagingConfig } from './messaging.config';
import { OutboxMessageEntity } from './outbox-message.entity';

const BATCH = 1000;

/**
 * Deletes sent and failed messages older than OUTBOX_RETENTION_DAYS, hourly, in batches by
 * primary key. Safe on many instances: deleting an id twice is a no-op.
 */
@Injectable()
export class OutboxRetentionService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRetentionService.name);
  private running?: Promise<number>;
  private stopping = false;

  constructor(
    @Inject(messagingConfig.KEY) private readonly config: ConfigType<typeof messagingConfig>,
    @InjectRepository(OutboxMessageEntity) private readonly messages: Repository<OutboxMessageEntity>,
    private readonly clock: Clock,
  ) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'outbox-retention', waitForCompletion: true })
  async scheduledCleanup(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = this.deleteExpired();
    try {
      const deleted = await this.running;
      if (deleted) this.logger.log(`deleted ${deleted} old outbox messages`);
    } catch (error) {
      this.logger.warn(`outbox cleanup failed: ${(error as Error).message}`);
    } finally {
      this.running = undefined;
    }
  }

  async deleteExpired(now = this.clock.now()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.retentionDays * 86_400_000);
    let deleted = 0;
    for (;;) {
      const batch = await this.messages.find({
        select: { id: true },
        where: { status: In(['sent', 'failed']), createdAt: LessThan(cutoff) },
        take: BATCH,
      });
      if (batch.length === 0) return deleted;
      deleted += (await this.messages.delete(batch.map((row) => row.id))).affected ?? 0;
      if (batch.length < BATCH || this.stopping) return deleted;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }
}
