import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { BatchedCleanup, ExpiredRows } from '@identity/database';
import { MfaChallengeEntity } from './mfa-challenge.entity';

/** Deletes expired mfaTokens every ten minutes; a spent or expired one is of no further use. */
@Injectable()
export class MfaCleanupService extends BatchedCleanup<MfaChallengeEntity> {
  constructor(
    @InjectRepository(MfaChallengeEntity) challenges: Repository<MfaChallengeEntity>,
    private readonly clock: Clock,
  ) {
    super(challenges, new Logger(MfaCleanupService.name), 'expired mfa tokens');
  }

  @Cron(CronExpression.EVERY_10_MINUTES, { name: 'mfa-cleanup', waitForCompletion: true })
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
