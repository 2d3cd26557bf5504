import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '@identity/abuse';
import { ApiAuthenticated, ApiProblems, Client, ClientContext, CurrentUser, Principal, Public } from '@identity/common';
import { ReauthenticationService } from '../account/reauthentication.service';
import { TokenResponseDto } from '../account/user.dto';
import { authCoreConfig } from '../auth-core.config';
import { SignInService } from '../signin/sign-in.service';
import { MfaVerifyDto, ReauthenticateDto, ReauthenticatedDto } from './mfa.dto';

@ApiTags('auth')
@Controller('auth')
export class SecondFactorController {
  constructor(
    private readonly signIn: SignInService,
    private readonly reauthentication: ReauthenticationService,
    @Inject(authCoreConfig.KEY) private readonly config: ConfigType<typeof authCoreConfig>,
  ) {}

  @Public()
  @Post('mfa/verify')
  @RateLimit('mfa_verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Finish a sign-in with the second factor',
    description:
      'For the `mfaToken` of a sign-in that answered `mfaRequired`: a code from the authenticator app, or one of the recovery codes (each works once). A TOTP code is accepted once. Tokens carry `amr` with both factors and `acr: aal2`. A wrong code is 400 `mfa_code_invalid` with `attemptsRemaining`; after MFA_MAX_ATTEMPTS wrong codes, on expiry (MFA_TOKEN_TTL) or once used, the token answers 401 `mfa_token_invalid`. Wrong codes also count toward the account lockout (429 `too_many_attempts`), across sign-ins.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(400, 401, 403, 503)
  verify(@Body() body: MfaVerifyDto, @Client() client: ClientContext): Promise<TokenResponseDto> {
    return this.signIn.completeSecondFactor(body.mfaToken, body.code, client);
  }

  @Post('reauthenticate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Confirm it is me again, for changes that need a recent authentication',
    description:
      'With two-step verification on: a current authenticator `code` (400 `mfa_code_invalid` when wrong). Otherwise the account `password` (403 `current_password_incorrect` when wrong); 409 `reauthentication_unavailable` for an account with neither, which signs in again instead. Refreshes this session’s authentication time for REAUTH_WINDOW.',
  })
  @ApiOkResponse({ type: ReauthenticatedDto })
  @ApiAuthenticated(400, 403, 409)
  async reauthenticate(@CurrentUser() principal: Principal, @Body() body: ReauthenticateDto): Promise<ReauthenticatedDto> {
    const authTime = await this.reauthentication.reauthenticate(principal, body);
    return {
      authTime: authTime.toISOString(),
      recentUntil: new Date(authTime.getTime() + this.config.reauthWindowSeconds * 1000).toISOString(),
    };
  }
}
