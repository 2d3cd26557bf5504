import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { ExpiredRowsCleanup } from '@identity/database';
import { ExchangeCodeEntity } from './exchange-code.entity';
import { RedirectFlowEntity } from './redirect-flow.entity';

/** Every ten minutes, removes the rows of finished or abandoned redirect sign-ins. */
@Injectable()
export class RedirectCleanupService {
  private readonly logger = new Logger(RedirectCleanupService.name);
  private readonly jobs: ExpiredRowsCleanup<{ id: string; expiresAt: Date }>[];

  constructor(
    @InjectRepository(RedirectFlowEntity) flows: Repository<RedirectFlowEntity>,
    @InjectRepository(ExchangeCodeEntity) codes: Repository<ExchangeCodeEntity>,
    clock: Clock,
  ) {
    const now = () => clock.now();
    this.jobs = [
      new ExpiredRowsCleanup(flows, this.logger, 'expired redirect sign-ins', now),
      new ExpiredRowsCleanup(codes, this.logger, 'expired exchange codes', now),
    ];
  }

  @Cron(CronExpression.EVERY_10_MINUTES, { name: 'redirect-cleanup', waitForCompletion: true })
  async scheduledCleanup(): Promise<void> {
    for (const job of this.jobs) {
      // Safe on many instances: they may pick the same batch, deleting it twice matches nothing.
      await job.deleteExpired().catch((error: Error) => this.logger.warn(`cleanup failed: ${error.message}`));
    }
  }
}
