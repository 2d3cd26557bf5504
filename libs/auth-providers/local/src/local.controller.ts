import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '@identity/abuse';
import { ApiAuthenticated, ApiProblems, Client, ClientContext, CurrentUser, Principal, Public } from '@identity/common';
import { SignInService, TokenResponseDto } from '@identity/auth-core';
import { ChangePasswordDto, LoginDto } from './local.dto';
import { LocalAccountsService } from './local-accounts.service';
import { LOCAL_PROVIDER_ID } from './local.login-method';

@ApiTags('auth')
@Controller('auth')
export class LocalLoginController {
  constructor(
    private readonly accounts: LocalAccountsService,
    private readonly signIn: SignInService,
  ) {}

  @Public()
  @Post('login')
  @RateLimit('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in with a password',
    description:
      'The identifier may be an email, an E.164 phone number or a username / roll number. Unknown identifiers, wrong passwords and deactivated accounts all answer the same 401 `invalid_credentials`.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(400, 401, 503)
  async login(@Body() body: LoginDto, @Client() client: ClientContext): Promise<TokenResponseDto> {
    const user = await this.accounts.authenticate(body.identifier, body.password);
    return this.signIn.startSession(user, LOCAL_PROVIDER_ID, client);
  }
}

@ApiTags('account')
@Controller('me')
export class LocalPasswordController {
  constructor(private readonly accounts: LocalAccountsService) {}

  @Post('password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change my password; every other session is signed out and the owner is notified' })
  @ApiNoContentResponse({ description: 'Changed.' })
  @ApiAuthenticated(400, 403)
  async change(@CurrentUser() principal: Principal, @Body() body: ChangePasswordDto, @Client() client: ClientContext): Promise<void> {
    await this.accounts.changePassword(principal.userId, principal.sessionId, body.currentPassword, body.newPassword, client);
  }
}
