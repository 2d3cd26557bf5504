import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { EntityManager, IsNull, MoreThan, Not, Repository } from 'typeorm';
import { AccountStateCache, AppError, ClientContext, Clock, newId, SecurityEvents } from '@identity/common';
import { UserEntity } from '@identity/users';
import { fromParameters, PreparedStatement, TransactionRunner } from '@identity/database';
import { RefreshTokenEntity } from './refresh-token.entity';
import { SessionEntity } from './session.entity';
import { sessionsConfig } from './sessions.config';

const usableOrNull = (session: SessionEntity | null): SessionEntity | null =>
  !session || session.revokedAt || session.expiresAt <= new Date() || !session.user?.isActive ? null : session;

export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** 256 random bits, URL-safe. */
const newRefreshToken = (): string => randomBytes(32).toString('base64url');

export interface IssuedSession {
  session: SessionEntity;
  refreshToken: string;
  refreshExpiresAt: Date;
}

export type RevokeReason = 'logout' | 'logout_all' | 'user_revoked' | 'password_changed' | 'refresh_token_reuse' | 'admin';

const invalidRefresh = () =>
  new AppError(
    HttpStatus.UNAUTHORIZED,
    'invalid_refresh_token',
    'Invalid refresh token',
    'The refresh token is invalid, expired or revoked.',
  );

/** Owns sessions and the rotating refresh tokens bound to them. */
@Injectable()
export class SessionsService {
  // The statements of every sign-in and refresh, their SQL written once (see PreparedStatement).
  /** A refresh token with its session, and whether the session's user is active: one statement. */
  private readonly findToken = new PreparedStatement((manager) =>
    manager
      .createQueryBuilder(RefreshTokenEntity, 'token')
      .innerJoinAndSelect('token.session', 'session')
      .innerJoin('session.user', 'user')
      .addSelect('user.isActive')
      .where('token.tokenHash = :tokenHash'),
  );
  private readonly insertSession = PreparedStatement.insert(SessionEntity);
  private readonly insertToken = PreparedStatement.insert(RefreshTokenEntity);
  /** Retires a token unless a concurrent refresh already did: one of them changes the row. */
  private readonly retireToken = new PreparedStatement((manager) =>
    manager
      .createQueryBuilder()
      .update(RefreshTokenEntity)
      .set(fromParameters('rotatedAt', 'replacedBy'))
      .where('id = :id AND rotated_at IS NULL'),
  );
  private readonly touchSession = new PreparedStatement((manager) =>
    manager
      .createQueryBuilder()
      .update(SessionEntity)
      .set(fromParameters('lastUsedAt', 'ip', 'userAgent'))
      .where('id = :id'),
  );

  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(RefreshTokenEntity) private readonly refreshTokens: Repository<RefreshTokenEntity>,
    @Inject(sessionsConfig.KEY) private readonly config: ConfigType<typeof sessionsConfig>,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
    private readonly cache: AccountStateCache,
  ) {}

  /**
   * Opens a session with its first refresh token, inside the caller's transaction. `amr` lists
   * how the holder authenticated; the authentication time is now (on the service clock, which is
   * what step-up checks compare it with).
   */
  async open(manager: EntityManager, userId: string, provider: string, client: ClientContext, amr: string[] = []): Promise<IssuedSession> {
    const now = new Date();
    const row = {
      id: newId(),
      userId,
      provider,
      ip: client.ip,
      userAgent: client.userAgent,
      deviceLabel: null,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.config.refreshTokenTtl * 1000),
      revokedAt: null,
      revokeReason: null,
      createdAt: now,
      authTime: this.clock.now(),
      amr: amr.length ? amr.join(' ') : null,
    };
    await this.insertSession.run(manager, row);
    const session: SessionEntity = row;
    const { token, expiresAt } = await this.insertRefreshToken(manager, session, now);
    return { session, refreshToken: token, refreshExpiresAt: expiresAt };
  }

  /**
   * Exchanges a refresh token for a new one.
   *
   * The old token is retired by a conditional update (`rotated_at IS NULL`), so of several
   * concurrent refreshes with one token exactly one wins. A token that was already rotated is
   * either a racing tab (within REFRESH_REUSE_GRACE: refused, session kept) or a replay of a
   * stolen token (after the grace: the whole session is revoked).
   */
  async rotate(presented: string, client: ClientContext): Promise<IssuedSession> {
    const existing = await this.findRefreshToken(hashRefreshToken(presented));
    const now = new Date();
    if (!existing) return this.refuse(invalidRefresh(), 'unknown_token');
    const session = existing.session;
    if (session.revokedAt) return this.refuse(invalidRefresh(), 'session_revoked', session);
    // A sign-in racing a deactivation can open a session after the revocation sweep.
    if (!session.user?.isActive) return this.refuse(invalidRefresh(), 'account_disabled', session);
    if (session.expiresAt <= now) return this.refuse(invalidRefresh(), 'session_expired', session);
    if (existing.rotatedAt) return this.rejectReuse(existing, session, now);
    if (existing.expiresAt <= now) return this.refuse(invalidRefresh(), 'idle_expired', session);

    const outcome = await this.transactions.run(async (manager) => {
      const replacementId = newId();
      const retired = await this.retireToken.run(manager, { id: existing.id, rotatedAt: now, replacedBy: replacementId });
      if (retired !== 1) return null;
      const issued = await this.insertRefreshToken(manager, session, now, replacementId);
      await this.touchSession.run(manager, { id: session.id, lastUsedAt: now, ip: client.ip, userAgent: client.userAgent });
      await this.events.publish({
        action: 'token.refreshed',
        success: true,
        userId: session.userId,
        actorId: session.userId,
        sessionId: session.id,
        manager,
      });
      return issued;
    });
    if (!outcome) return this.refuse(alreadyRotated(), 'concurrent_rotation', session);
    session.lastUsedAt = now;
    return { session, refreshToken: outcome.token, refreshExpiresAt: outcome.expiresAt };
  }

  /**
   * The session behind an access token, if it may still be used. Read on every authenticated
   * request, so it may come from the AccountStateCache (then without a promise, like the cache);
   * expiry is checked against the clock anyway.
   */
  findUsable(sessionId: string, userId: string): SessionEntity | null | Promise<SessionEntity | null> {
    const session = this.cache.read(userId, `session:${sessionId}`, () =>
      this.sessions
        .createQueryBuilder('session')
        .innerJoinAndSelect('session.user', 'user')
        .where('session.id = :sessionId AND session.userId = :userId', { sessionId, userId })
        .getOne(),
    );
    return session instanceof Promise ? session.then(usableOrNull) : usableOrNull(session);
  }

  /** Records a fresh proof of identity on the session (POST /auth/reauthenticate). */
  async markAuthenticated(sessionId: string): Promise<Date> {
    const authTime = this.clock.now();
    await this.sessions.update({ id: sessionId }, { authTime });
    return authTime;
  }

  listActive(userId: string): Promise<SessionEntity[]> {
    return this.sessions.find({
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      order: { lastUsedAt: 'DESC' },
    });
  }

  /** Revokes one of the user's sessions; false when there is no such active session. */
  async revoke(userId: string, sessionId: string, reason: RevokeReason): Promise<boolean> {
    const result = await this.sessions.update(
      { id: sessionId, userId, revokedAt: IsNull() },
      { revokedAt: new Date(), revokeReason: reason },
    );
    this.cache.forgetUser(userId);
    return result.affected === 1;
  }

  /** Revokes every active session of the user, except `keepSessionId` when given. Returns how many. */
  async revokeAll(userId: string, reason: RevokeReason, keepSessionId?: string, manager?: EntityManager): Promise<number> {
    const where = keepSessionId ? { userId, revokedAt: IsNull(), id: Not(keepSessionId) } : { userId, revokedAt: IsNull() };
    const result = await (manager ?? this.sessions.manager).update(SessionEntity, where, { revokedAt: new Date(), revokeReason: reason });
    this.cache.forgetUser(userId);
    return result.affected ?? 0;
  }

  /** The token, its session and the session's user (only `isActive`), linked as their relations. */
  private async findRefreshToken(tokenHash: string): Promise<(RefreshTokenEntity & { session: SessionEntity }) | null> {
    type Found = { token: RefreshTokenEntity & { session: SessionEntity }; session: SessionEntity; user: UserEntity };
    const [found] = await this.findToken.entities<Found>(this.refreshTokens.manager, { tokenHash });
    if (!found) return null;
    found.session.user = found.user;
    found.token.session = found.session;
    return found.token;
  }

  /** Records a refused refresh, then throws the error the client gets. */
  private async refuse(error: AppError, reason: string, session?: SessionEntity): Promise<never> {
    await this.events.publish({
      action: 'token.refresh_failed',
      success: false,
      userId: session?.userId ?? null,
      actorId: session?.userId ?? null,
      sessionId: session?.id ?? null,
      errorCode: error.code,
      metadata: { reason },
    });
    throw error;
  }

  private async rejectReuse(token: RefreshTokenEntity, session: SessionEntity, now: Date): Promise<never> {
    const sinceRotation = now.getTime() - token.rotatedAt!.getTime();
    if (sinceRotation <= this.config.refreshReuseGrace * 1000) return this.refuse(alreadyRotated(), 'within_reuse_grace', session);
    await this.revoke(session.userId, session.id, 'refresh_token_reuse');
    await this.events.publish({
      action: 'token.reuse_detected',
      success: false,
      userId: session.userId,
      actorId: null,
      sessionId: session.id,
      errorCode: 'refresh_token_reused',
      metadata: { rotatedAt: token.rotatedAt!.toISOString() },
    });
    throw new AppError(
      HttpStatus.UNAUTHORIZED,
      'refresh_token_reused',
      'Refresh token reused',
      'This refresh token was already used. The session has been revoked; sign in again.',
    );
  }

  private async insertRefreshToken(manager: EntityManager, session: SessionEntity, now: Date, id = newId()) {
    const token = newRefreshToken();
    const idleEnd = now.getTime() + this.config.refreshIdleTtl * 1000;
    const expiresAt = new Date(Math.min(idleEnd, session.expiresAt.getTime()));
    await this.insertToken.run(manager, {
      id,
      sessionId: session.id,
      tokenHash: hashRefreshToken(token),
      expiresAt,
      rotatedAt: null,
      replacedBy: null,
    });
    return { token, expiresAt };
  }
}

const alreadyRotated = () =>
  new AppError(
    HttpStatus.CONFLICT,
    'refresh_token_already_rotated',
    'Refresh token already rotated',
    'This refresh token was just exchanged by a concurrent request; use the token that request received.',
  );
