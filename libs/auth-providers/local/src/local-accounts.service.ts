import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  AppError,
  INVALID_PHONE_MESSAGE,
  SecurityEvents,
  classifyIdentifier,
  ClassifiedIdentifier,
  IdentifierKind,
  ClientContext,
  Clock,
  FieldError,
  newId,
  normalizeEmail,
  normalizePhone,
  normalizeUsername,
  Principal,
  ValidationError,
} from '@identity/common';
import { accountKeyOf, LockoutService } from '@identity/abuse';
import { isUniqueViolation, PreparedStatement, TransactionRunner } from '@identity/database';
import { DEFAULT_ROLE, RbacService } from '@identity/rbac';
import { Outbox } from '@identity/messaging';
import { SessionsService } from '@identity/sessions';
import { UserEntity, UsersService } from '@identity/users';
import { PasswordHasher, PasswordPolicy, ProviderRegistry, ReauthenticationService, UserAuthEntity } from '@identity/auth-core';
import { passwordChangedNotice } from './account-notices';
import { LOCAL_PROVIDER_ID } from './local.login-method';

export interface NewLocalUser {
  email?: string;
  phone?: string;
  username?: string;
  password: string;
  displayName: string;
  roles?: string[];
  /** Operator-created accounts may be marked verified; self-service ones never are. */
  verified?: boolean;
}

export interface NormalizedContacts {
  email: string | null;
  /** E.164. */
  phone: string | null;
  username: string | null;
}

/** A password account ready to insert: contacts normalized, password already hashed. */
export interface NewLocalAccount extends NormalizedContacts {
  passwordHash: string;
  displayName: string;
  profile?: Record<string, unknown> | null;
  emailVerified: boolean;
  phoneVerified: boolean;
  /** Besides the default role, which every account gets. */
  roles: string[];
}

/** Username / roll number: letters, digits and . _ - / ; no @ or leading + (those are email / phone). */
const USERNAME = /^[\p{L}\p{N}][\p{L}\p{N}._\-/]{1,63}$/u;

export const accountExists = () =>
  new AppError(HttpStatus.CONFLICT, 'account_exists', 'Account exists', 'An account with this email, phone or username already exists.');

export const passwordAlreadySet = () =>
  new AppError(
    HttpStatus.CONFLICT,
    'password_already_set',
    'Password already set',
    'This account has a password. Change it with POST /me/password.',
  );

export const invalidCredentials = () =>
  new AppError(HttpStatus.UNAUTHORIZED, 'invalid_credentials', 'Invalid credentials', 'The identifier or password is incorrect.');

/** What a password check reads of a local credential and its user. */
interface StoredCredential {
  id: string;
  userId: string;
  passwordHash: string | null;
  isActive: boolean;
}

function credentialStatement(condition: string): PreparedStatement {
  return new PreparedStatement((manager) =>
    manager
      .createQueryBuilder(UserAuthEntity, 'credential')
      .innerJoin('credential.user', 'user')
      .select(['credential.id', 'credential.userId', 'credential.passwordHash', 'user.isActive'])
      .where('credential.authProviderId = :authProviderId')
      .andWhere(condition),
  );
}

/** Password accounts: creating them, checking a password, changing it. */
@Injectable()
export class LocalAccountsService {
  /** The password credential of a local account, by email, phone or username (see findCredential). */
  private readonly credentialBy: Record<IdentifierKind, PreparedStatement> = {
    email: credentialStatement('user.email = :email'),
    phone: credentialStatement('user.phone = :phone'),
    username: credentialStatement('credential.username = :username'),
  };
  private readonly logger = new Logger(LocalAccountsService.name);

  constructor(
    private readonly users: UsersService,
    private readonly rbac: RbacService,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly registry: ProviderRegistry,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly lockout: LockoutService,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly reauthentication: ReauthenticationService,
    @InjectRepository(UserAuthEntity) private readonly identities: Repository<UserAuthEntity>,
  ) {}

  /**
   * Checks a password and returns the user it belongs to. Unknown identifiers, wrong
   * passwords and deactivated accounts fail identically and take the same argon2 time.
   */
  async authenticate(identifier: string, password: string): Promise<UserEntity> {
    const classified = classifyIdentifier(identifier);
    const attempt = await this.lockout
      .begin('password', accountKeyOf(identifier))
      .catch((error: unknown) => this.refuseLocked(classified, error));
    const credential = await this.findCredential(classified);
    if (!credential?.passwordHash) {
      await this.hasher.verifyDummy(password);
      return this.refuse(classified, credential ? 'no_password' : 'unknown_identifier', credential?.userId);
    }
    const valid = await this.hasher.verify(credential.passwordHash, password);
    if (!valid) return this.refuse(classified, 'wrong_password', credential.userId);
    if (!credential.isActive) return this.refuse(classified, 'account_disabled', credential.userId);
    if (this.hasher.needsRehash(credential.passwordHash)) await this.rehash(credential.id, password);
    await attempt.succeeded();
    return this.users.getById(credential.userId);
  }

  /** Audits a refusal by lockout (counted for unknown identifiers too) and passes it on. */
  private async refuseLocked(identifier: ClassifiedIdentifier, error: unknown): Promise<never> {
    await this.events.publish({
      action: 'login.failed',
      success: false,
      errorCode: 'too_many_attempts',
      metadata: { provider: LOCAL_PROVIDER_ID, reason: 'locked_out', identifierKind: identifier.kind, identifier: identifier.value },
    });
    throw error;
  }

  /** Records why a sign-in failed (never the password) and throws the one answer clients see. */
  private async refuse(identifier: ClassifiedIdentifier, reason: string, userId?: string): Promise<never> {
    await this.events.publish({
      action: 'login.failed',
      success: false,
      userId: userId ?? null,
      errorCode: 'invalid_credentials',
      metadata: { provider: LOCAL_PROVIDER_ID, reason, identifierKind: identifier.kind, identifier: identifier.value },
    });
    throw invalidCredentials();
  }

  /**
   * Checks and normalizes what a new password account is made of, without storing anything:
   * phone in E.164, username shape, password policy. Throws one 400 listing every problem.
   */
  checkNewAccount(input: Pick<NewLocalUser, 'email' | 'phone' | 'username' | 'password'>): NormalizedContacts {
    const { contacts, problems } = this.normalizeContacts(input);
    problems.push(
      ...this.policy.problems(input.password, contacts).map((problem) => ({ field: 'password', messages: [`password ${problem}`] })),
    );
    if (problems.length) throw new ValidationError(problems);
    return contacts;
  }

  /**
   * Email, phone and username as stored, and what is wrong with them. Separate from the password
   * policy for accounts that arrive with a hash made elsewhere (an import).
   */
  normalizeContacts(input: Pick<NewLocalUser, 'email' | 'phone' | 'username'>): { contacts: NormalizedContacts; problems: FieldError[] } {
    const email = input.email ? normalizeEmail(input.email) : null;
    const phone = input.phone ? normalizePhone(input.phone) : null;
    const username = input.username ? normalizeUsername(input.username) : null;
    const problems = [
      ...(input.phone && !phone ? [{ field: 'phone', messages: [INVALID_PHONE_MESSAGE] }] : []),
      ...(username && !USERNAME.test(username)
        ? [{ field: 'username', messages: ['username must be 2-64 letters, digits, or . _ - /'] }]
        : []),
      ...(!email && !phone && !username ? [{ field: 'email', messages: ['one of email, phone or username is required'] }] : []),
    ];
    return { contacts: { email, phone, username }, problems };
  }

  async create(input: NewLocalUser): Promise<UserEntity> {
    const contacts = this.checkNewAccount(input);
    const passwordHash = await this.hasher.hash(input.password);
    try {
      return await this.transactions.run((manager) =>
        this.insertAccount(manager, {
          ...contacts,
          passwordHash,
          displayName: input.displayName,
          emailVerified: Boolean(input.verified),
          phoneVerified: Boolean(input.verified),
          roles: input.roles ?? [],
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw accountExists();
      throw error;
    }
  }

  /**
   * Creates the user, its local credential and roles inside the caller's transaction, so that a
   * flow which must commit more with the account (a verified registration) can do so. Contacts
   * must be normalized; a taken email, phone or username surfaces as a unique violation.
   */
  async insertAccount(manager: EntityManager, account: NewLocalAccount): Promise<UserEntity> {
    const user = await this.users.create(manager, {
      email: account.email,
      emailVerified: account.emailVerified,
      phone: account.phone,
      phoneVerified: account.phoneVerified,
      displayName: account.displayName.trim(),
      profile: account.profile ?? null,
    });
    const verified = account.emailVerified || account.phoneVerified;
    await manager.insert(UserAuthEntity, {
      id: newId(),
      userId: user.id,
      authProviderId: this.registry.rowId(LOCAL_PROVIDER_ID),
      providerUserId: user.id,
      providerEmail: account.email,
      username: account.username,
      passwordHash: account.passwordHash,
      providerData: null,
      isVerified: verified,
      verifiedAt: verified ? new Date() : null,
      lastUsedAt: null,
    });
    await this.rbac.grant(manager, user.id, [DEFAULT_ROLE, ...account.roles]);
    await this.events.publish({
      action: 'user.created',
      success: true,
      userId: user.id,
      metadata: { provider: LOCAL_PROVIDER_ID, roles: account.roles },
      manager,
    });
    return user;
  }

  /**
   * Changes the password after checking the current one, signs out every other session and tells
   * the owner (the notice commits with the change).
   */
  async changePassword(
    userId: string,
    currentSessionId: string,
    currentPassword: string,
    newPassword: string,
    client: ClientContext,
  ): Promise<void> {
    const credential = await this.identities.findOne({
      where: { userId, authProviderId: this.registry.rowId(LOCAL_PROVIDER_ID) },
      relations: { user: true },
    });
    if (!credential?.passwordHash || !credential.user || !(await this.hasher.verify(credential.passwordHash, currentPassword))) {
      await this.events.publish({ action: 'password.changed', success: false, userId, errorCode: 'current_password_incorrect' });
      throw new AppError(
        HttpStatus.FORBIDDEN,
        'current_password_incorrect',
        'Current password incorrect',
        'The current password is incorrect.',
      );
    }
    this.policy.assert(newPassword, 'newPassword', {
      email: credential.user.email,
      phone: credential.user.phone,
      username: credential.username,
    });
    const passwordHash = await this.hasher.hash(newPassword);
    const user = credential.user;
    await this.transactions.run(async (manager) => {
      await manager.update(UserAuthEntity, { id: credential.id }, { passwordHash });
      const signedOut = await this.sessions.revokeAll(userId, 'password_changed', currentSessionId, manager);
      const notice = passwordChangedNotice(user, this.clock.now(), client);
      if (notice) await this.outbox.enqueue(manager, notice);
      await this.events.publish({
        action: 'password.changed',
        success: true,
        userId,
        metadata: { otherSessionsEnded: signedOut },
        manager,
      });
    });
    this.outbox.wake();
  }

  /**
   * Adds a password to an account that signs in only in other ways (Firebase, a code). Needs a
   * recent sign-in, since no current password exists to ask for. The user can then sign in with
   * their email or phone and this password; the owner is told as after a password change.
   */
  async setFirstPassword(principal: Principal, newPassword: string, client: ClientContext): Promise<void> {
    await this.reauthentication.assertRecentOrPassword(principal).catch((error: unknown) => this.passwordSetRefused(principal, error));
    const authProviderId = this.registry.rowId(LOCAL_PROVIDER_ID);
    const existing = await this.identities.findOne({
      where: { userId: principal.userId, authProviderId },
      select: { id: true, passwordHash: true },
    });
    if (existing?.passwordHash) await this.passwordSetRefused(principal, passwordAlreadySet());
    const user = await this.users.getById(principal.userId);
    this.policy.assert(newPassword, 'newPassword', { email: user.email, phone: user.phone });
    const passwordHash = await this.hasher.hash(newPassword);
    try {
      await this.transactions.run(async (manager) => {
        if (existing) await manager.update(UserAuthEntity, { id: existing.id, passwordHash: IsNull() }, { passwordHash });
        else await manager.insert(UserAuthEntity, this.passwordCredential(user, authProviderId, passwordHash));
        const notice = passwordChangedNotice(user, this.clock.now(), client);
        if (notice) await this.outbox.enqueue(manager, notice);
        await this.events.publish({
          action: 'identity.linked',
          success: true,
          userId: user.id,
          metadata: { provider: LOCAL_PROVIDER_ID, by: 'password_set' },
          manager,
        });
      });
    } catch (error) {
      // A concurrent request set one first.
      if (isUniqueViolation(error)) await this.passwordSetRefused(principal, passwordAlreadySet());
      throw error;
    }
    this.outbox.wake();
  }

  private passwordCredential(user: UserEntity, authProviderId: string, passwordHash: string): QueryDeepPartialEntity<UserAuthEntity> {
    const verified = user.emailVerifiedAt !== null || user.phoneVerifiedAt !== null;
    return {
      id: newId(),
      userId: user.id,
      authProviderId,
      providerUserId: user.id,
      providerEmail: user.email,
      username: null,
      passwordHash,
      providerData: null,
      isVerified: verified,
      verifiedAt: verified ? this.clock.now() : null,
      lastUsedAt: null,
    };
  }

  private async passwordSetRefused(principal: Principal, error: unknown): Promise<never> {
    if (error instanceof AppError) {
      await this.events.publish({
        action: 'identity.linked',
        success: false,
        userId: principal.userId,
        errorCode: error.code,
        metadata: { provider: LOCAL_PROVIDER_ID, by: 'password_set' },
      });
    }
    throw error;
  }

  /**
   * The few columns a password check needs: one prepared statement per kind of identifier, so a
   * known and an unknown account cost the same work but for one small row. (Building whole
   * entities cost a fraction of a millisecond more for a known account, enough for a few hundred
   * requests to tell them apart.) The whole user is read once the password is right.
   */
  private findCredential(identifier: ClassifiedIdentifier): Promise<StoredCredential | undefined> {
    return this.credentialBy[identifier.kind]
      .entities<{ credential: UserAuthEntity; user: UserEntity }>(this.identities.manager, {
        authProviderId: this.registry.rowId(LOCAL_PROVIDER_ID),
        [identifier.kind]: identifier.value,
      })
      .then(([row]) => row && { ...row.credential, isActive: row.user.isActive });
  }

  private async rehash(credentialId: string, password: string): Promise<void> {
    try {
      await this.identities.update({ id: credentialId }, { passwordHash: await this.hasher.hash(password) });
    } catch (error) {
      // The sign-in itself succeeded; an upgrade can wait for the next one.
      this.logger.warn(`password rehash failed: ${(error as Error).message}`);
    }
  }
}
