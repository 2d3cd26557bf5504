import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsBoolean, IsDate, IsIn, IsInt, IsIP, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { AuditPageQueryDto } from '@identity/audit';
import { AUDIT_ACTIONS } from '@identity/common';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * A time in ISO 8601 (a bare date is its UTC midnight); anything else, including a day the
 * calendar lacks (which Date would roll over), stays as is and fails IsDate.
 */
const toDate = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) return value;
    const [year, month, day] = value.slice(0, 10).split('-').map(Number);
    const calendar = new Date(Date.UTC(year, month - 1, day));
    if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return value;
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? value : date;
  });

const toInt = () => Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value));

export class AuditSearchQueryDto extends AuditPageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Events about this account.' })
  @IsOptional()
  @IsUUID('all')
  userId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Events caused by this account (e.g. an admin).' })
  @IsOptional()
  @IsUUID('all')
  actorId?: string;

  @ApiPropertyOptional({
    type: String,
    description: `One action or a comma-separated list (any of them). Actions: ${AUDIT_ACTIONS.join(', ')}.`,
    example: 'login.failed,token.reuse_detected',
  })
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : value,
  )
  @ArrayMinSize(1, { message: 'action must name at least one action' })
  @ArrayMaxSize(AUDIT_ACTIONS.length)
  @IsIn(AUDIT_ACTIONS, { each: true, message: `action must be one or more of: ${AUDIT_ACTIONS.join(', ')}` })
  action?: string[];

  @ApiPropertyOptional({ type: Boolean, description: 'Only successes (true) or only failures (false).' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'success must be true or false' })
  success?: boolean;

  @ApiPropertyOptional({ example: '203.0.113.7', description: 'Client IP, exactly as recorded.' })
  @IsOptional()
  @IsIP()
  ip?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Events at or after this time (ISO 8601).' })
  @IsOptional()
  @toDate()
  @IsDate({ message: 'from must be an ISO 8601 date or date-time' })
  from?: Date;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Events before this time (ISO 8601, exclusive).' })
  @IsOptional()
  @toDate()
  @IsDate({ message: 'to must be an ISO 8601 date or date-time' })
  to?: Date;
}

export class FailedLoginsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 365, default: 30, description: 'How many UTC days, today included.' })
  @IsOptional()
  @toInt()
  @IsInt()
  @Min(1)
  @Max(365)
  days?: number;
}

export class FailedLoginsDayDto {
  @ApiProperty({ example: '2026-11-22', description: 'UTC day.' })
  day: string;

  @ApiProperty({ example: 42, description: 'Failed sign-in attempts (login.failed events).' })
  failures: number;

  @ApiProperty({ example: 7, description: 'Distinct existing accounts among them (unknown identifiers are not counted).' })
  distinctUsers: number;
}

export class FailedLoginsReportDto {
  @ApiProperty({ type: [FailedLoginsDayDto], description: 'One entry per day, oldest first, zeros included.' })
  items: FailedLoginsDayDto[];
}

export class ActiveSessionsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @toInt()
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class ActiveSessionsUserDto {
  @ApiProperty({ format: 'uuid' })
  userId: string;

  @ApiProperty({ type: String, nullable: true })
  email: string | null;

  @ApiProperty({ type: String, nullable: true })
  phone: string | null;

  @ApiProperty()
  displayName: string;

  @ApiProperty({ example: 3, description: 'Sessions neither revoked nor expired.' })
  activeSessions: number;

  @ApiProperty({ type: String, format: 'date-time', description: 'Most recent use of any of them.' })
  lastUsedAt: Date;
}

export class ActiveSessionsReportDto {
  @ApiProperty({ type: [ActiveSessionsUserDto], description: 'Users with the most active sessions first.' })
  items: ActiveSessionsUserDto[];
}
