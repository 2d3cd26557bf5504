import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '@identity/abuse';
import { ApiAuthenticated, ApiProblems, Client, ClientContext, CurrentUser, Principal, Public, SecurityEvents } from '@identity/common';
import { SessionsService } from '@identity/sessions';
import { LogoutDto, ProviderInfoDto, RefreshDto } from './auth.dto';
import { TokenResponseDto } from './account/user.dto';
import { ProviderRegistry } from './registry/provider-registry';
import { SignInService } from './signin/sign-in.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly sessions: SessionsService,
    private readonly signIn: SignInService,
    private readonly events: SecurityEvents,
  ) {}

  @Public()
  @Get('providers')
  @ApiOperation({ summary: 'Sign-in methods enabled on this deployment, for clients to render' })
  @ApiOkResponse({ type: [ProviderInfoDto] })
  async providers(): Promise<ProviderInfoDto[]> {
    return (await this.registry.available()).map(({ id, displayName, kind, supports }) => ({ id, displayName, kind, supports }));
  }

  @Public()
  @Post('refresh')
  @RateLimit('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for new tokens (rotation)',
    description:
      'Every refresh token works once. Presenting one that was already exchanged revokes its session, except within a short grace window (REFRESH_REUSE_GRACE) for racing tabs, where it answers 409 and leaves the session alone.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(400, 401, 409, 503)
  async refresh(@Body() body: RefreshDto, @Client() client: ClientContext): Promise<TokenResponseDto> {
    const issued = await this.sessions.rotate(body.refreshToken, client);
    return this.signIn.refreshed(issued);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End this session, or all of my sessions with allSessions' })
  @ApiNoContentResponse({ description: 'Signed out; the access and refresh tokens of the ended sessions no longer work.' })
  @ApiAuthenticated(400)
  async logout(@CurrentUser() principal: Principal, @Body() body: LogoutDto): Promise<void> {
    const ended = body.allSessions
      ? await this.sessions.revokeAll(principal.userId, 'logout_all')
      : Number(await this.sessions.revoke(principal.userId, principal.sessionId, 'logout'));
    await this.events.publish({
      action: 'logout',
      success: true,
      userId: principal.userId,
      metadata: { allSessions: Boolean(body.allSessions), sessionsEnded: ended },
    });
  }
}
