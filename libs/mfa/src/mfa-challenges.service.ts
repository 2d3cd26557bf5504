import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { LockoutService } from '@identity/abuse';
import { ClientContext, Clock, newId, SecurityEvents } from '@identity/common';
import { TransactionRunner } from '@identity/database';
import { MfaChallengeEntity } from './mfa-challenge.entity';
import { mfaConfig } from './mfa.config';
import { MfaErrors } from './mfa.errors';
import { MFA_METHODS, MfaService, SecondFactor } from './mfa.service';
import { deriveKey, keyedHash } from './secret-box';

/** A first factor succeeded for an account with MFA: what the client needs for the second step. */
export interface PendingSecondFactor {
  mfaToken: string;
  methods: SecondFactor[];
  /** Seconds the token stays valid. */
  expiresIn: number;
}

export interface ChallengeRequest {
  userId: string;
  /** The login method of the first factor. */
  provider: string;
  client: ClientContext;
}

/** The lockout counter of an account's second step (flow `mfa`), by user id: sign-ins differ, the account is one. */
export const mfaLockoutKey = (userId: string) => `user:${userId}`;

/** Thrown inside the redeeming transaction to roll the consumption back when the code is wrong. */
class WrongCode extends Error {}

/**
 * mfaTokens: 256 random bits handed to the client once; the table keeps a keyed hash of each,
 * with its user, first factor, expiry and wrong-code count. Redeeming one consumes it by a
 * conditional update in the transaction that opens the session, so of concurrent verifies with
 * one token exactly one succeeds.
 *
 * Wrong codes are counted per token (MFA_MAX_ATTEMPTS) and per account by the lockout (flow
 * `mfa`, LOCKOUT_MAX_ATTEMPTS in LOCKOUT_DURATION), counted before the code is checked, so a new
 * sign-in buys no new guesses; each is published as `mfa.failed` with the user id.
 */
@Injectable()
export class MfaChallengeService {
  private readonly tokenKey: Buffer;

  constructor(
    @Inject(mfaConfig.KEY) private readonly config: ConfigType<typeof mfaConfig>,
    @InjectRepository(MfaChallengeEntity) private readonly challenges: Repository<MfaChallengeEntity>,
    private readonly mfa: MfaService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly lockout: LockoutService,
    private readonly clock: Clock,
  ) {
    this.tokenKey = deriveKey(config.encryptionKey, 'mfa-tokens');
  }

  /** Issues an mfaToken inside the caller's transaction (the one that spent the first factor's proof). */
  async issue(manager: EntityManager, request: ChallengeRequest): Promise<PendingSecondFactor> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.clock.now().getTime() + this.config.tokenTtlSeconds * 1000);
    await manager.insert(MfaChallengeEntity, {
      id: newId(),
      userId: request.userId,
      tokenHash: keyedHash(this.tokenKey, token),
      provider: request.provider,
      attempts: 0,
      maxAttempts: this.config.maxAttempts,
      expiresAt,
      consumedAt: null,
      ip: request.client.ip,
    });
    return { mfaToken: token, methods: MFA_METHODS, expiresIn: this.config.tokenTtlSeconds };
  }

  /**
   * Checks the code against the token's user and, when right, consumes token and code and runs
   * `work` (opening the session) in the same transaction.
   */
  async redeem<T>(
    mfaToken: string,
    code: string,
    work: (manager: EntityManager, challenge: MfaChallengeEntity, factor: SecondFactor) => Promise<T>,
  ): Promise<T> {
    const challenge = await this.challenges.findOneBy({ tokenHash: keyedHash(this.tokenKey, mfaToken) });
    if (!challenge || !this.isLive(challenge)) return this.refuseToken(challenge);
    const attempt = await this.lockout.begin('mfa', mfaLockoutKey(challenge.userId));
    try {
      const result = await this.transactions.run(async (manager) => {
        if (!(await this.consume(manager, challenge))) throw MfaErrors.tokenInvalid();
        const factor = await this.mfa.consumeSecondFactor(manager, challenge.userId, code);
        if (!factor) throw new WrongCode();
        await this.events.publish({
          action: 'mfa.verified',
          success: true,
          userId: challenge.userId,
          metadata: { method: factor, provider: challenge.provider },
          manager,
        });
        return work(manager, challenge, factor);
      });
      await attempt.succeeded();
      return result;
    } catch (error) {
      if (!(error instanceof WrongCode)) throw error;
      return this.mfa.refuse(challenge.userId, 'sign_in', await this.countWrongCode(challenge));
    }
  }

  private isLive(challenge: MfaChallengeEntity): boolean {
    return !challenge.consumedAt && challenge.attempts < challenge.maxAttempts && challenge.expiresAt > this.clock.now();
  }

  private async consume(manager: EntityManager, challenge: MfaChallengeEntity): Promise<boolean> {
    const now = this.clock.now();
    const consumed = await manager
      .createQueryBuilder()
      .update(MfaChallengeEntity)
      .set({ consumedAt: now })
      .where('id = :id AND consumed_at IS NULL AND attempts < max_attempts AND expires_at > :now', { id: challenge.id, now })
      .execute();
    return consumed.affected === 1;
  }

  /** Adds a wrong code to the token (in a transaction of its own) and returns how many tries are left. */
  private countWrongCode(challenge: MfaChallengeEntity): Promise<number> {
    return this.transactions.run(async (manager) => {
      await manager
        .createQueryBuilder()
        .update(MfaChallengeEntity)
        .set({ attempts: () => 'attempts + 1' })
        .where('id = :id AND attempts < max_attempts', { id: challenge.id })
        .execute();
      const after = await manager.findOne(MfaChallengeEntity, { where: { id: challenge.id }, select: { id: true, attempts: true } });
      return Math.max(0, challenge.maxAttempts - (after?.attempts ?? challenge.maxAttempts));
    });
  }

  private async refuseToken(challenge: MfaChallengeEntity | null): Promise<never> {
    await this.events.publish({
      action: 'mfa.failed',
      success: false,
      userId: challenge?.userId ?? null,
      errorCode: 'mfa_token_invalid',
      metadata: { context: 'sign_in' },
    });
    throw MfaErrors.tokenInvalid();
  }
}
