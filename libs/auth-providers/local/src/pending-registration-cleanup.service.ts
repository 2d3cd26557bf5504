import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { BatchedCleanup, ClusterJobs, ExpiredRows } from '@identity/database';
import { PendingRegistrationEntity } from './pending-registration.entity';

/**
 * Deletes registrations whose code expired without being verified, every CLEANUP_INTERVAL. A
 * pending row expires with its code, and a resend moves both forward, so nothing that can still
 * be verified is deleted.
 */
@Injectable()
export class PendingRegistrationCleanupService extends BatchedCleanup<PendingRegistrationEntity> {
  constructor(
    @InjectRepository(PendingRegistrationEntity) pending: Repository<PendingRegistrationEntity>,
    private readonly clock: Clock,
    jobs: ClusterJobs,
  ) {
    super(pending, new Logger(PendingRegistrationCleanupService.name), 'expired pending registrations');
    jobs.every('pending-registration-cleanup', 'cleanup', () => this.scheduledCleanup());
  }

  scheduledCleanup(): Promise<void> {
    return this.runScheduled();
  }

  protected expiredAt(now: Date): ExpiredRows<PendingRegistrationEntity> {
    return { where: { expiresAt: LessThan(now) }, batchSize: 1000 };
  }

  protected now(): Date {
    return this.clock.now();
  }
}
