import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { Clock } from '@identity/common';
import { BatchedCleanup, ClusterJobs, ExpiredRows } from '@identity/database';
import { auditConfig } from './audit.config';
import { AuditLogEntity } from './audit-log.entity';

export const AUDIT_RETENTION_JOB = 'audit-retention';

/**
 * Deletes audit rows older than AUDIT_RETENTION_DAYS, every RETENTION_INTERVAL (1 h), AUDIT_RETENTION_BATCH at a time
 * through the (created_at) index. Audit rows are never updated, so a stale batch picked by
 * another instance cannot remove anything recent.
 */
@Injectable()
export class AuditRetentionService extends BatchedCleanup<AuditLogEntity> {
  constructor(
    @Inject(auditConfig.KEY) private readonly config: ConfigType<typeof auditConfig>,
    @InjectRepository(AuditLogEntity) logs: Repository<AuditLogEntity>,
    private readonly clock: Clock,
    jobs: ClusterJobs,
  ) {
    super(logs, new Logger(AuditRetentionService.name), `audit rows older than ${config.retentionDays} days`);
    jobs.every(AUDIT_RETENTION_JOB, 'retention', () => this.scheduledPurge());
  }

  scheduledPurge(): Promise<void> {
    return this.runScheduled();
  }

  protected expiredAt(now: Date): ExpiredRows<AuditLogEntity> {
    const cutoff = new Date(now.getTime() - this.config.retentionDays * 86_400_000);
    return { where: { createdAt: LessThan(cutoff) }, order: { createdAt: 'ASC' }, batchSize: this.config.retentionBatch };
  }

  protected now(): Date {
    return this.clock.now();
  }
}
