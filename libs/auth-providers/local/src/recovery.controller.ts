import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '@identity/abuse';
import { ApiProblems, Client, ClientContext, Public } from '@identity/common';
import { TokenResponseDto } from '@identity/auth-core';
import { CodeSentDto, DestinationDto } from '@identity/otp';
import { ResetPasswordDto } from './recovery.dto';
import { RecoveryService } from './recovery.service';

@ApiTags('auth')
@Controller('auth/password')
export class RecoveryController {
  constructor(private readonly recovery: RecoveryService) {}

  @Public()
  @Post('forgot')
  @RateLimit('password_forgot')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a password reset code to an email or phone',
    description:
      'Always 202 with the same body: a code goes only to an active account with a password, and nothing tells the caller whether one exists.',
  })
  @ApiAcceptedResponse({ type: CodeSentDto })
  @ApiProblems(400, 429, 503)
  forgot(@Body() body: DestinationDto, @Client() client: ClientContext): Promise<CodeSentDto> {
    return this.recovery.forgot(body, client);
  }

  @Public()
  @Post('reset')
  @RateLimit('password_reset')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Set a new password with the reset code',
    description:
      'Signs in with a new session and ends every other session of the account; the owner is notified. A wrong, expired, spent or foreign code answers 400 and changes nothing; a new password the policy refuses leaves the code usable.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblems(400, 403, 503)
  reset(@Body() body: ResetPasswordDto, @Client() client: ClientContext): Promise<TokenResponseDto> {
    return this.recovery.reset(body, client);
  }
}
