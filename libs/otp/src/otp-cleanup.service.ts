import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { OtpChallengeEntity } from './otp-challenge.entity';
import { otpConfig } from './otp.config';

const BATCH = 1000;

/**
 * Deletes spent and expired codes, every ten minutes, in batches by primary key (DESIGN §7). A
 * row is kept until the send-limit window has passed over it, because the limits count rows.
 * Safe on many instances: they may pick the same batch, and deleting an already deleted id is a
 * no-op. The schedule runs only where ScheduleModule is registered (the API, not the CLI).
 */
@Injectable()
export class OtpCleanupService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(OtpCleanupService.name);
  private running?: Promise<number>;
  private stopping = false;

  constructor(
    @Inject(otpConfig.KEY) private readonly config: ConfigType<typeof otpConfig>,
    @InjectRepository(OtpChallengeEntity) private readonly challenges: Repository<OtpChallengeEntity>,
    private readonly clock: Clock,
  ) {}

  @Cron(CronExpression.EVERY_10_MINUTES, { name: 'otp-cleanup', waitForCompletion: true })
  async scheduledCleanup(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = this.deleteExpired();
    try {
      const deleted = await this.running;
      if (deleted) this.logger.log(`deleted ${deleted} expired one-time codes`);
    } catch (error) {
      this.logger.warn(`one-time code cleanup failed: ${(error as Error).message}`);
    } finally {
      this.running = undefined;
    }
  }

  /** Deletes every challenge no longer needed at `now`; returns how many. */
  async deleteExpired(now = this.clock.now()): Promise<number> {
    const limits = this.config.sendLimits;
    const keepSeconds = Math.max(limits?.perDestination.windowSeconds ?? 0, limits?.perIp.windowSeconds ?? 0);
    const cutoff = new Date(now.getTime() - keepSeconds * 1000);
    let deleted = 0;
    for (;;) {
      const batch = await this.challenges.find({ select: { id: true }, where: { expiresAt: LessThan(cutoff) }, take: BATCH });
      if (batch.length === 0) return deleted;
      const result = await this.challenges.delete(batch.map((row) => row.id));
      deleted += result.affected ?? 0;
      if (batch.length < BATCH || this.stopping) return deleted;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }
}
