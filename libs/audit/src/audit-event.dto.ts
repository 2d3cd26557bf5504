import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ADMIN_ONLY_METADATA_KEYS, AUDIT_ACTIONS } from '@identity/common';
import { AuditLogEntity } from './audit-log.entity';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** One security event (DESIGN §5). Never carries a secret: events are written without them. */
export class AuditEventDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: AUDIT_ACTIONS, example: 'login.failed' })
  action: string;

  @ApiProperty()
  success: boolean;

  @ApiProperty({ type: String, nullable: true, example: 'invalid_credentials', description: 'Stable error code of a failure.' })
  errorCode: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The account the event is about.' })
  userId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'Who acted: the user themselves, an admin, or null (anonymous caller).',
  })
  actorId: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  sessionId: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip: string | null;

  @ApiProperty({ type: String, nullable: true })
  userAgent: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'POST' })
  method: string | null;

  @ApiProperty({ type: String, nullable: true, example: '/api/v1/auth/login', description: 'Route pattern of the request.' })
  endpoint: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: { provider: 'local', reason: 'wrong_password' },
    description: 'Event details; never a password, code, token or hash.',
  })
  metadata: Record<string, unknown> | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  static from(row: AuditLogEntity): AuditEventDto {
    return {
      id: row.id,
      action: row.action,
      success: row.success,
      errorCode: row.errorCode,
      userId: row.userId,
      actorId: row.actorId,
      sessionId: row.sessionId,
      ip: row.ip,
      userAgent: row.userAgent,
      method: row.method,
      endpoint: row.endpoint,
      metadata: row.metadata,
      createdAt: row.createdAt,
    };
  }

  /** The event as the account holder may see it: without facts meant for administrators. */
  static forAccountHolder(row: AuditLogEntity): AuditEventDto {
    const event = AuditEventDto.from(row);
    if (!event.metadata) return event;
    const metadata = Object.fromEntries(Object.entries(event.metadata).filter(([key]) => !ADMIN_ONLY_METADATA_KEYS.includes(key)));
    return { ...event, metadata };
  }
}

export class AuditEventListDto {
  @ApiProperty({ type: [AuditEventDto], description: 'Newest first.' })
  items: AuditEventDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor: string | null;
}

/** `limit` and `cursor` of a cursor-paginated audit list. */
export class AuditPageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
