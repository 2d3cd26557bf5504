import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ClientContext } from '@identity/common';
import { TransactionRunner } from '@identity/database';
import { Outbox } from '@identity/messaging';
import { CodeDestination, codeSent, CodeSentDto, DestinationDto, destinationOf, otpConfig, OtpService } from '@identity/otp';
import { UserEntity, UsersService } from '@identity/users';
import { ExternalIdentity, SignInResult, SignInService } from '@identity/auth-core';
import { EMAIL_OTP_ID, MOBILE_OTP_ID } from './passwordless.login-methods';

/** A normalized destination and the login method its channel belongs to. */
export interface OtpDestination extends CodeDestination {
  methodId: typeof EMAIL_OTP_ID | typeof MOBILE_OTP_ID;
}

/** Reads the one destination of a request and the method it is for; anything else is a 400 naming the field. */
export function methodDestinationOf(body: DestinationDto): OtpDestination {
  const destination = destinationOf(body);
  return { ...destination, methodId: destination.channel === 'email' ? EMAIL_OTP_ID : MOBILE_OTP_ID };
}

/**
 * Passwordless sign-in: a code to an email address or mobile number, and the code back.
 *
 * A request answers the same for every destination. An existing account (active or not) gets a
 * code; an unknown destination gets one too when a first verified sign-in may create the account
 * (OTP_SIGNUP), otherwise a decoy, which behaves like a code for cooldowns, limits and wrong
 * guesses but is never sent. The identity is keyed by the address itself (provider_user_id), and
 * the core's linking policy applies: a code for an account's verified address links the method
 * to it; an account whose address is not verified must link the method while signed in.
 */
@Injectable()
export class PasswordlessSignInService {
  constructor(
    @Inject(otpConfig.KEY) private readonly config: ConfigType<typeof otpConfig>,
    private readonly otp: OtpService,
    private readonly users: UsersService,
    private readonly outbox: Outbox,
    private readonly transactions: TransactionRunner,
    private readonly signIn: SignInService,
  ) {}

  async requestCode(destination: OtpDestination, client: ClientContext): Promise<CodeSentDto> {
    const account = await this.accountAt(destination);
    const issued = await this.transactions.run(async (manager) => {
      const issued = await this.otp.issue(manager, {
        purpose: 'login',
        channel: destination.channel,
        destination: destination.address,
        userId: account?.id ?? null,
        client,
        decoy: !account && !this.config.signUp,
      });
      if (issued.code) {
        await this.outbox.enqueue(manager, {
          channel: destination.channel,
          to: destination.address,
          template: 'otp_code',
          locale: account?.locale ?? null,
          data: {
            code: issued.code,
            purpose: 'login',
            expiresInMinutes: Math.ceil(this.otp.ttlSeconds / 60),
            displayName: account?.displayName ?? null,
          },
        });
      }
      return issued;
    });
    if (issued.code) this.outbox.wake();
    return codeSent(destination, issued.expiresAt);
  }

  /**
   * Redeems the code, resolves the account and opens the session in one transaction: the code is
   * spent exactly when the account it proves is found, linked or created and signed in.
   */
  async verifyCode(destination: OtpDestination, code: string, client: ClientContext): Promise<SignInResult> {
    const identity = this.identityOf(destination);
    const outcome = await this.otp.redeem('login', destination.address, code, async (manager) => {
      const account = await this.signIn.accountFor(manager, identity);
      // A deactivated account is refused by startSession below, after this commits, so that the
      // refusal's audit event is kept rather than rolled back with this transaction.
      const session = account.user.isActive ? await this.signIn.openSession(manager, account.user, destination.methodId, client) : null;
      return { ...account, session };
    });
    const tokens = outcome.session
      ? await this.signIn.tokensFor(outcome.user, outcome.session)
      : await this.signIn.startSession(outcome.user, destination.methodId, client);
    return { tokens, created: outcome.created };
  }

  private accountAt(destination: OtpDestination): Promise<UserEntity | null> {
    return destination.channel === 'email' ? this.users.findByEmail(destination.address) : this.users.findByPhone(destination.address);
  }

  /** Receiving the code proves the address, so the identity vouches for it as verified. */
  private identityOf(destination: OtpDestination): ExternalIdentity {
    const byEmail = destination.channel === 'email';
    return {
      providerId: destination.methodId,
      subject: destination.address,
      email: byEmail ? destination.address : null,
      emailVerified: byEmail,
      phone: byEmail ? null : destination.address,
      phoneVerified: !byEmail,
      profile: {},
    };
  }
}
