import { HttpStatus, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AppError, ClientContext, newId, SecurityEvents } from '@identity/common';
import { isUniqueViolation, TransactionRunner } from '@identity/database';
import { Outbox, OutgoingMessage } from '@identity/messaging';
import { CodeDestination, CodeSentDto, codeSent, destinationOf, IssuedOtp, OtpErrors, OtpService } from '@identity/otp';
import { RbacService } from '@identity/rbac';
import { IssuedSession } from '@identity/sessions';
import { UserEntity, UsersService } from '@identity/users';
import { PasswordHasher, ProviderRegistry, SignInService, TokenResponseDto, UserAuthEntity } from '@identity/auth-core';
import { accountExists, LocalAccountsService } from './local-accounts.service';
import { LOCAL_PROVIDER_ID } from './local.login-method';
import { PendingRegistrationEntity, RegistrationData } from './pending-registration.entity';

export interface RegistrationRequest {
  email?: string;
  phone?: string;
  username?: string;
  password: string;
  displayName: string;
  profile?: Record<string, unknown>;
  role?: string;
}

const usernameTaken = () =>
  new AppError(
    HttpStatus.CONFLICT,
    'username_taken',
    'Username taken',
    'The username was taken by another account meanwhile. Register again with another one.',
  );

/**
 * OTP-first registration: what a person registers with waits in `pending_registrations`
 * (password already hashed) and becomes a user only when the code sent to their email or phone
 * comes back. An email, phone or username that already belongs to an account gets the same
 * answer, a decoy challenge instead of a code, and the owner a "you already have an account"
 * message, so registering reveals nothing about who has an account.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly accounts: LocalAccountsService,
    private readonly hasher: PasswordHasher,
    private readonly rbac: RbacService,
    private readonly otp: OtpService,
    private readonly outbox: Outbox,
    private readonly signIn: SignInService,
    private readonly registry: ProviderRegistry,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly users: UsersService,
  ) {}

  async register(request: RegistrationRequest, client: ClientContext): Promise<CodeSentDto> {
    const destination = destinationOf(request);
    const { username } = this.accounts.checkNewAccount({
      [destination.channel === 'email' ? 'email' : 'phone']: destination.address,
      username: request.username,
      password: request.password,
    });
    const roles = request.role ? [request.role] : [];
    await this.rbac.assertSelfAssignable(roles);
    // Hashed on every path, so the time taken does not tell whether the account exists.
    const passwordHash = await this.hasher.hash(request.password);
    const owner = await this.ownerOf(destination);
    const issued = owner
      ? await this.tellOwner(destination, owner, client)
      : await this.holdAndSendCode(
          destination,
          {
            email: destination.channel === 'email' ? destination.address : null,
            phone: destination.channel === 'sms' ? destination.address : null,
            username,
            passwordHash,
            displayName: request.displayName.trim(),
            profile: withoutNulls(request.profile),
            roles,
          },
          client,
        );
    this.outbox.wake();
    return codeSent(destination, issued.expiresAt);
  }

  /** Sends a new code for a pending registration; any other destination gets the same answer and nothing. */
  async resend(request: { email?: string; phone?: string }, client: ClientContext): Promise<CodeSentDto> {
    const destination = destinationOf(request);
    const owner = await this.ownerOf(destination);
    const issued = await this.transactions.run(async (manager) => {
      const pending = owner ? null : await manager.findOne(PendingRegistrationEntity, { where: { destination: destination.address } });
      const issued = await this.issueCode(manager, destination, !pending, client);
      if (!pending) return issued;
      await manager.update(PendingRegistrationEntity, { id: pending.id }, { challengeId: issued.challengeId, expiresAt: issued.expiresAt });
      await this.outbox.enqueue(manager, codeMessage(destination, issued, pending.registrationData.displayName, this.otp.ttlSeconds));
      await this.events.publish({
        action: 'registration.requested',
        success: true,
        metadata: { channel: destination.channel, resend: true },
        manager,
      });
      return issued;
    });
    this.outbox.wake();
    return codeSent(destination, issued.expiresAt);
  }

  /**
   * Creates the account from the pending registration when the code is right: user with the
   * destination verified, local credential, roles, session; pending row deleted. All of it in
   * the transaction that consumes the code, so the code is spent only if the account exists.
   */
  async verify(request: { email?: string; phone?: string; code: string }, client: ClientContext): Promise<TokenResponseDto> {
    const destination = destinationOf(request);
    try {
      const { user, session } = await this.otp.redeem('registration', destination.address, request.code, (manager) =>
        this.complete(manager, destination, client),
      );
      return await this.signIn.tokensFor(user, session);
    } catch (error) {
      // Someone else took the email, phone or username between the checks and the insert.
      if (isUniqueViolation(error)) throw accountExists();
      throw error;
    }
  }

  private async complete(
    manager: EntityManager,
    destination: CodeDestination,
    client: ClientContext,
  ): Promise<{ user: UserEntity; session: IssuedSession }> {
    const pending = await manager.findOne(PendingRegistrationEntity, { where: { destination: destination.address } });
    // A right code with nothing pending cannot happen short of a lost row; refuse like a wrong one.
    if (!pending) throw OtpErrors.invalid();
    const data = pending.registrationData;
    await this.rbac.assertSelfAssignable(data.roles, manager);
    await this.assertStillFree(manager, data);
    const user = await this.accounts.insertAccount(manager, {
      ...data,
      emailVerified: destination.channel === 'email',
      phoneVerified: destination.channel === 'sms',
    });
    await manager.delete(PendingRegistrationEntity, { id: pending.id });
    const session = await this.signIn.openSession(manager, user, LOCAL_PROVIDER_ID, client);
    await this.events.publish({
      action: 'registration.completed',
      success: true,
      userId: user.id,
      actorId: user.id,
      sessionId: session.session.id,
      metadata: { channel: destination.channel, roles: data.roles },
      manager,
    });
    return { user, session };
  }

  /** Clear answers for what unique keys would refuse anyway; they stay the guard against races. */
  private async assertStillFree(manager: EntityManager, data: RegistrationData): Promise<void> {
    const contact = data.email ? { email: data.email } : { phone: data.phone! };
    if (await manager.exists(UserEntity, { where: contact })) throw accountExists();
    if (
      data.username &&
      (await manager.exists(UserAuthEntity, { where: { authProviderId: this.registry.rowId(LOCAL_PROVIDER_ID), username: data.username } }))
    ) {
      throw usernameTaken();
    }
  }

  /** The account that already has this email/phone, or this username. */
  /**
   * The account that already has this email or phone. A taken username is not looked at here:
   * it answers 409 at verify, once the registrant has proved their address, so usernames can't
   * be probed with addresses one does not control.
   */
  private ownerOf(destination: CodeDestination): Promise<UserEntity | null> {
    return destination.channel === 'email' ? this.users.findByEmail(destination.address) : this.users.findByPhone(destination.address);
  }

  /**
   * Stores (or replaces) the pending registration and sends its code. Two first registrations of
   * one destination racing each other both insert: the loser runs again and finds the row, or
   * finds the winner's code and answers the cooldown.
   */
  private async holdAndSendCode(destination: CodeDestination, data: RegistrationData, client: ClientContext): Promise<IssuedOtp> {
    const attempt = () =>
      this.transactions.run(async (manager) => {
        const issued = await this.issueCode(manager, destination, false, client);
        await this.savePending(manager, destination, data, issued);
        await this.outbox.enqueue(manager, codeMessage(destination, issued, data.displayName, this.otp.ttlSeconds));
        await this.events.publish({
          action: 'registration.requested',
          success: true,
          metadata: { channel: destination.channel },
          manager,
        });
        return issued;
      });
    try {
      return await attempt();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return attempt();
    }
  }

  private async savePending(
    manager: EntityManager,
    destination: CodeDestination,
    data: RegistrationData,
    issued: IssuedOtp,
  ): Promise<void> {
    // The JSON column is written as a whole, which TypeORM's deep-partial type cannot express.
    const fields = {
      channel: destination.channel,
      registrationData: data,
      challengeId: issued.challengeId,
      expiresAt: issued.expiresAt,
    } as QueryDeepPartialEntity<PendingRegistrationEntity>;
    const existing = await manager.findOne(PendingRegistrationEntity, {
      where: { destination: destination.address },
      select: { id: true },
    });
    if (existing) await manager.update(PendingRegistrationEntity, { id: existing.id }, fields);
    else await manager.insert(PendingRegistrationEntity, { id: newId(), destination: destination.address, ...fields });
  }

  /** A decoy challenge for the destination (same cooldown and limits as a code) and a notice to the owner. */
  private tellOwner(destination: CodeDestination, owner: UserEntity, client: ClientContext): Promise<IssuedOtp> {
    return this.transactions.run(async (manager) => {
      const issued = await this.issueCode(manager, destination, true, client);
      await this.outbox.enqueue(manager, accountExistsNotice(destination, owner));
      await this.events.publish({
        action: 'registration.requested',
        success: false,
        userId: owner.id,
        errorCode: 'account_exists',
        metadata: { channel: destination.channel },
        manager,
      });
      return issued;
    });
  }

  private issueCode(manager: EntityManager, destination: CodeDestination, decoy: boolean, client: ClientContext): Promise<IssuedOtp> {
    return this.otp.issue(manager, {
      purpose: 'registration',
      channel: destination.channel,
      destination: destination.address,
      client,
      decoy,
    });
  }
}

function codeMessage(destination: CodeDestination, issued: IssuedOtp, displayName: string, ttlSeconds: number): OutgoingMessage {
  return {
    channel: destination.channel,
    to: destination.address,
    template: 'otp_code',
    data: { code: issued.code!, purpose: 'registration', expiresInMinutes: Math.ceil(ttlSeconds / 60), displayName },
  };
}

/** The owner of the address hears that someone tried to register with it. */
function accountExistsNotice(destination: CodeDestination, owner: UserEntity): OutgoingMessage {
  return {
    channel: destination.channel,
    to: destination.address,
    template: 'account_exists',
    locale: owner.locale,
    data: { displayName: owner.displayName },
  };
}

function withoutNulls(profile: Record<string, unknown> | undefined): Record<string, unknown> | null {
  const entries = Object.entries(profile ?? {}).filter(([, value]) => value !== null);
  return entries.length ? Object.fromEntries(entries) : null;
}
