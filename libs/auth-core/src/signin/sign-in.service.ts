import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AppError, ClientContext, Errors, newId, SecurityEvents } from '@identity/common';
import { TransactionRunner, isUniqueViolation } from '@identity/database';
import { DEFAULT_ROLE, RbacService } from '@identity/rbac';
import { AccessTokenService, IssuedSession, SessionsService } from '@identity/sessions';
import { UserEntity, UsersService } from '@identity/users';
import { TokenResponseDto } from '../account/user.dto';
import { UserViewService } from '../account/user-view.service';
import { ExternalIdentity } from '../registry/login-method';
import { ProviderRegistry } from '../registry/provider-registry';
import { UserAuthEntity } from '../user-auth.entity';

export interface SignInResult {
  tokens: TokenResponseDto;
  /** True when this sign-in created the account (201 instead of 200). */
  created: boolean;
}

/** The account a proven identity belongs to. */
export interface ResolvedAccount {
  user: UserEntity;
  /** True when it was created for this identity just now. */
  created: boolean;
}

export interface SignUpOptions {
  /** Roles the person picked at sign-up; each must be self-assignable (never admin). */
  roles?: string[];
}

export const accountDisabled = () =>
  new AppError(HttpStatus.FORBIDDEN, 'account_disabled', 'Account disabled', 'This account has been deactivated.');

/**
 * The one place where a proven identity becomes a signed-in user: find the linked user, or link
 * by a verified email/phone, or create the account; then open a session and issue tokens.
 * Providers call this; it never knows which provider it is talking to beyond its descriptor.
 */
@Injectable()
export class SignInService {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly users: UsersService,
    private readonly rbac: RbacService,
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokenService,
    private readonly views: UserViewService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
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
    return { user: await this.create(manager, identity, providerRowId, signUp.roles ?? []), created: true };
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

  /** Opens a session for a user whose credentials a provider has already checked. */
  async startSession(user: UserEntity, providerId: string, client: ClientContext): Promise<TokenResponseDto> {
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
   * Opens a session inside the caller's transaction, for flows that create or change the account
   * in the same commit (a verified registration, a password reset). The caller has checked that
   * the account is active, and builds the tokens with `tokensFor` once the transaction committed.
   */
  async openSession(manager: EntityManager, user: UserEntity, providerId: string, client: ClientContext): Promise<IssuedSession> {
    const now = new Date();
    // The user row is locked first: inserting the session only share-locks it (foreign key),
    // and taking the exclusive lock after that deadlocks two concurrent sign-ins of one user.
    await this.users.recordLogin(manager, user.id, now);
    await manager.update(UserAuthEntity, { userId: user.id, authProviderId: this.registry.rowId(providerId) }, { lastUsedAt: now });
    const opened = await this.sessions.open(manager, user.id, providerId, client);
    await this.events.publish({
      action: 'login.succeeded',
      success: true,
      userId: user.id,
      actorId: user.id,
      sessionId: opened.session.id,
      metadata: { provider: providerId },
      manager,
    });
    user.lastLoginAt = now;
    return opened;
  }

  /** Builds the token response for a session that was just opened or refreshed. */
  async tokensFor(user: UserEntity, issued: IssuedSession): Promise<TokenResponseDto> {
    const view = await this.views.of(user);
    return {
      tokenType: 'Bearer',
      accessToken: this.accessTokens.sign({ sub: user.id, sid: issued.session.id, roles: view.roles }),
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
   */
  private async findByVerifiedContact(manager: EntityManager, identity: ExternalIdentity): Promise<UserEntity | null> {
    if (identity.email) {
      const user = await manager.findOneBy(UserEntity, { email: identity.email });
      if (user) {
        if (identity.emailVerified && user.emailVerifiedAt) return user;
        // An address the provider does not vouch for proves nothing about this account (no takeover).
        throw linkRequired();
      }
    }
    if (identity.phone && identity.phoneVerified) {
      const user = await manager.findOneBy(UserEntity, { phone: identity.phone });
      if (user) {
        if (user.phoneVerifiedAt) return user;
        throw linkRequired();
      }
    }
    return null;
  }

  private async link(manager: EntityManager, user: UserEntity, identity: ExternalIdentity, providerRowId: string): Promise<void> {
    const now = new Date();
    await manager.insert(UserAuthEntity, {
      id: newId(),
      userId: user.id,
      authProviderId: providerRowId,
      providerUserId: identity.subject,
      providerEmail: identity.email ?? null,
      username: null,
      passwordHash: null,
      providerData: { profile: identity.profile },
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
    pickedRoles: string[],
  ): Promise<UserEntity> {
    await this.rbac.assertSelfAssignable(pickedRoles, manager);
    const user = await this.users.create(manager, {
      email: identity.email ?? null,
      emailVerified: identity.emailVerified,
      phone: identity.phone ?? null,
      phoneVerified: identity.phoneVerified,
      displayName: identity.profile.displayName?.trim() || identity.email?.split('@')[0] || 'User',
      avatarUrl: identity.profile.avatarUrl ?? null,
      locale: identity.profile.locale ?? null,
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

const providerAlreadyLinked = () =>
  new AppError(
    HttpStatus.CONFLICT,
    'provider_already_linked',
    'Method already linked',
    'Your account already has a sign-in of this method. Unlink it first to link another.',
  );
