import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '@identity/abuse';
import { ApiAuthenticated, ApiProblems, Client, ClientContext, CurrentUser, Principal, Public } from '@identity/common';
import { ApiSignInResponse, ReauthenticationService, SignInResponse, SignInService } from '@identity/auth-core';
import { ChangePasswordDto, LoginDto, SetPasswordDto } from './local.dto';
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
      'The identifier may be an email, an E.164 phone number or a username / roll number. Unknown identifiers, wrong passwords and deactivated accounts all answer the same 401 `invalid_credentials`. An account with two-step verification gets `{ mfaRequired, mfaToken, methods }` instead of tokens; finish with POST /auth/mfa/verify.',
  })
  @ApiSignInResponse()
  @ApiProblems(400, 401, 503)
  async login(@Body() body: LoginDto, @Client() client: ClientContext): Promise<SignInResponse> {
    const user = await this.accounts.authenticate(body.identifier, body.password);
    return this.signIn.startSession(user, LOCAL_PROVIDER_ID, client);
  }
}

@ApiTags('account')
@Controller('me')
export class LocalPasswordController {
  constructor(
    private readonly accounts: LocalAccountsService,
    private readonly reauthentication: ReauthenticationService,
  ) {}

  @Post('password')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Change my password; every other session is signed out and the owner is notified',
    description:
      'With two-step verification on, the session must also have authenticated within REAUTH_WINDOW (401 `reauthentication_required`; see POST /auth/reauthenticate).',
  })
  @ApiNoContentResponse({ description: 'Changed.' })
  @ApiAuthenticated(400, 403)
  async change(@CurrentUser() principal: Principal, @Body() body: ChangePasswordDto, @Client() client: ClientContext): Promise<void> {
    await this.reauthentication.assertRecentIfMfa(principal);
    await this.accounts.changePassword(principal.userId, principal.sessionId, body.currentPassword, body.newPassword, client);
  }

  @Post('password/set')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Add a password to my account, which has none (it signs in with Firebase or a code)',
    description:
      'Then the account also signs in with its email or phone and this password. Needs a session opened by a sign-in within REAUTH_WINDOW (401 `reauthentication_required`); 409 `password_already_set` when the account has a password (change it with POST /me/password). The password policy applies; the owner is sent a "password changed" notice; audited as identity.linked.',
  })
  @ApiNoContentResponse({ description: 'Password set.' })
  @ApiAuthenticated(400, 403, 409)
  async set(@CurrentUser() principal: Principal, @Body() body: SetPasswordDto, @Client() client: ClientContext): Promise<void> {
    await this.accounts.setFirstPassword(principal, body.newPassword, client);
  }
}
