import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { BatchedCleanup, ClusterJobs, ExpiredRows } from '@identity/database';
import { messagingConfig } from './messaging.config';
import { OutboxMessageEntity } from './outbox-message.entity';

/** Deletes sent and failed messages older than OUTBOX_RETENTION_DAYS, every RETENTION_INTERVAL (1 h). */
@Injectable()
export class OutboxRetentionService extends BatchedCleanup<OutboxMessageEntity> {
  constructor(
    @Inject(messagingConfig.KEY) private readonly config: ConfigType<typeof messagingConfig>,
    @InjectRepository(OutboxMessageEntity) messages: Repository<OutboxMessageEntity>,
    private readonly clock: Clock,
    jobs: ClusterJobs,
  ) {
    super(messages, new Logger(OutboxRetentionService.name), 'old outbox messages');
    jobs.every('outbox-retention', 'retention', () => this.scheduledCleanup());
  }

  scheduledCleanup(): Promise<void> {
    return this.runScheduled();
  }

  protected expiredAt(now: Date): ExpiredRows<OutboxMessageEntity> {
    const cutoff = new Date(now.getTime() - this.config.retentionDays * 86_400_000);
    return { where: { status: In(['sent', 'failed']), createdAt: LessThan(cutoff) }, batchSize: 1000 };
  }

  protected now(): Date {
    return this.clock.now();
  }
}
