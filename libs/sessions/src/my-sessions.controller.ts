import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, CurrentUser, Errors, Principal, SecurityEvents } from '@identity/common';
import { RevokedCountDto, SessionDto, SessionListDto } from './session.dto';
import { SessionsService } from './sessions.service';

@ApiTags('account')
@Controller('me/sessions')
export class MySessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly events: SecurityEvents,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List my active sessions' })
  @ApiOkResponse({ type: SessionListDto })
  @ApiAuthenticated()
  async list(@CurrentUser() principal: Principal): Promise<SessionListDto> {
    const sessions = await this.sessions.listActive(principal.userId);
    return { items: sessions.map((session) => SessionDto.from(session, principal.sessionId)), nextCursor: null };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke one of my sessions (sign that device out)' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiAuthenticated(400, 404)
  async revoke(@CurrentUser() principal: Principal, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    if (!(await this.sessions.revoke(principal.userId, id, 'user_revoked'))) throw Errors.notFound('session');
    await this.events.publish({ action: 'session.revoked', success: true, userId: principal.userId, metadata: { revokedSessionId: id } });
  }

  @Delete()
  @ApiOperation({ summary: 'Revoke all my sessions except the current one' })
  @ApiOkResponse({ type: RevokedCountDto })
  @ApiAuthenticated()
  async revokeOthers(@CurrentUser() principal: Principal): Promise<RevokedCountDto> {
    const revoked = await this.sessions.revokeAll(principal.userId, 'user_revoked', principal.sessionId);
    await this.events.publish({
      action: 'session.revoked',
      success: true,
      userId: principal.userId,
      metadata: { allOthers: true, count: revoked },
    });
    return { revoked };
  }
}
