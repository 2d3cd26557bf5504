import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { BatchedCleanup, ExpiredRows } from '@identity/database';
import { OtpChallengeEntity } from './otp-challenge.entity';
import { otpConfig } from './otp.config';

/**
 * Deletes spent and expired codes every ten minutes. A row is kept until the send-limit window
 * has passed over it, because the limits count rows.
 */
@Injectable()
export class OtpCleanupService extends BatchedCleanup<OtpChallengeEntity> {
  constructor(
    @Inject(otpConfig.KEY) private readonly config: ConfigType<typeof otpConfig>,
    @InjectRepository(OtpChallengeEntity) challenges: Repository<OtpChallengeEntity>,
    private readonly clock: Clock,
  ) {
    super(challenges, new Logger(OtpCleanupService.name), 'expired one-time codes');
  }

  @Cron(CronExpression.EVERY_10_MINUTES, { name: 'otp-cleanup', waitForCompletion: true })
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
