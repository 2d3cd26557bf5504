import { HttpStatus, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AppError,
  AuditAction,
  ClientContext,
  Clock,
  normalizeEmail,
  normalizePhone,
  Principal,
  SecurityEvents,
  ValidationError,
} from '@identity/common';
import { isUniqueViolation, TransactionRunner } from '@identity/database';
import { Outbox } from '@identity/messaging';
import { CodeSentDto, codeSent, OtpChannel, OtpErrors, OtpPurpose, OtpService } from '@identity/otp';
import { UserEntity, UsersService } from '@identity/users';
import { UserAuthEntity } from '../user-auth.entity';
import { ReauthenticationService } from './reauthentication.service';
import { UserDto } from './user.dto';
import { UserViewService } from './user-view.service';

export type ContactKind = 'email' | 'phone';

interface ContactRules {
  channel: OtpChannel;
  purpose: OtpPurpose;
  action: AuditAction;
  verifiedAt: 'emailVerifiedAt' | 'phoneVerifiedAt';
}

const RULES: Record<ContactKind, ContactRules> = {
  email: { channel: 'email', purpose: 'email_change', action: 'email.changed', verifiedAt: 'emailVerifiedAt' },
  phone: { channel: 'sms', purpose: 'phone_change', action: 'phone.changed', verifiedAt: 'phoneVerifiedAt' },
};

const contactTaken = (kind: ContactKind) =>
  new AppError(HttpStatus.CONFLICT, 'contact_taken', 'Already in use', `This ${kind} now belongs to another account. Nothing was changed.`);

const contactUnchanged = (kind: ContactKind) =>
  new AppError(HttpStatus.BAD_REQUEST, 'contact_unchanged', 'Nothing to change', `This is already your verified ${kind}.`);

/**
 * Changing the email address or phone number of the signed-in account: a code goes to the new
 * address, and only the code makes the change, marking the address verified.
 *
 * An address that belongs to another account gets the same 202 as a free one but a decoy code
 * that is never sent, so the endpoint cannot be used to find out who is registered; if another
 * account takes the address between the request and the code, the code answers 409 and nothing
 * changes.
 *
 * Linked identities: those keyed by the old address itself (signing in with a code to it) move to
 * the new one, subject and provider_email, because the old address may later belong to someone
 * else and must not sign in here. The others keep their provider_email: it records what their
 * provider (Google, the password record) reported, which this change does not alter.
 */
@Injectable()
export class ContactChangeService {
  constructor(
    private readonly reauthentication: ReauthenticationService,
    private readonly users: UsersService,
    private readonly otp: OtpService,
    private readonly outbox: Outbox,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly views: UserViewService,
    private readonly clock: Clock,
  ) {}

  async request(
    principal: Principal,
    kind: ContactKind,
    raw: string,
    currentPassword: string | undefined,
    client: ClientContext,
  ): Promise<CodeSentDto> {
    const address = normalizedContact(kind, raw);
    const rules = RULES[kind];
    await this.reauthentication
      .assertRecentOrPassword(principal, currentPassword)
      .catch((error: unknown) => this.refused(principal, rules, error));
    const user = await this.users.getById(principal.userId);
    if (user[kind] === address && user[rules.verifiedAt]) throw contactUnchanged(kind);
    const holder = kind === 'email' ? await this.users.findByEmail(address) : await this.users.findByPhone(address);
    const issued = await this.transactions.run(async (manager) => {
      const issued = await this.otp.issue(manager, {
        purpose: rules.purpose,
        channel: rules.channel,
        destination: address,
        userId: user.id,
        client,
        decoy: holder !== null && holder.id !== user.id,
      });
      if (issued.code) {
        await this.outbox.enqueue(manager, {
          channel: rules.channel,
          to: address,
          template: 'otp_code',
          locale: user.locale,
          data: {
            code: issued.code,
            purpose: rules.purpose,
            expiresInMinutes: Math.ceil(this.otp.ttlSeconds / 60),
            displayName: user.displayName,
          },
        });
      }
      return issued;
    });
    if (issued.code) this.outbox.wake();
    return codeSent({ channel: rules.channel, address }, issued.expiresAt);
  }

  async verify(principal: Principal, kind: ContactKind, raw: string, code: string): Promise<UserDto> {
    const address = normalizedContact(kind, raw);
    const rules = RULES[kind];
    await this.otp
      .redeem(rules.purpose, address, code, async (manager, challenge) => {
        // The code is bound to the address; the account that asked for it must be the one redeeming it.
        if (challenge.userId !== principal.userId) throw OtpErrors.invalid();
        await this.apply(manager, principal.userId, kind, address);
      })
      .catch((error: unknown) => this.refused(principal, rules, error));
    return this.views.byId(principal.userId);
  }

  private async apply(manager: EntityManager, userId: string, kind: ContactKind, address: string): Promise<void> {
    const rules = RULES[kind];
    const user = await manager.findOneByOrFail(UserEntity, { id: userId });
    const previous = user[kind];
    const holder = await manager.findOne(UserEntity, { where: { [kind]: address }, select: { id: true } });
    if (holder && holder.id !== userId) throw contactTaken(kind);
    try {
      await manager.update(UserEntity, { id: userId }, { [kind]: address, [rules.verifiedAt]: this.clock.now() });
      if (previous && previous !== address) {
        await manager.update(
          UserAuthEntity,
          { userId, providerUserId: previous },
          kind === 'email' ? { providerUserId: address, providerEmail: address } : { providerUserId: address },
        );
      }
    } catch (error) {
      // Unique keys settle a race with another account taking the address (or an identity keyed by it).
      if (isUniqueViolation(error)) throw contactTaken(kind);
      throw error;
    }
    await this.events.publish({ action: rules.action, success: true, userId, metadata: { previous, current: address }, manager });
  }

  /** Records why a change was refused (never the password or code), then rethrows the answer. */
  private async refused(principal: Principal, rules: ContactRules, error: unknown): Promise<never> {
    if (error instanceof AppError && error.status !== HttpStatus.BAD_REQUEST) {
      await this.events.publish({ action: rules.action, success: false, userId: principal.userId, errorCode: error.code });
    }
    throw error;
  }
}

function normalizedContact(kind: ContactKind, raw: string): string {
  if (kind === 'email') return normalizeEmail(raw);
  const phone = normalizePhone(raw);
  if (!phone)
    throw new ValidationError([{ field: 'phone', messages: ['phone must be a valid number in E.164 form, e.g. +4915112345678'] }]);
  return phone;
}
