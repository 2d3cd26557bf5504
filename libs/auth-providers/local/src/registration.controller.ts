import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '@identity/abuse';
import { ApiProblems, Client, ClientContext, Public } from '@identity/common';
import { TokenResponseDto } from '@identity/auth-core';
import { CodeSentDto, DestinationCodeDto, DestinationDto } from '@identity/otp';
import { RegisterDto } from './registration.dto';
import { RegistrationService } from './registration.service';

const SAME_ANSWER =
  'The answer is the same whether or not the email or phone already has an account; an existing owner is sent a "you already have an account" message instead of a code.';

@ApiTags('auth')
@Controller('auth/register')
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  @Public()
  @Post()
  @RateLimit('register')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Register with an email or phone number; a code is sent to it',
    description: `No account exists until the code is verified. Registering again with the same email or phone replaces the pending registration and sends a new code (after the resend cooldown). ${SAME_ANSWER}`,
  })
  @ApiAcceptedResponse({ type: CodeSentDto })
  @ApiProblems(400, 429, 503)
  register(@Body() body: RegisterDto, @Client() client: ClientContext): Promise<CodeSentDto> {
    return this.registration.register(body, client);
  }

  @Public()
  @Post('verify')
  @RateLimit('otp_verify')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Verify the registration code: creates the account and signs in',
    description:
      'The email or phone the code went to is verified on the new account. A wrong, expired, spent or foreign code answers 400 and creates nothing; three wrong codes end the code. 409 when the email, phone or username was taken meanwhile (the code stays usable).',
  })
  @ApiCreatedResponse({ type: TokenResponseDto })
  @ApiProblems(400, 409, 503)
  verify(@Body() body: DestinationCodeDto, @Client() client: ClientContext): Promise<TokenResponseDto> {
    return this.registration.verify(body, client);
  }

  @Public()
  @Post('resend')
  @RateLimit('register')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a new code for a pending registration',
    description:
      'The new code replaces the previous one and inherits its wrong attempts. The answer is the same when nothing is pending for the email or phone (then nothing is sent).',
  })
  @ApiAcceptedResponse({ type: CodeSentDto })
  @ApiProblems(400, 429, 503)
  resend(@Body() body: DestinationDto, @Client() client: ClientContext): Promise<CodeSentDto> {
    return this.registration.resend(body, client);
  }
}
