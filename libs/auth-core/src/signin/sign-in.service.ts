import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AppError, ClientContext, newId, SecurityEvents } from '@identity/common';
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
    const providerRowId = this.registry.rowId(identity.providerId);
    const linked = await this.identities.findOne({
      where: { authProviderId: providerRowId, providerUserId: identity.subject },
      relations: { user: true },
    });
    if (linked?.user) return { tokens: await this.startSession(linked.user, identity.providerId, client), created: false };

    const existing = await this.findByVerifiedContact(identity);
    if (existing) {
      await this.transactions
        .run(async (manager) => {
          await this.link(existing, identity, providerRowId, manager);
          await this.events.publish({
            action: 'identity.linked',
            success: true,
            userId: existing.id,
            actorId: existing.id,
            metadata: { provider: identity.providerId, by: 'verified_contact' },
            manager,
          });
        })
        .catch((error) => this.rethrowUnlessRaced(error));
      return { tokens: await this.startSession(existing, identity.providerId, client), created: false };
    }
    if (!this.registry.get(identity.providerId)?.supports.includes('sign-up')) {
      throw new AppError(HttpStatus.UNAUTHORIZED, 'account_not_found', 'No account', 'Sign up first, then link this sign-in method.');
    }
    const created = await this.create(identity, providerRowId, signUp.roles ?? []);
    if (created) return { tokens: await this.startSession(created, identity.providerId, client), created: true };
    // The insert collided: either a concurrent first sign-in with this identity won (then it is
    // linked now and this request signs in too), or the email/phone belongs to another account.
    const winner = await this.identities.findOne({
      where: { authProviderId: providerRowId, providerUserId: identity.subject },
      relations: { user: true },
    });
    if (!winner?.user) throw linkRequired();
    return { tokens: await this.startSession(winner.user, identity.providerId, client), created: false };
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
  private async findByVerifiedContact(identity: ExternalIdentity): Promise<UserEntity | null> {
    if (identity.email && identity.emailVerified) {
      const user = await this.users.findByEmail(identity.email);
      if (user) {
        if (user.emailVerifiedAt) return user;
        throw linkRequired();
      }
    }
    if (identity.phone && identity.phoneVerified) {
      const user = await this.users.findByPhone(identity.phone);
      if (user) {
        if (user.phoneVerifiedAt) return user;
        throw linkRequired();
      }
    }
    return null;
  }

  private async link(user: UserEntity, identity: ExternalIdentity, providerRowId: string, manager?: EntityManager): Promise<void> {
    const now = new Date();
    await (manager ?? this.identities.manager).insert(UserAuthEntity, {
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

  /** Creates the user with this identity; null when a unique constraint refused it. */
  private async create(identity: ExternalIdentity, providerRowId: string, pickedRoles: string[]): Promise<UserEntity | null> {
    try {
      return await this.transactions.run(async (manager) => {
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
        await this.link(user, identity, providerRowId, manager);
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
      });
    } catch (error) {
      this.rethrowUnlessRaced(error);
      return null;
    }
  }

  private rethrowUnlessRaced(error: unknown): void {
    if (!isUniqueViolation(error)) throw error;
  }
}

const linkRequired = () =>
  new AppError(
    HttpStatus.CONFLICT,
    'account_link_required',
    'Account exists',
    'An account with this email or phone exists but is not verified for automatic linking. Sign in to it and link this method.',
  );
