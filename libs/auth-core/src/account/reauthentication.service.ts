import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { AppError, Clock, Principal } from '@identity/common';
import { SessionsService } from '@identity/sessions';
import { authCoreConfig } from '../auth-core.config';
import { PasswordHasher } from '../passwords/password-hasher';
import { UserAuthEntity } from '../user-auth.entity';

export const reauthenticationRequired = () =>
  new AppError(
    HttpStatus.FORBIDDEN,
    'reauthentication_required',
    'Sign in again',
    'This change needs a recent sign-in or your current password. Sign in again, or send currentPassword.',
  );

export const currentPasswordIncorrect = () =>
  new AppError(HttpStatus.FORBIDDEN, 'current_password_incorrect', 'Current password incorrect', 'The current password is incorrect.');

/**
 * Checks that the caller of a sensitive account change is the account holder right now, not
 * just someone holding one of their access tokens.
 *
 * A given currentPassword decides when the account has a password: right passes, wrong is refused
 * even in a fresh session. Otherwise the session behind the token must have been opened by a
 * sign-in within REAUTH_WINDOW (refreshing a session does not make it recent). The password is
 * whatever login method of kind `password` stored for the user, so no provider is named here.
 */
@Injectable()
export class ReauthenticationService {
  constructor(
    @Inject(authCoreConfig.KEY) private readonly config: ConfigType<typeof authCoreConfig>,
    @InjectRepository(UserAuthEntity) private readonly identities: Repository<UserAuthEntity>,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  async assertRecentOrPassword(principal: Principal, currentPassword?: string | null): Promise<void> {
    const passwordHash = currentPassword == null ? null : await this.passwordHashOf(principal.userId);
    if (passwordHash) {
      if (!(await this.hasher.verify(passwordHash, currentPassword!))) throw currentPasswordIncorrect();
      return;
    }
    const session = await this.sessions.findUsable(principal.sessionId, principal.userId);
    const age = session ? this.clock.now().getTime() - session.createdAt.getTime() : Infinity;
    if (age > this.config.reauthWindowSeconds * 1000) throw reauthenticationRequired();
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
