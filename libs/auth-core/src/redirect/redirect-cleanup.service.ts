import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { BatchedCleanup, ExpiredRows } from '@identity/database';
import { ExchangeCodeEntity } from './exchange-code.entity';
import { RedirectFlowEntity } from './redirect-flow.entity';

/** Deletes redirect flows once they can no longer complete. */
class RedirectFlowCleanup extends BatchedCleanup<RedirectFlowEntity> {
  constructor(
    flows: Repository<RedirectFlowEntity>,
    private readonly clock: Clock,
  ) {
    super(flows, new Logger(RedirectCleanupService.name), 'expired redirect sign-ins');
  }

  protected expiredAt(now: Date): ExpiredRows<RedirectFlowEntity> {
    return { where: { expiresAt: LessThan(now) }, batchSize: 1000 };
  }

  protected now(): Date {
    return this.clock.now();
  }
}

/** Deletes one-time exchange codes once they can no longer be used. */
class ExchangeCodeCleanup extends BatchedCleanup<ExchangeCodeEntity> {
  constructor(
    codes: Repository<ExchangeCodeEntity>,
    private readonly clock: Clock,
  ) {
    super(codes, new Logger(RedirectCleanupService.name), 'expired exchange codes');
  }

  protected expiredAt(now: Date): ExpiredRows<ExchangeCodeEntity> {
    return { where: { expiresAt: LessThan(now) }, batchSize: 1000 };
  }

  protected now(): Date {
    return this.clock.now();
  }
}

/** Every ten minutes, removes the rows of finished or abandoned redirect sign-ins. */
@Injectable()
export class RedirectCleanupService {
  private readonly logger = new Logger(RedirectCleanupService.name);
  private readonly jobs: BatchedCleanup<{ id: string }>[];

  constructor(
    @InjectRepository(RedirectFlowEntity) flows: Repository<RedirectFlowEntity>,
    @InjectRepository(ExchangeCodeEntity) codes: Repository<ExchangeCodeEntity>,
    clock: Clock,
  ) {
    this.jobs = [new RedirectFlowCleanup(flows, clock), new ExchangeCodeCleanup(codes, clock)];
  }

  @Cron(CronExpression.EVERY_10_MINUTES, { name: 'redirect-cleanup', waitForCompletion: true })
  async scheduledCleanup(): Promise<void> {
    for (const job of this.jobs) {
      // Safe on many instances: they may pick the same batch, deleting it twice matches nothing.
      await job.deleteExpired().catch((error: Error) => this.logger.warn(`cleanup failed: ${error.message}`));
    }
  }
}
