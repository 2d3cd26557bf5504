import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { newId, requestContext, SECURITY_EVENT, SecurityEvent } from '@identity/common';
import { PreparedStatement } from '@identity/database';
import { AuditLogEntity } from './audit-log.entity';

/**
 * Writes every security event to audit_logs. Modules never call the audit log; they publish
 * events. The row is written in the event's transaction when it carries one, so it commits or
 * rolls back with the change it records.
 */
@Injectable()
export class AuditListener {
  /** Every sign-in and refresh writes one: its SQL is written once (see PreparedStatement). */
  private readonly insertEntry = PreparedStatement.insert(AuditLogEntity);

  constructor(@InjectRepository(AuditLogEntity) private readonly logs: Repository<AuditLogEntity>) {}

  @OnEvent(SECURITY_EVENT, { promisify: true, suppressErrors: false })
  async record(event: SecurityEvent): Promise<void> {
    const request = requestContext.current();
    const row = {
      id: newId(),
      action: event.action,
      success: event.success,
      userId: event.userId ?? null,
      actorId: event.actorId !== undefined ? event.actorId : (request?.userId ?? null),
      sessionId: event.sessionId ?? request?.sessionId ?? null,
      errorCode: event.errorCode ?? null,
      ip: request?.ip ?? null,
      userAgent: request?.userAgent ?? null,
      method: request?.method ?? null,
      endpoint: request?.endpoint?.slice(0, 255) ?? null,
      metadata: event.metadata ?? null,
      durationMs: request ? Math.round(performance.now() - request.startedAt) : null,
      // Set here rather than by the column default: the same UTC millisecond clock on both
      // dialects (SQLite's default has whole seconds, MySQL's follows the session time zone),
      // which the (created_at, id) pagination cursor relies on.
      createdAt: new Date(),
    };
    await this.insertEntry.run(event.manager ?? this.logs.manager, row);
  }
}
