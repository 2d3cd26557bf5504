import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '@identity/abuse';
import { FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblems, Errors, Public } from '@identity/common';
import { AuthorizationUrlDto, RedirectLoginMethod, RedirectSignInService, RedirectStartQueryDto } from '@identity/auth-core';
import { AppleLoginMethod, FacebookLoginMethod } from './oauth.login-methods';

const PROVIDER_PARAM = { name: 'provider', enum: ['facebook', 'apple'], description: 'The OAuth login method.' };
const START_DESCRIPTION =
  'redirect_uri must be exactly one of REDIRECT_ALLOWLIST. The sign-in is bound to this browser by a short-lived cookie and uses state, PKCE (S256) and a nonce. With `intent=link` and the bearer token of a recent sign-in, the identity is linked to your account instead.';
const CALLBACK_DESCRIPTION =
  'Checks state, browser binding and PKCE, signs in (or links), then 302 to your redirect_uri with `?code=` for POST /auth/exchange (`?linked=<provider>` after a link, `?error=<code>` on failure). Without a known state the answer is problem+json. Apple returns by POST (form_post); the others by GET.';

/** Redirect sign-in for the providers of this module; the path names the provider. */
@ApiTags('auth')
@Controller('auth')
export class OAuthController {
  private readonly methods: Map<string, RedirectLoginMethod>;

  constructor(
    facebook: FacebookLoginMethod,
    apple: AppleLoginMethod,
    private readonly redirects: RedirectSignInService,
  ) {
    this.methods = new Map([facebook, apple].map((method) => [method.id, method]));
  }

  @Public()
  @Get(':provider')
  @RateLimit('redirect')
  @ApiOperation({ summary: 'Start Facebook or Apple sign-in: 302 to the provider', description: START_DESCRIPTION })
  @ApiParam(PROVIDER_PARAM)
  @ApiFoundResponse({ description: 'Redirect to the provider.' })
  @ApiProblems(400, 401, 403, 404)
  async start(
    @Param('provider') provider: string,
    @Query() query: RedirectStartQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const started = await this.redirects.start(this.method(provider), startRequest(query, request));
    reply.header('Set-Cookie', started.setCookie).header('Cache-Control', 'no-store').redirect(started.url, 302);
  }

  @Public()
  @Get(':provider/url')
  @RateLimit('redirect')
  @ApiOperation({
    summary: 'Start Facebook or Apple sign-in: the provider URL as JSON, for single-page apps',
    description: START_DESCRIPTION,
  })
  @ApiParam(PROVIDER_PARAM)
  @ApiOkResponse({ type: AuthorizationUrlDto })
  @ApiProblems(400, 401, 403, 404)
  async url(
    @Param('provider') provider: string,
    @Query() query: RedirectStartQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthorizationUrlDto> {
    const started = await this.redirects.start(this.method(provider), startRequest(query, request));
    reply.header('Set-Cookie', started.setCookie).header('Cache-Control', 'no-store');
    return { url: started.url };
  }

  @Public()
  @Get(':provider/callback')
  @RateLimit('redirect')
  @ApiOperation({ summary: 'Where the provider returns the browser (query)', description: CALLBACK_DESCRIPTION })
  @ApiParam(PROVIDER_PARAM)
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'error', required: false })
  @ApiFoundResponse({ description: 'Back to the client.' })
  @ApiProblems(400, 404)
  async callback(@Param('provider') provider: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.complete(provider, (request.query ?? {}) as Record<string, unknown>, request, reply);
  }

  @Public()
  @Post(':provider/callback')
  @RateLimit('redirect')
  @ApiOperation({
    summary: 'Where the provider returns the browser (form_post, as Apple does)',
    description: `${CALLBACK_DESCRIPTION} The body is application/x-www-form-urlencoded with state, code and, on Apple's first authorization, user.`,
  })
  @ApiParam(PROVIDER_PARAM)
  @ApiFoundResponse({ description: 'Back to the client.' })
  @ApiProblems(400, 404)
  async formPostCallback(@Param('provider') provider: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
    await this.complete(provider, body, request, reply);
  }

  private async complete(provider: string, fields: Record<string, unknown>, request: FastifyRequest, reply: FastifyReply) {
    const location = await this.redirects.callback(this.method(provider), { fields, cookie: request.headers.cookie });
    reply.header('Cache-Control', 'no-store').header('Referrer-Policy', 'no-referrer').redirect(location, 302);
  }

  private method(provider: string): RedirectLoginMethod {
    const method = this.methods.get(provider);
    if (!method) throw Errors.notFound('sign-in method');
    return method;
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
