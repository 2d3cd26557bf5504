import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AppError, ClientContext, Errors, newId, SecurityEvents } from '@identity/common';
import { fromParameters, PreparedStatement, TransactionRunner, isUniqueViolation } from '@identity/database';
import { MfaChallengeService, MfaService, PendingSecondFactor } from '@identity/mfa';
import { DEFAULT_ROLE, RbacService } from '@identity/rbac';
import { AccessTokenService, amrOf, IssuedSession, SessionsService } from '@identity/sessions';
import { UserEntity, UsersService } from '@identity/users';
import { MfaRequiredDto, TokenResponseDto, UserDto } from '../account/user.dto';
import { UserViewService } from '../account/user-view.service';
import { ExternalIdentity, LoginMethodDescriptor } from '../registry/login-method';
import { ProviderRegistry } from '../registry/provider-registry';
import { UserAuthEntity } from '../user-auth.entity';

/**
 * What a proven first factor leads to: a session, or, for an account with MFA on, the pending
 * second step (no session exists until POST /auth/mfa/verify succeeds).
 */
export type FirstFactorOutcome = IssuedSession | PendingSecondFactor;

/** The answer of every sign-in route: tokens, or `{ mfaRequired: true, mfaToken, methods }`. */
export type SignInResponse = TokenResponseDto | MfaRequiredDto;

export const needsSecondFactor = (outcome: FirstFactorOutcome): outcome is PendingSecondFactor => 'mfaToken' in outcome;

export interface SignInResult {
  /** The token response, or `mfaRequired` when the account has a second factor. */
  tokens: SignInResponse;
  /** True when this sign-in created the account (201 instead of 200). */
  created: boolean;
}

/** Sets 201 when the sign-in created the account (200 otherwise) and gives the body to answer. */
export function answerSignIn(reply: { status(code: number): unknown }, result: SignInResult): SignInResponse {
  reply.status(result.created ? 201 : 200);
  return result.tokens;
}

/** RFC 8176 `amr` value of a login method when its descriptor names none: by kind. */
const AMR_BY_KIND: Record<LoginMethodDescriptor['kind'], string> = { password: 'pwd', otp: 'otp', oauth: 'fed', 'id-token': 'fed' };
/** Added to `amr` by a second factor: a TOTP or recovery code is a one-time password, and two factors make `mfa`. */
const SECOND_FACTOR_AMR = ['otp', 'mfa'];

/** The account a proven identity belongs to. */
export interface ResolvedAccount {
  user: UserEntity;
  /** True when it was created for this identity just now. */
  created: boolean;
}

export interface SignUpOptions {
  /** Roles the person picked at sign-up; each must be self-assignable (never admin). */
  roles?: string[];
  /** Custom profile fields (academic year, roll number) stored when the account is created. */
  profile?: Record<string, unknown> | null;
}

export const accountDisabled = () =>
  new AppError(HttpStatus.FORBIDDEN, 'account_disabled', 'Account disabled', 'This account has been deactivated.');

/**
 * The one place where a proven identity becomes a signed-in user: find the linked user, or link
 * by a verified email/phone, or create the account; then open a session and issue tokens.
 * Providers call this; it never knows which provider it is talking to beyond its descriptor.
 *
 * Every first factor ends in openSession (directly, or through startSession or
 * signInWithIdentity). That is where MFA applies: for an account with a confirmed second factor
 * it opens no session but issues an mfaToken, and tokensFor turns that into the `mfaRequired`
 * answer. A provider gets this by passing whatever it received on to tokensFor and returning
 * the SignInResponse; completeSecondFactor opens the session once the code is right.
 */
@Injectable()
export class SignInService {
  /** When the login method was last used: written by every sign-in (see PreparedStatement). */
  private readonly touchMethod = new PreparedStatement((manager) =>
    manager
      .createQueryBuilder()
      .update(UserAuthEntity)
      .set(fromParameters('lastUsedAt'))
      .where('user_id = :userId AND auth_provider_id = :authProviderId'),
  );

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly users: UsersService,
    private readonly rbac: RbacService,
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokenService,
    private readonly views: UserViewService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly mfa: MfaService,
    private readonly mfaChallenges: MfaChallengeService,
    @InjectRepository(UserAuthEntity) private readonly identities: Repository<UserAuthEntity>,
  ) {}

  async signInWithIdentity(identity: ExternalIdentity, client: ClientContext, signUp: SignUpOptions = {}): Promise<SignInResult> {
    let account: ResolvedAccount;
    try {
      account = await this.transactions.run((manager) => this.resolveAccount(manager, identity, signUp));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The insert collided: either a concurrent first sign-in with this identity won (then it is
      // linked now and this request signs in too), or the email/phone belongs to another account.
      const winner = await this.linkedUser(this.identities.manager, identity);
      if (!winner) throw linkRequired();
      account = { user: winner, created: false };
    }
    return { tokens: await this.startSession(account.user, identity.providerId, client), created: account.created };
  }

  /**
   * The first half of signInWithIdentity, inside the caller's transaction: for a provider whose
   * proof is itself a database change, such as a one-time code redeemed by OtpService.redeem, so
   * the spent proof and the account it found, linked or created commit together. (Opening a
   * transaction of our own there would nest one, which SQLite's single connection cannot do.)
   * Open the session with openSession in the same transaction when the account is active; a
   * deactivated one gets its answer from startSession after the commit, with its audit event kept.
   *
   * A unique-key collision means a concurrent change took this email or phone: 409
   * `sign_in_conflict`, and as the caller's transaction rolls back, the proof is not spent.
   */
  async accountFor(manager: EntityManager, identity: ExternalIdentity, signUp: SignUpOptions = {}): Promise<ResolvedAccount> {
    try {
      return await this.resolveAccount(manager, identity, signUp);
    } catch (error) {
      if (isUniqueViolation(error)) throw signInConflict();
      throw error;
    }
  }

  private async resolveAccount(manager: EntityManager, identity: ExternalIdentity, signUp: SignUpOptions): Promise<ResolvedAccount> {
    const providerRowId = this.registry.rowId(identity.providerId);
    const linked = await this.linkedUser(manager, identity);
    if (linked) {
      await this.confirmContacts(manager, linked, identity);
      return { user: linked, created: false };
    }
    const existing = await this.findByVerifiedContact(manager, identity);
    if (existing) {
      // One identity per method and account: a second one of the same method (another subject
      // vouching for the same verified address) signs in without replacing the first.
      const sameMethod = await manager.findOne(UserAuthEntity, {
        where: { userId: existing.id, authProviderId: providerRowId },
        select: { id: true },
      });
      if (!sameMethod) {
        await this.link(manager, existing, identity, providerRowId);
        await this.events.publish({
          action: 'identity.linked',
          success: true,
          userId: existing.id,
          actorId: existing.id,
          metadata: { provider: identity.providerId, by: 'verified_contact' },
          manager,
        });
      }
      return { user: existing, created: false };
    }
    if (!this.registry.supports(identity.providerId, 'sign-up')) {
      throw new AppError(HttpStatus.UNAUTHORIZED, 'account_not_found', 'No account', 'Sign up first, then link this sign-in method.');
    }
    return { user: await this.create(manager, identity, providerRowId, signUp), created: true };
  }

  /**
   * Links an identity to a signed-in user who asked for it (no email needs to match: the user
   * proved both sides). An identity linked to someone else stays there (409), and a user keeps
   * one identity per method.
   */
  async linkIdentity(manager: EntityManager, userId: string, identity: ExternalIdentity): Promise<void> {
    const providerRowId = this.registry.rowId(identity.providerId);
    const current = await manager.findOne(UserAuthEntity, {
      where: { authProviderId: providerRowId, providerUserId: identity.subject },
      select: { id: true, userId: true },
    });
    if (current) {
      if (current.userId === userId) return;
      throw identityLinkedElsewhere();
    }
    const sameMethod = await manager.findOne(UserAuthEntity, { where: { userId, authProviderId: providerRowId }, select: { id: true } });
    if (sameMethod) throw providerAlreadyLinked();
    const user = await manager.findOneBy(UserEntity, { id: userId });
    if (!user) throw Errors.notFound('user');
    await this.link(manager, user, identity, providerRowId);
    await this.events.publish({
      action: 'identity.linked',
      success: true,
      userId,
      actorId: userId,
      metadata: { provider: identity.providerId, by: 'signed_in_user' },
      manager,
    });
  }

  private async linkedUser(manager: EntityManager, identity: ExternalIdentity): Promise<UserEntity | null> {
    const linked = await manager.findOne(UserAuthEntity, {
      where: { authProviderId: this.registry.rowId(identity.providerId), providerUserId: identity.subject },
      relations: { user: true },
    });
    return linked?.user ?? null;
  }

  /** An identity already linked to the account vouches for the account's own address: it is verified now. */
  private async confirmContacts(manager: EntityManager, user: UserEntity, identity: ExternalIdentity): Promise<void> {
    const now = new Date();
    if (identity.emailVerified && identity.email && identity.email === user.email && !user.emailVerifiedAt) {
      await manager.update(UserEntity, { id: user.id }, { emailVerifiedAt: now });
      user.emailVerifiedAt = now;
    }
    if (identity.phoneVerified && identity.phone && identity.phone === user.phone && !user.phoneVerifiedAt) {
      await manager.update(UserEntity, { id: user.id }, { phoneVerifiedAt: now });
      user.phoneVerifiedAt = now;
    }
  }

  /** Opens a session (or starts the second step) for a user whose credentials a provider has already checked. */
  async startSession(user: UserEntity, providerId: string, client: ClientContext): Promise<SignInResponse> {
    if (!user.isActive) {
      await this.events.publish({
        action: 'login.failed',
        success: false,
        userId: user.id,
        errorCode: 'account_disabled',
        metadata: { provider: providerId },
      });
      throw accountDisabled();
    }
    const issued = await this.transactions.run((manager) => this.openSession(manager, user, providerId, client));
    return this.tokensFor(user, issued);
  }

  /**
   * Completes a first factor inside the caller's transaction, for flows that create or change the
   * account in the same commit (a verified registration, a password reset, a redeemed code): opens
   * the session, or, when the account has MFA on, issues the mfaToken instead. The caller has
   * checked that the account is active, and answers with `tokensFor` once the transaction committed.
   */
  async openSession(manager: EntityManager, user: UserEntity, providerId: string, client: ClientContext): Promise<FirstFactorOutcome> {
    if (await this.mfa.isEnabled(user.id, manager))
      return this.mfaChallenges.issue(manager, { userId: user.id, provider: providerId, client });
    return this.openAuthenticatedSession(manager, user, providerId, client, [this.amrOf(providerId)]);
  }

  /**
   * The second step: a TOTP or recovery code for the mfaToken of a first factor. Consumes the
   * token and the code and opens the session in one transaction; the session records the first
   * factor's login method and `amr` lists both factors.
   */
  async completeSecondFactor(mfaToken: string, code: string, client: ClientContext): Promise<TokenResponseDto> {
    const { user, issued } = await this.mfaChallenges.redeem(mfaToken, code, async (manager, challenge, factor) => {
      const user = await manager.findOneByOrFail(UserEntity, { id: challenge.userId });
      if (!user.isActive) throw accountDisabled();
      const amr = [...new Set([this.amrOf(challenge.provider), ...SECOND_FACTOR_AMR])];
      const issued = await this.openAuthenticatedSession(manager, user, challenge.provider, client, amr, factor);
      return { user, issued };
    });
    return this.tokensFor(user, issued);
  }

  private amrOf(providerId: string): string {
    const descriptor = this.registry.get(providerId);
    return descriptor?.amr ?? (descriptor ? AMR_BY_KIND[descriptor.kind] : 'fed');
  }

  private async openAuthenticatedSession(
    manager: EntityManager,
    user: UserEntity,
    providerId: string,
    client: ClientContext,
    amr: string[],
    secondFactor?: string,
  ): Promise<IssuedSession> {
    const now = new Date();
    // The user row is locked first: inserting the session only share-locks it (foreign key),
    // and taking the exclusive lock after that deadlocks two concurrent sign-ins of one user.
    await this.users.recordLogin(manager, user.id, now);
    await this.touchMethod.run(manager, { userId: user.id, authProviderId: this.registry.rowId(providerId), lastUsedAt: now });
    const opened = await this.sessions.open(manager, user.id, providerId, client, amr);
    await this.events.publish({
      action: 'login.succeeded',
      success: true,
      userId: user.id,
      actorId: user.id,
      sessionId: opened.session.id,
      metadata: { provider: providerId, ...(secondFactor ? { secondFactor } : {}) },
      manager,
    });
    user.lastLoginAt = now;
    return opened;
  }

  /**
   * The answer for a session that was just opened or refreshed (tokens), or for a first factor
   * that awaits its second step (`mfaRequired`).
   */
  async tokensFor(user: UserEntity, issued: IssuedSession): Promise<TokenResponseDto>;
  async tokensFor(user: UserEntity, outcome: FirstFactorOutcome): Promise<SignInResponse>;
  async tokensFor(user: UserEntity, issued: FirstFactorOutcome): Promise<SignInResponse> {
    if (needsSecondFactor(issued)) return mfaRequired(issued);
    // The session went through a second factor exactly when the user had MFA on at sign-in.
    const mfaEnabled = amrOf(issued.session).includes('mfa');
    return this.tokenResponse(await this.views.of(user, { mfaEnabled }), issued);
  }

  /**
   * The answer to a refresh. The user's view may come from the AccountStateCache: a refresh
   * changes nothing in it, and a client refreshing every few minutes is the common case.
   */
  async refreshed(issued: IssuedSession): Promise<TokenResponseDto> {
    return this.tokenResponse(await this.views.byId(issued.session.userId), issued);
  }

  private async tokenResponse(view: UserDto, issued: IssuedSession): Promise<TokenResponseDto> {
    const session = issued.session;
    const amr = amrOf(session);
    return {
      tokenType: 'Bearer',
      accessToken: await this.accessTokens.sign({
        sub: view.id,
        sid: session.id,
        roles: view.roles,
        amr,
        acr: amr.includes('mfa') ? 'aal2' : 'aal1',
        auth_time: Math.floor((session.authTime ?? session.createdAt).getTime() / 1000),
      }),
      expiresIn: this.accessTokens.ttlSeconds,
      refreshToken: issued.refreshToken,
      refreshExpiresIn: Math.max(0, Math.floor((issued.refreshExpiresAt.getTime() - Date.now()) / 1000)),
      sessionId: issued.session.id,
      user: view,
    };
  }

  /**
   * Linking policy: an identity joins an existing account only when both sides have the same
   * email (or phone) verified. Anything weaker needs an explicit, signed-in link.
   *
   * An address the provider does not vouch for is not looked up at all: answering differently
   * when an account holds it would tell anyone who can mint such a token (a Firebase email
   * sign-up, a Facebook profile) which addresses have accounts. Such a sign-in gets an account of
   * its own, without that address (see `create`), whether or not someone else holds it.
   */
  private async findByVerifiedContact(manager: EntityManager, identity: ExternalIdentity): Promise<UserEntity | null> {
    if (identity.email && identity.emailVerified) {
      const user = await manager.findOneBy(UserEntity, { email: identity.email });
      // The provider proved this address; an account holding it unverified may be a squatter's
      // (pre-registered to take over whoever signs in later), so its owner links by hand.
      if (user && !user.emailVerifiedAt) throw linkRequired();
      if (user) return user;
    }
    if (identity.phone && identity.phoneVerified) {
      const user = await manager.findOneBy(UserEntity, { phone: identity.phone });
      if (user && !user.phoneVerifiedAt) throw linkRequired();
      if (user) return user;
    }
    return null;
  }

  /** Writes the user_auth row of an identity; a unique key refusing it propagates to the caller. */
  async link(manager: EntityManager, user: Pick<UserEntity, 'id'>, identity: ExternalIdentity, providerRowId: string): Promise<void> {
    const now = new Date();
    await manager.insert(UserAuthEntity, {
      id: newId(),
      userId: user.id,
      authProviderId: providerRowId,
      providerUserId: identity.subject,
      providerEmail: identity.email ?? null,
      username: null,
      passwordHash: null,
      providerData: { profile: identity.profile, ...(identity.phone ? { phone: identity.phone } : {}) },
      isVerified: true,
      verifiedAt: now,
      lastUsedAt: null,
    });
  }

  /** Creates the user with this identity; a unique key refusing it propagates to the caller. */
  private async create(
    manager: EntityManager,
    identity: ExternalIdentity,
    providerRowId: string,
    signUp: SignUpOptions,
  ): Promise<UserEntity> {
    const pickedRoles = signUp.roles ?? [];
    await this.rbac.assertSelfAssignable(pickedRoles, manager);
    const user = await this.users.create(manager, {
      // Only addresses the provider vouches for become the account's; an unverified one stays on
      // the identity row (providerEmail) until the user adds and verifies it with /me/email.
      email: identity.emailVerified ? (identity.email ?? null) : null,
      emailVerified: identity.emailVerified,
      phone: identity.phoneVerified ? (identity.phone ?? null) : null,
      phoneVerified: identity.phoneVerified,
      displayName: identity.profile.displayName?.trim() || identity.email?.split('@')[0] || 'User',
      avatarUrl: identity.profile.avatarUrl ?? null,
      locale: identity.profile.locale ?? null,
      profile: signUp.profile && Object.keys(signUp.profile).length ? signUp.profile : null,
    });
    await this.link(manager, user, identity, providerRowId);
    await this.rbac.grant(manager, user.id, [DEFAULT_ROLE, ...pickedRoles]);
    await this.events.publish({
      action: 'account.created',
      success: true,
      userId: user.id,
      actorId: user.id,
      metadata: { provider: identity.providerId, roles: pickedRoles },
      manager,
    });
    return user;
  }
}

function mfaRequired(pending: PendingSecondFactor): MfaRequiredDto {
  return { mfaRequired: true, mfaToken: pending.mfaToken, methods: pending.methods, expiresIn: pending.expiresIn };
}

const linkRequired = () =>
  new AppError(
    HttpStatus.CONFLICT,
    'account_link_required',
    'Account exists',
    'An account with this email or phone exists but is not verified for automatic linking. Sign in to it and link this method.',
  );

const signInConflict = () =>
  new AppError(
    HttpStatus.CONFLICT,
    'sign_in_conflict',
    'Concurrent change',
    'The email or phone of this sign-in changed hands while it was processed. Try again.',
  );

export const identityLinkedElsewhere = () =>
  new AppError(
    HttpStatus.CONFLICT,
    'identity_linked_elsewhere',
    'Identity belongs to another account',
    'This sign-in is already linked to another account; nothing was changed.',
  );

export const providerAlreadyLinked = () =>
  new AppError(
    HttpStatus.CONFLICT,
    'provider_already_linked',
    'Method already linked',
    'Your account already has a sign-in of this method. Unlink it first to link another.',
  );
