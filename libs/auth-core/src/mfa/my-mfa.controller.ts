import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuthenticated, CurrentUser, Principal, RequiresRecentAuthentication } from '@identity/common';
import { MFA_METHODS, MfaService } from '@identity/mfa';
import { UsersService } from '@identity/users';
import { MfaCodeDto, MfaStatusDto, RecoveryCodesDto, TotpCodeDto, TotpEnrolmentDto } from './mfa.dto';

const RECENT =
  'Needs a session that authenticated within REAUTH_WINDOW (its sign-in or POST /auth/reauthenticate); otherwise 401 `reauthentication_required`.';

@ApiTags('account')
@Controller('me/mfa')
export class MyMfaController {
  constructor(
    private readonly mfa: MfaService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Whether two-step verification is on, and how many recovery codes are left' })
  @ApiOkResponse({ type: MfaStatusDto })
  @ApiAuthenticated()
  async status(@CurrentUser() principal: Principal): Promise<MfaStatusDto> {
    const status = await this.mfa.status(principal.userId);
    return {
      enabled: status.enabled,
      pendingEnrolment: status.pending,
      enabledAt: status.enabledAt,
      recoveryCodesLeft: status.recoveryCodesLeft,
      methods: status.enabled ? MFA_METHODS : [],
    };
  }

  @Post('totp')
  @HttpCode(200)
  @RequiresRecentAuthentication()
  @ApiOperation({
    summary: 'Start enrolling an authenticator app (TOTP)',
    description: `Returns a new secret, its otpauth:// URI and a QR code. Nothing changes at sign-in until POST /me/mfa/totp/confirm; starting again replaces an unconfirmed secret. 409 \`mfa_already_enabled\` when it is on. ${RECENT}`,
  })
  @ApiOkResponse({ type: TotpEnrolmentDto })
  @ApiAuthenticated(409)
  async begin(@CurrentUser() principal: Principal): Promise<TotpEnrolmentDto> {
    const user = await this.users.getById(principal.userId);
    return this.mfa.beginEnrolment(user.id, user.email ?? user.phone ?? user.displayName);
  }

  @Post('totp/confirm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Turn two-step verification on with a code from the new authenticator',
    description:
      'Returns ten recovery codes, once. From now on every sign-in answers `mfaRequired` until POST /auth/mfa/verify. 400 `mfa_code_invalid` for a wrong code; 409 when no enrolment was started or it is already on.',
  })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiAuthenticated(400, 409)
  async confirm(@CurrentUser() principal: Principal, @Body() body: TotpCodeDto): Promise<RecoveryCodesDto> {
    return { recoveryCodes: await this.mfa.confirmEnrolment(principal.userId, body.code) };
  }

  @Post('recovery-codes')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replace my recovery codes (needs a current authenticator code)',
    description: 'The previous codes stop working. 400 `mfa_code_invalid` for a wrong or reused code.',
  })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiAuthenticated(400)
  async regenerate(@CurrentUser() principal: Principal, @Body() body: TotpCodeDto): Promise<RecoveryCodesDto> {
    return { recoveryCodes: await this.mfa.regenerateRecoveryCodes(principal.userId, body.code) };
  }

  @Delete('totp')
  @HttpCode(204)
  @RequiresRecentAuthentication()
  @ApiOperation({
    summary: 'Turn two-step verification off (needs an authenticator or recovery code)',
    description: `400 \`mfa_code_invalid\` for a wrong or used code. ${RECENT}`,
  })
  @ApiNoContentResponse({ description: 'Off; sign-ins need one factor again.' })
  @ApiAuthenticated(400)
  async disable(@CurrentUser() principal: Principal, @Body() body: MfaCodeDto): Promise<void> {
    await this.mfa.disable(principal.userId, body.code);
  }
}
