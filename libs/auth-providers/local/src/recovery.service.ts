import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ClientContext, Clock, SecurityEvents } from '@identity/common';
import { accountKeyOf, LockoutService } from '@identity/abuse';
import { TransactionRunner } from '@identity/database';
import { Outbox } from '@identity/messaging';
import { CodeDestination, CodeSentDto, codeSent, destinationOf, OtpChallengeEntity, OtpErrors, OtpService } from '@identity/otp';
import { IssuedSession, SessionsService } from '@identity/sessions';
import { UserEntity, UsersService } from '@identity/users';
import {
  accountDisabled,
  PasswordHasher,
  PasswordPolicy,
  ProviderRegistry,
  SignInService,
  TokenResponseDto,
  UserAuthEntity,
} from '@identity/auth-core';
import { passwordChangedNotice } from './account-notices';
import { LOCAL_PROVIDER_ID } from './local.login-method';

/**
 * Forgotten passwords: a code to the account's email or phone, then a new password, a new
 * session and every other session ended. Unknown destinations, accounts without a password and
 * deactivated accounts get the same 202 and a decoy challenge, so asking reveals nothing.
 */
@Injectable()
export class RecoveryService {
  constructor(
    private readonly users: UsersService,
    private readonly otp: OtpService,
    private readonly outbox: Outbox,
    private readonly signIn: SignInService,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly registry: ProviderRegistry,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly lockout: LockoutService,
    private readonly clock: Clock,
    @InjectRepository(UserAuthEntity) private readonly identities: Repository<UserAuthEntity>,
  ) {}

  async forgot(request: { email?: string; phone?: string }, client: ClientContext): Promise<CodeSentDto> {
    const destination = destinationOf(request);
    const account = await this.resettableAccount(destination);
    const issued = await this.transactions.run(async (manager) => {
      const issued = await this.otp.issue(manager, {
        purpose: 'password_reset',
        channel: destination.channel,
        destination: destination.address,
        userId: account?.id ?? null,
        client,
        decoy: !account,
      });
      if (account) {
        await this.outbox.enqueue(manager, {
          channel: destination.channel,
          to: destination.address,
          template: 'otp_code',
          locale: account.locale,
          data: {
            code: issued.code!,
            purpose: 'password_reset',
            expiresInMinutes: Math.ceil(this.otp.ttlSeconds / 60),
            displayName: account.displayName,
          },
        });
      }
      await this.events.publish({
        action: 'password.reset_requested',
        success: Boolean(account),
        userId: account?.id ?? null,
        errorCode: account ? null : 'account_not_found',
        metadata: { channel: destination.channel },
        manager,
      });
      return issued;
    });
    this.outbox.wake();
    return codeSent(destination, issued.expiresAt);
  }

  /**
   * Sets the new password when the code is right, in the transaction that consumes the code: the
   * password, the end of every other session, the new session and the owner's notice commit
   * together or not at all.
   */
  async reset(
    request: { email?: string; phone?: string; code: string; newPassword: string },
    client: ClientContext,
  ): Promise<TokenResponseDto> {
    const destination = destinationOf(request);
    // Checked before the code, so a refused password leaves the code usable.
    this.policy.assert(request.newPassword, 'newPassword', { [destination.channel === 'email' ? 'email' : 'phone']: destination.address });
    const passwordHash = await this.hasher.hash(request.newPassword);
    const { user, session, username } = await this.otp.redeem('password_reset', destination.address, request.code, (manager, challenge) =>
      this.applyReset(manager, challenge, destination, passwordHash, client),
    );
    this.outbox.wake();
    // Recovery is the way out of a password lockout: the new password works at once.
    await this.lockout.unlock([user.email, user.phone, username].filter((value): value is string => Boolean(value)).map(accountKeyOf));
    return this.signIn.tokensFor(user, session);
  }

  private async applyReset(
    manager: EntityManager,
    challenge: OtpChallengeEntity,
    destination: CodeDestination,
    passwordHash: string,
    client: ClientContext,
  ): Promise<{ user: UserEntity; session: IssuedSession; username: string | null }> {
    const user = challenge.userId ? await manager.findOne(UserEntity, { where: { id: challenge.userId } }) : null;
    // The address moved to another account, or the account or its password went away, since the code was sent.
    if (!user || !ownsDestination(user, destination)) throw OtpErrors.invalid();
    const credential = await manager.findOne(UserAuthEntity, { where: { userId: user.id, authProviderId: this.localRowId } });
    if (!credential?.passwordHash) throw OtpErrors.invalid();
    if (!user.isActive) throw accountDisabled();

    const now = this.clock.now();
    await manager.update(UserAuthEntity, { id: credential.id }, { passwordHash });
    await this.markVerified(manager, user, destination, now);
    const otherSessionsEnded = await this.sessions.revokeAll(user.id, 'password_changed', undefined, manager);
    const session = await this.signIn.openSession(manager, user, LOCAL_PROVIDER_ID, client);
    const notice = passwordChangedNotice(user, now, client);
    if (notice) await this.outbox.enqueue(manager, notice);
    await this.events.publish({
      action: 'password.reset',
      success: true,
      userId: user.id,
      actorId: user.id,
      sessionId: session.session.id,
      metadata: { channel: destination.channel, otherSessionsEnded },
      manager,
    });
    return { user, session, username: credential.username };
  }

  /** The code just proved the address works: an unverified one counts as verified from now on. */
  private async markVerified(manager: EntityManager, user: UserEntity, destination: CodeDestination, now: Date): Promise<void> {
    if (destination.channel === 'email' && !user.emailVerifiedAt) {
      await manager.update(UserEntity, { id: user.id }, { emailVerifiedAt: now });
      user.emailVerifiedAt = now;
    }
    if (destination.channel === 'sms' && !user.phoneVerifiedAt) {
      await manager.update(UserEntity, { id: user.id }, { phoneVerifiedAt: now });
      user.phoneVerifiedAt = now;
    }
  }

  /** The account a reset code may go to: it has this address, a password, and is active. */
  private async resettableAccount(destination: CodeDestination): Promise<UserEntity | null> {
    const user =
      destination.channel === 'email'
        ? await this.users.findByEmail(destination.address)
        : await this.users.findByPhone(destination.address);
    if (!user?.isActive) return null;
    const credential = await this.identities.findOne({
      where: { userId: user.id, authProviderId: this.localRowId },
      select: { id: true, passwordHash: true },
    });
    return credential?.passwordHash ? user : null;
  }

  private get localRowId(): string {
    return this.registry.rowId(LOCAL_PROVIDER_ID);
  }
}

function ownsDestination(user: UserEntity, destination: CodeDestination): boolean {
  return destination.channel === 'email' ? user.email === destination.address : user.phone === destination.address;
}
