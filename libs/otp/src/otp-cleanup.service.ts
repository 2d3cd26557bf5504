import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { BatchedCleanup, ClusterJobs, ExpiredRows } from '@identity/database';
import { OtpChallengeEntity } from './otp-challenge.entity';
import { otpConfig } from './otp.config';

/**
 * Deletes spent and expired codes every CLEANUP_INTERVAL (10 min), on one instance per tick. A
 * row is kept until the send-limit window has passed over it, because the limits count rows.
 */
@Injectable()
export class OtpCleanupService extends BatchedCleanup<OtpChallengeEntity> {
  constructor(
    @Inject(otpConfig.KEY) private readonly config: ConfigType<typeof otpConfig>,
    @InjectRepository(OtpChallengeEntity) challenges: Repository<OtpChallengeEntity>,
    private readonly clock: Clock,
    jobs: ClusterJobs,
  ) {
    super(challenges, new Logger(OtpCleanupService.name), 'expired one-time codes');
    jobs.every('otp-cleanup', 'cleanup', () => this.scheduledCleanup());
  }

  scheduledCleanup(): Promise<void> {
    return this.runScheduled();
  }

  protected expiredAt(now: Date): ExpiredRows<OtpChallengeEntity> {
    const limits = this.config.sendLimits;
    const keepSeconds = Math.max(limits?.perDestination.windowSeconds ?? 0, limits?.perIp.windowSeconds ?? 0);
    return { where: { expiresAt: LessThan(new Date(now.getTime() - keepSeconds * 1000)) }, batchSize: 1000 };
  }

  protected now(): Date {
    return this.clock.now();
  }
}
