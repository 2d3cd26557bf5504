import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { AppError, Clock, Principal, SecurityEvents, ValidationError } from '@identity/common';
import { TransactionRunner } from '@identity/database';
import { LockoutService } from '@identity/abuse';
import { mfaLockoutKey, MfaService } from '@identity/mfa';
import { SessionEntity, SessionsService } from '@identity/sessions';
import { authCoreConfig } from '../auth-core.config';
import { PasswordHasher } from '../passwords/password-hasher';
import { UserAuthEntity } from '../user-auth.entity';

export const reauthenticationRequired = () =>
  new AppError(
    HttpStatus.UNAUTHORIZED,
    'reauthentication_required',
    'Authenticate again',
    'This change needs a recent authentication. Call POST /auth/reauthenticate (or, without two-step verification, send currentPassword where the route accepts it), then try again.',
  );

export const currentPasswordIncorrect = () =>
  new AppError(HttpStatus.FORBIDDEN, 'current_password_incorrect', 'Current password incorrect', 'The current password is incorrect.');

const reauthenticationUnavailable = () =>
  new AppError(
    HttpStatus.CONFLICT,
    'reauthentication_unavailable',
    'Sign in again',
    'This account has neither a password nor two-step verification to confirm it is you; sign in again instead.',
  );

export interface ReauthenticationProof {
  password?: string | null;
  code?: string | null;
}

/**
 * Step-up: checks that the caller of a sensitive action is the account holder right now, not just
 * someone holding one of their access tokens.
 *
 * The one measure is the session's auth_time: set by the sign-in that opened it (both factors
 * when MFA is on) and by POST /auth/reauthenticate, never by a refresh. Within REAUTH_WINDOW it
 * is recent. Where a route accepts a currentPassword, a right one stands in for a recent
 * authentication, but only without MFA: with MFA on a password alone is less than the sign-in was.
 * A wrong currentPassword is refused even in a fresh session.
 *
 * The password is whatever login method of kind `password` stored for the user, so no provider
 * is named here.
 */
@Injectable()
export class ReauthenticationService {
  constructor(
    @Inject(authCoreConfig.KEY) private readonly config: ConfigType<typeof authCoreConfig>,
    @InjectRepository(UserAuthEntity) private readonly identities: Repository<UserAuthEntity>,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly mfa: MfaService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly lockout: LockoutService,
    private readonly clock: Clock,
  ) {}

  async assertRecentOrPassword(principal: Principal, currentPassword?: string | null): Promise<void> {
    const passwordHash = currentPassword == null ? null : await this.passwordHashOf(principal.userId);
    if (passwordHash) {
      if (!(await this.hasher.verify(passwordHash, currentPassword!))) throw currentPasswordIncorrect();
      if (!(await this.mfa.isEnabled(principal.userId))) return;
    }
    await this.assertRecent(principal);
  }

  /** For changes that check the current password themselves (POST /me/password): recency matters only with MFA on. */
  async assertRecentIfMfa(principal: Principal): Promise<void> {
    if (await this.mfa.isEnabled(principal.userId)) await this.assertRecent(principal);
  }

  async assertRecent(principal: Principal): Promise<void> {
    const session = await this.sessions.findUsable(principal.sessionId, principal.userId);
    if (!session || !this.isRecent(session)) throw reauthenticationRequired();
  }

  isRecent(session: SessionEntity): boolean {
    const authenticatedAt = session.authTime ?? session.createdAt;
    return this.clock.now().getTime() - authenticatedAt.getTime() <= this.config.reauthWindowSeconds * 1000;
  }

  /**
   * POST /auth/reauthenticate: a current TOTP code when MFA is on, else the password; refreshes
   * the session's auth_time. Returns the new auth_time.
   */
  async reauthenticate(principal: Principal, proof: ReauthenticationProof): Promise<Date> {
    const method = (await this.mfa.isEnabled(principal.userId))
      ? await this.checkTotp(principal.userId, proof.code)
      : await this.checkPassword(principal.userId, proof.password);
    const authTime = await this.sessions.markAuthenticated(principal.sessionId);
    await this.events.publish({ action: 'reauthenticated', success: true, userId: principal.userId, metadata: { method } });
    return authTime;
  }

  private async checkTotp(userId: string, code: string | null | undefined): Promise<string> {
    if (!code) throw new ValidationError([{ field: 'code', messages: ['code is required: two-step verification is on'] }]);
    // The same counter as the sign-in's second step: a stolen session must not guess codes here instead.
    const attempt = await this.lockout.begin('mfa', mfaLockoutKey(userId));
    const step = await this.transactions.run((manager) => this.mfa.consumeTotp(manager, userId, code));
    if (step === null) await this.mfa.refuse(userId, 'reauthenticate');
    await attempt.succeeded();
    return 'totp';
  }

  private async checkPassword(userId: string, password: string | null | undefined): Promise<string> {
    const passwordHash = await this.passwordHashOf(userId);
    if (!passwordHash) throw reauthenticationUnavailable();
    if (!password) throw new ValidationError([{ field: 'password', messages: ['password is required'] }]);
    if (!(await this.hasher.verify(passwordHash, password))) {
      await this.events.publish({ action: 'reauthenticated', success: false, userId, errorCode: 'current_password_incorrect' });
      throw currentPasswordIncorrect();
    }
    return 'password';
  }

  private async passwordHashOf(userId: string): Promise<string | null> {
    const credential = await this.identities.findOne({
      where: { userId, passwordHash: Not(IsNull()), authProvider: { kind: 'password' } },
      relations: { authProvider: true },
      select: { id: true, passwordHash: true, authProvider: { id: true } },
    });
    return credential?.passwordHash ?? null;
  }
}
