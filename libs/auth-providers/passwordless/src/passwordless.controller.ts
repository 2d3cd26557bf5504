import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimit, UniformDuration } from '@identity/abuse';
import { FastifyReply } from 'fastify';
import { ApiProblems, Client, ClientContext, Public } from '@identity/common';
import { ApiSignInResponse, answerSignIn, SignInResponse, TokenResponseDto } from '@identity/auth-core';
import { CodeSentDto, DestinationCodeDto, DestinationDto } from '@identity/otp';
import { methodDestinationOf, PasswordlessSignInService } from './passwordless-sign-in.service';

/** Routes shared by `email_otp` and `mobile_otp`; the body's `email` or `phone` picks the method. */
@ApiTags('auth')
@Controller('auth/otp')
export class PasswordlessController {
  constructor(private readonly passwordless: PasswordlessSignInService) {}

  @Public()
  @Post('request')
  @RateLimit('otp_request')
  @UniformDuration()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a sign-in code by email or SMS',
    description:
      'Give `email` (method `email_otp`) or `phone` (method `mobile_otp`, E.164). The answer is the same whether or not an account exists. With OTP_SIGNUP=true an unknown address gets a code too and the first verified sign-in creates the account; otherwise nothing is sent to it. 404 `provider_disabled` when the method of that channel is off; 429 with `Retry-After` during the resend cooldown or beyond the send limits.',
  })
  @ApiAcceptedResponse({ type: CodeSentDto })
  @ApiProblems(400, 404, 429, 503)
  request(@Body() body: DestinationDto, @Client() client: ClientContext): Promise<CodeSentDto> {
    return this.passwordless.requestCode(methodDestinationOf(body), client);
  }

  @Public()
  @Post('verify')
  @RateLimit('otp_verify')
  @ApiOperation({
    summary: 'Sign in with the code',
    description:
      'A code works once, for this address only, until it expires (OTP_TTL); OTP_MAX_ATTEMPTS wrong tries kill it. 200 for an existing account, 201 when this sign-in created it. The address counts as verified from then on. An account with two-step verification gets 200 `{ mfaRequired, mfaToken, methods }` instead of tokens; finish with POST /auth/mfa/verify.',
  })
  @ApiSignInResponse('Signed in, or the second step is needed.')
  @ApiCreatedResponse({ type: TokenResponseDto, description: 'Account created and signed in.' })
  @ApiProblems(400, 401, 403, 404, 409, 503)
  async verify(
    @Body() body: DestinationCodeDto,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SignInResponse> {
    return answerSignIn(reply, await this.passwordless.verifyCode(methodDestinationOf(body), body.code, client));
  }
}
