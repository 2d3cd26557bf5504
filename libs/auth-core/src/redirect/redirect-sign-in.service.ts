import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AppError, appConfig, ClientContext, Clock, Errors, newId, Principal, SecurityEvents } from '@identity/common';
import { isUniqueViolation, TransactionRunner } from '@identity/database';
import { AccessTokenService, SessionsService } from '@identity/sessions';
import { UserEntity } from '@identity/users';
import { bearerToken } from '../access-token.guard';
import { ReauthenticationService } from '../account/reauthentication.service';
import { ExternalIdentity } from '../registry/login-method';
import { ProviderRegistry } from '../registry/provider-registry';
import { SignInResult, SignInService } from '../signin/sign-in.service';
import { ExchangeCodeEntity } from './exchange-code.entity';
import { BindingCookie, pkceChallenge, pkceVerifier, randomToken, sha256Hex } from './flow-secrets';
import { OidcClient } from './oidc-client';
import { isAllowedRedirect, redirectConfig } from './redirect.config';
import { RedirectErrors } from './redirect.errors';
import { RedirectFlowEntity } from './redirect-flow.entity';
import { RedirectLoginMethod } from './redirect-login-method';

export type RedirectIntent = 'sign_in' | 'link';

export interface StartRequest {
  redirectUri: unknown;
  intent?: unknown;
  authorization?: string;
  cookie?: string;
}

export interface StartedFlow {
  /** The provider's authorization URL to send the browser to. */
  url: string;
  /** The Set-Cookie header binding the flow to this browser. */
  setCookie: string;
}

export interface CallbackRequest {
  /** Query parameters, or the form body of a `form_post` provider. */
  fields: Record<string, unknown>;
  cookie?: string;
}

/**
 * Redirect sign-in for every OAuth 2.0 / OIDC login method, without naming one:
 *
 * - start: checks the return URL against REDIRECT_ALLOWLIST (exact match), stores the flow
 *   (hashed state, nonce, return URL, the user when linking) and binds it to the browser with a
 *   cookie; the provider URL carries state, nonce and a PKCE S256 challenge.
 * - callback: the state must name a live flow of this method started in this browser; it is
 *   consumed by a conditional update, so a replayed callback is refused before the provider is
 *   asked. The authorization code is redeemed with the PKCE verifier; then the core signs in (or
 *   links) and the browser returns to the client with a one-time code, never a token.
 * - exchange: the client trades the one-time code (single use, 60 s, stored hashed) for tokens.
 *
 * A failure after the flow is known returns to the client with `?error=<code>`; before that
 * (no or unknown state) the answer is problem+json, as there is no trusted place to return to.
 */
@Injectable()
export class RedirectSignInService {
  private readonly cookie: BindingCookie;

  constructor(
    @Inject(redirectConfig.KEY) private readonly config: ConfigType<typeof redirectConfig>,
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
    @InjectRepository(RedirectFlowEntity) private readonly flows: Repository<RedirectFlowEntity>,
    private readonly registry: ProviderRegistry,
    private readonly signIn: SignInService,
    private readonly oidc: OidcClient,
    private readonly accessTokens: AccessTokenService,
    private readonly sessions: SessionsService,
    private readonly reauthentication: ReauthenticationService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
  ) {
    this.cookie = new BindingCookie(app.publicUrl.startsWith('https:'), config.stateTtlSeconds);
  }

  async start(method: RedirectLoginMethod, request: StartRequest): Promise<StartedFlow> {
    if (!isAllowedRedirect(this.config, request.redirectUri)) throw RedirectErrors.redirectNotAllowed();
    const intent = request.intent ?? 'sign_in';
    if (intent !== 'sign_in' && intent !== 'link') throw RedirectErrors.badIntent();
    const linkUserId = intent === 'link' ? await this.linkingUser(method.id, request.authorization) : null;
    // Reusing the browser's secret keeps flows started in two tabs working side by side.
    const browserSecret = this.cookie.read(request.cookie) ?? randomToken();
    const state = randomToken();
    const nonce = randomToken();
    const now = this.clock.now();
    await this.flows.insert({
      id: newId(),
      provider: method.id,
      stateHash: sha256Hex(state),
      browserHash: sha256Hex(browserSecret),
      nonce,
      redirectUri: request.redirectUri,
      linkUserId,
      expiresAt: new Date(now.getTime() + this.config.stateTtlSeconds * 1000),
      consumedAt: null,
      createdAt: now,
    });
    return {
      url: this.authorizationUrl(method, state, nonce, pkceChallenge(pkceVerifier(browserSecret, state))),
      setCookie: this.cookie.header(browserSecret),
    };
  }

  /** Completes the flow; returns where to send the browser, or throws when there is nowhere trusted. */
  async callback(method: RedirectLoginMethod, request: CallbackRequest): Promise<string> {
    const state = typeof request.fields.state === 'string' ? request.fields.state : null;
    const flow = state ? await this.flows.findOneBy({ stateHash: sha256Hex(state), provider: method.id }) : null;
    if (!state || !flow) {
      await this.recordFailure(method.id, null, 'invalid_state');
      throw RedirectErrors.invalidState();
    }
    try {
      const browserSecret = this.cookie.read(request.cookie);
      if (!browserSecret || sha256Hex(browserSecret) !== flow.browserHash) throw RedirectErrors.invalidState();
      await this.consume(flow);
      if (request.fields.error !== undefined) throw RedirectErrors.accessDenied();
      if (typeof request.fields.code !== 'string' || !request.fields.code) throw RedirectErrors.invalidState();
      const identity = await this.identityFor(method, request.fields.code, pkceVerifier(browserSecret, state), flow.nonce, request.fields);
      if (flow.linkUserId) {
        await this.link(flow.linkUserId, identity);
        return withParams(flow.redirectUri, { linked: method.id });
      }
      return withParams(flow.redirectUri, { code: await this.handOff(identity) });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await this.recordFailure(method.id, flow.linkUserId, error.code);
      return withParams(flow.redirectUri, { error: error.code });
    }
  }

  /** Trades a one-time code for tokens: the code is spent exactly when the session is opened. */
  async exchange(code: string, client: ClientContext): Promise<SignInResult> {
    let outcome: {
      user: UserEntity;
      provider: string;
      created: boolean;
      session: Awaited<ReturnType<SignInService['openSession']>> | null;
    };
    try {
      outcome = await this.transactions.run(async (manager) => {
        const row = await this.consumeExchangeCode(manager, code);
        const user = await manager.findOneByOrFail(UserEntity, { id: row.userId });
        // A deactivated account is refused by startSession after this commits, its audit event kept.
        const session = user.isActive ? await this.signIn.openSession(manager, user, row.provider, client) : null;
        return { user, provider: row.provider, created: row.accountCreated, session };
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'invalid_exchange_code') await this.recordFailure(null, null, error.code);
      throw error;
    }
    const tokens = outcome.session
      ? await this.signIn.tokensFor(outcome.user, outcome.session)
      : await this.signIn.startSession(outcome.user, outcome.provider, client);
    return { tokens, created: outcome.created };
  }

  private authorizationUrl(method: RedirectLoginMethod, state: string, nonce: string, challenge: string): string {
    const settings = method.oauthSettings();
    const url = new URL(settings.authorizationUrl);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: settings.clientId,
      redirect_uri: settings.callbackUrl,
      scope: settings.scopes.join(' '),
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...(settings.responseMode === 'form_post' ? { response_mode: 'form_post' } : {}),
      ...settings.extraAuthorizationParams,
    };
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  }

  /** The signed-in user who wants to link: a valid bearer token from a recent sign-in. */
  private async linkingUser(methodId: string, authorization: string | undefined): Promise<string> {
    if (!this.registry.supports(methodId, 'link')) throw RedirectErrors.linkNotSupported(methodId);
    const token = bearerToken(authorization);
    if (!token) throw Errors.unauthenticated('Linking needs the bearer token of the account to link to.');
    const claims = this.accessTokens.verify(token);
    if (!claims || !(await this.sessions.findUsable(claims.sid, claims.sub))) throw Errors.invalidToken();
    const principal: Principal = { userId: claims.sub, sessionId: claims.sid, roles: [] };
    // A stolen access token alone must not add a permanent way into the account.
    await this.reauthentication.assertRecentOrPassword(principal);
    return claims.sub;
  }

  private async consume(flow: RedirectFlowEntity): Promise<void> {
    const now = this.clock.now();
    const consumed = await this.flows
      .createQueryBuilder()
      .update(RedirectFlowEntity)
      .set({ consumedAt: now })
      .where('id = :id AND consumed_at IS NULL AND expires_at > :now', { id: flow.id, now })
      .execute();
    if (consumed.affected !== 1) throw RedirectErrors.invalidState();
  }

  private async identityFor(
    method: RedirectLoginMethod,
    code: string,
    verifier: string,
    nonce: string,
    fields: Record<string, unknown>,
  ): Promise<ExternalIdentity> {
    const profile = await this.oidc.profileFor(method.oauthSettings(), code, verifier, nonce, fields);
    const identity = method.identityFrom(profile);
    if (!identity) throw RedirectErrors.noIdentity();
    return identity;
  }

  /** Finds, links or creates the account and stores a one-time code for it, in one commit. */
  private async handOff(identity: ExternalIdentity): Promise<string> {
    const code = randomToken();
    await this.transactions.run(async (manager) => {
      const account = await this.signIn.accountFor(manager, identity);
      const now = this.clock.now();
      await manager.insert(ExchangeCodeEntity, {
        id: newId(),
        codeHash: sha256Hex(code),
        userId: account.user.id,
        provider: identity.providerId,
        accountCreated: account.created,
        expiresAt: new Date(now.getTime() + this.config.exchangeCodeTtlSeconds * 1000),
        consumedAt: null,
        createdAt: now,
      });
    });
    return code;
  }

  private async link(userId: string, identity: ExternalIdentity): Promise<void> {
    try {
      await this.transactions.run((manager) => this.signIn.linkIdentity(manager, userId, identity));
    } catch (error) {
      // A concurrent link of the same identity won the unique key.
      if (isUniqueViolation(error)) throw RedirectErrors.identityLinkedElsewhere();
      throw error;
    }
  }

  private async consumeExchangeCode(manager: EntityManager, code: string): Promise<ExchangeCodeEntity> {
    const row = await manager.findOneBy(ExchangeCodeEntity, { codeHash: sha256Hex(code) });
    if (!row) throw RedirectErrors.invalidExchangeCode();
    const consumed = await manager
      .createQueryBuilder()
      .update(ExchangeCodeEntity)
      .set({ consumedAt: this.clock.now() })
      .where('id = :id AND consumed_at IS NULL AND expires_at > :now', { id: row.id, now: this.clock.now() })
      .execute();
    if (consumed.affected !== 1) throw RedirectErrors.invalidExchangeCode();
    return row;
  }

  private recordFailure(provider: string | null, linkUserId: string | null, errorCode: string): Promise<void> {
    return this.events.publish({
      action: linkUserId ? 'identity.link_failed' : 'login.failed',
      success: false,
      userId: linkUserId,
      errorCode,
      metadata: provider ? { provider } : { step: 'exchange' },
    });
  }
}

/** The allow-listed return URL with our parameters added (its own query is kept). */
function withParams(redirectUri: string, params: Record<string, string>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}
