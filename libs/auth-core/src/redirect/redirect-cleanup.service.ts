import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { ClusterJobs, ExpiredRowsCleanup } from '@identity/database';
import { ExchangeCodeEntity } from './exchange-code.entity';
import { RedirectFlowEntity } from './redirect-flow.entity';

/** What one cleanup run deleted, by table. */
export interface RedirectCleanupCounts {
  redirect_flows: number;
  exchange_codes: number;
}

/** Every CLEANUP_INTERVAL, on one instance per tick, removes the rows of finished or abandoned redirect sign-ins. */
@Injectable()
export class RedirectCleanupService {
  private readonly logger = new Logger(RedirectCleanupService.name);
  private readonly jobs: Record<keyof RedirectCleanupCounts, ExpiredRowsCleanup<{ id: string; expiresAt: Date }>>;

  constructor(
    @InjectRepository(RedirectFlowEntity) flows: Repository<RedirectFlowEntity>,
    @InjectRepository(ExchangeCodeEntity) codes: Repository<ExchangeCodeEntity>,
    clock: Clock,
    jobs: ClusterJobs,
  ) {
    const now = () => clock.now();
    this.jobs = {
      redirect_flows: new ExpiredRowsCleanup(flows, this.logger, 'expired redirect sign-ins', now),
      exchange_codes: new ExpiredRowsCleanup(codes, this.logger, 'expired exchange codes', now),
    };
    jobs.every('redirect-cleanup', 'cleanup', () => this.scheduledCleanup());
  }

  async scheduledCleanup(): Promise<void> {
    for (const job of Object.values(this.jobs)) {
      // Also safe when run by hand beside the schedule: deleting a row twice matches nothing.
      await job.deleteExpired().catch((error: Error) => this.logger.warn(`cleanup failed: ${error.message}`));
    }
  }

  /** One run now (the operator CLI); failures are thrown, not logged. */
  async deleteExpired(): Promise<RedirectCleanupCounts> {
    return {
      redirect_flows: await this.jobs.redirect_flows.deleteExpired(),
      exchange_codes: await this.jobs.exchange_codes.deleteExpired(),
    };
  }
}
