import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { RateLimit } from '@identity/abuse';
import { ApiProblems, Client, ClientContext, Public } from '@identity/common';
import { TokenResponseDto } from '../account/user.dto';
import { ApiSignInResponse } from '../api-sign-in-response.decorator';
import { answerSignIn, SignInResponse } from '../signin/sign-in.service';
import { ExchangeDto } from './redirect.dto';
import { RedirectSignInService } from './redirect-sign-in.service';

@ApiTags('auth')
@Controller('auth')
export class RedirectController {
  constructor(private readonly redirects: RedirectSignInService) {}

  @Public()
  @Post('exchange')
  @RateLimit('exchange')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Trade the one-time code of a redirect sign-in for tokens',
    description:
      'A redirect sign-in (Google, Facebook, Apple, …) ends at your redirect_uri with `?code=`. The code works once, within 60 seconds; a second use is refused. 201 when the sign-in created the account.',
  })
  @ApiSignInResponse()
  @ApiCreatedResponse({ type: TokenResponseDto, description: 'Account created and signed in.' })
  @ApiProblems(400, 401, 403, 503)
  async exchange(
    @Body() body: ExchangeDto,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SignInResponse> {
    return answerSignIn(reply, await this.redirects.exchange(body.code, client));
  }
}
