import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { BatchedCleanup, ExpiredRows } from '@identity/database';
import { messagingConfig } from './messaging.config';
import { OutboxMessageEntity } from './outbox-message.entity';

/** Deletes sent and failed messages older than OUTBOX_RETENTION_DAYS, hourly. */
@Injectable()
export class OutboxRetentionService extends BatchedCleanup<OutboxMessageEntity> {
  constructor(
    @Inject(messagingConfig.KEY) private readonly config: ConfigType<typeof messagingConfig>,
    @InjectRepository(OutboxMessageEntity) messages: Repository<OutboxMessageEntity>,
    private readonly clock: Clock,
  ) {
    super(messages, new Logger(OutboxRetentionService.name), 'old outbox messages');
  }

  @Cron(CronExpression.EVERY_HOUR, { name: 'outbox-retention', waitForCompletion: true })
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
