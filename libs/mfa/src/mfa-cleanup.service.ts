import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { BatchedCleanup, ClusterJobs, ExpiredRows } from '@identity/database';
import { MfaChallengeEntity } from './mfa-challenge.entity';

/** Deletes expired mfaTokens every CLEANUP_INTERVAL; a spent or expired one is of no further use. */
@Injectable()
export class MfaCleanupService extends BatchedCleanup<MfaChallengeEntity> {
  constructor(
    @InjectRepository(MfaChallengeEntity) challenges: Repository<MfaChallengeEntity>,
    private readonly clock: Clock,
    jobs: ClusterJobs,
  ) {
    super(challenges, new Logger(MfaCleanupService.name), 'expired mfa tokens');
    jobs.every('mfa-cleanup', 'cleanup', () => this.scheduledCleanup());
  }

  scheduledCleanup(): Promise<void> {
    return this.runScheduled();
  }

  protected expiredAt(now: Date): ExpiredRows<MfaChallengeEntity> {
    return { where: { expiresAt: LessThan(now) }, batchSize: 1000 };
  }

  protected now(): Date {
    return this.clock.now();
  }
}
