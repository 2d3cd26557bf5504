import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { RateLimit } from '@identity/abuse';
import { ApiAuthenticated, ApiProblems, Client, ClientContext, CurrentUser, Principal, Public } from '@identity/common';
import { ApiSignInResponse, IdentityDto, answerSignIn, SignInResponse, TokenResponseDto } from '@identity/auth-core';
import { FirebaseLinkDto, FirebaseSignInDto } from './firebase.dto';
import { FirebaseSignInService } from './firebase-sign-in.service';

const BAD_TOKEN =
  'An expired, revoked or malformed token, one of a disabled Firebase user or of another Firebase project: 401 `invalid_firebase_token`, one answer for all. A token of an anonymous Firebase user: 403 `firebase_anonymous_user`. 503 `firebase_unavailable` when Firebase cannot be reached.';

@ApiTags('auth')
@Controller('auth/firebase')
export class FirebaseController {
  constructor(private readonly firebase: FirebaseSignInService) {}

  @Public()
  @Post()
  // Like a one-time code exchange: one token in, our tokens out; limited per client IP.
  @RateLimit('exchange')
  @ApiOperation({
    summary: 'Sign in (or sign up) with a Firebase ID token',
    description: `200 for a known Firebase user, 201 when this sign-in created the account: the phone number in the token is verified, its email is verified when the token says so; displayName, profile fields and a self-assignable role are stored then; an email the token does not vouch for (or the body's, when the token has none) stays on the Firebase identity, not the account. A verified email or phone that an account has verified links to it; one that an account holds unverified answers 409 \`account_link_required\` (sign in to that account and link Firebase there). An unverified address is never matched against accounts, so the answer is the same whether or not one holds it. ${BAD_TOKEN}`,
  })
  @ApiSignInResponse()
  @ApiCreatedResponse({ type: TokenResponseDto, description: 'Account created and signed in.' })
  @ApiProblems(400, 401, 403, 404, 409, 503)
  async signIn(
    @Body() body: FirebaseSignInDto,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SignInResponse> {
    return answerSignIn(reply, await this.firebase.signInWithToken(body, client));
  }

  @Post('link')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Link a Firebase user to my account',
    description: `Needs a sign-in within REAUTH_WINDOW or \`currentPassword\` (401 \`reauthentication_required\` / 403 \`current_password_incorrect\`). Linking the same Firebase user again answers 200 and changes nothing; 409 \`identity_linked_elsewhere\` when it belongs to another account (nothing moves), 409 \`provider_already_linked\` when another Firebase user is linked here. ${BAD_TOKEN}`,
  })
  @ApiOkResponse({ type: IdentityDto, description: 'Linked; audited as identity.linked.' })
  @ApiAuthenticated(400, 403, 404, 409, 503)
  link(@CurrentUser() principal: Principal, @Body() body: FirebaseLinkDto): Promise<IdentityDto> {
    return this.firebase.link(principal, body);
  }
}
