import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimit } from '@identity/abuse';
import { ApiProblems, Client, ClientContext, Public } from '@identity/common';
import {
  ApiSignInResponse,
  AuthorizationUrlDto,
  RedirectSignInService,
  RedirectStartQueryDto,
  answerSignIn,
  SignInResponse,
  TokenResponseDto,
} from '@identity/auth-core';
import { GoogleIdTokenDto } from './google.dto';
import { GoogleLoginMethod } from './google.login-method';
import { GoogleSignInService } from './google-sign-in.service';

const START_DESCRIPTION =
  'redirect_uri must be exactly one of REDIRECT_ALLOWLIST. The sign-in is bound to this browser by a short-lived cookie and uses state, PKCE (S256) and a nonce. With `intent=link` and the bearer token of a recent sign-in, the Google identity is linked to your account instead.';

@ApiTags('auth')
@Controller('auth/google')
export class GoogleController {
  constructor(
    private readonly method: GoogleLoginMethod,
    private readonly redirects: RedirectSignInService,
    private readonly google: GoogleSignInService,
  ) {}

  @Public()
  @Get()
  @RateLimit('redirect')
  @ApiOperation({ summary: 'Start Google sign-in: 302 to Google', description: START_DESCRIPTION })
  @ApiFoundResponse({ description: "Redirect to Google's consent page." })
  @ApiProblems(400, 401, 403, 404)
  async start(@Query() query: RedirectStartQueryDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const started = await this.redirects.start(this.method, startRequest(query, request));
    reply.header('Set-Cookie', started.setCookie).header('Cache-Control', 'no-store').redirect(started.url, 302);
  }

  @Public()
  @Get('url')
  @RateLimit('redirect')
  @ApiOperation({ summary: 'Start Google sign-in: the Google URL as JSON, for single-page apps', description: START_DESCRIPTION })
  @ApiOkResponse({ type: AuthorizationUrlDto })
  @ApiProblems(400, 401, 403, 404)
  async url(
    @Query() query: RedirectStartQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthorizationUrlDto> {
    const started = await this.redirects.start(this.method, startRequest(query, request));
    reply.header('Set-Cookie', started.setCookie).header('Cache-Control', 'no-store');
    return { url: started.url };
  }

  @Public()
  @Get('callback')
  @RateLimit('redirect')
  @ApiOperation({
    summary: 'Where Google returns the browser',
    description:
      'Checks state, browser binding and PKCE, signs in (or links), then 302 to your redirect_uri with `?code=` for POST /auth/exchange (`?linked=google` after a link, `?error=<code>` on failure). Without a known state the answer is problem+json.',
  })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'error', required: false })
  @ApiFoundResponse({ description: 'Back to the client.' })
  @ApiProblems(400, 404)
  async callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const fields = (request.query ?? {}) as Record<string, unknown>;
    const location = await this.redirects.callback(this.method, { fields, cookie: request.headers.cookie });
    reply.header('Cache-Control', 'no-store').header('Referrer-Policy', 'no-referrer').redirect(location, 302);
  }

  @Public()
  @Post()
  @HttpCode(200)
  // The ID-token sign-in is a sign-in like a password's: the same per-IP limits apply.
  @RateLimit('login')
  @ApiOperation({
    summary: 'Sign in with a Google ID token from a native app',
    description:
      'The token is checked against GOOGLE_JWKS_URL: signature, issuer, audience (our client id) and expiry; with `nonce`, the token must carry it. 201 when this sign-in created the account.',
  })
  @ApiSignInResponse()
  @ApiCreatedResponse({ type: TokenResponseDto, description: 'Account created and signed in.' })
  @ApiProblems(400, 401, 403, 404, 409, 503)
  async idToken(
    @Body() body: GoogleIdTokenDto,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SignInResponse> {
    return answerSignIn(reply, await this.google.withIdToken(body.idToken, body.nonce, client));
  }
}

function startRequest(query: RedirectStartQueryDto, request: FastifyRequest) {
  return {
    redirectUri: query.redirect_uri,
    intent: query.intent,
    authorization: request.headers.authorization,
    cookie: request.headers.cookie,
  };
}
