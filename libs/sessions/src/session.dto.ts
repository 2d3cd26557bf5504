import { ApiProperty } from '@nestjs/swagger';
import { SessionEntity } from './session.entity';

export class SessionDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'True for the session of the access token making this request.' })
  current: boolean;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  lastUsedAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt: Date;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip: string | null;

  @ApiProperty({ type: String, nullable: true })
  userAgent: string | null;

  @ApiProperty({ example: 'local' })
  provider: string;

  static from(session: SessionEntity, currentSessionId: string): SessionDto {
    return {
      id: session.id,
      current: session.id === currentSessionId,
      createdAt: session.createdAt,
      lastUsedAt: session.lastUsedAt,
      expiresAt: session.expiresAt,
      ip: session.ip,
      userAgent: session.userAgent,
      provider: session.provider,
    };
  }
}

export class SessionListDto {
  @ApiProperty({ type: [SessionDto] })
  items: SessionDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Always null: a user has few sessions, all are returned.' })
  nextCursor: string | null;
}

export class RevokedCountDto {
  @ApiProperty({ example: 2 })
  revoked: number;
}
