import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, MoreThan, Repository } from 'typeorm';
import { ClientContext, Clock, newId, SecurityEvents } from '@identity/common';
import { accountKeyOf, LockoutFlow, LockoutService } from '@identity/abuse';
import { insertRow, isUniqueViolation, TransactionRunner } from '@identity/database';
import { OtpChannel, OtpChallengeEntity, OtpPurpose } from './otp-challenge.entity';
import { activeKeyOf, codeMatches, generateCode, hashCode } from './otp-code';
import { otpConfig, SendLimit } from './otp.config';
import { OtpErrors } from './otp.errors';

export interface OtpRequest {
  purpose: OtpPurpose;
  channel: OtpChannel;
  /** Normalized email or E.164 phone number. */
  destination: string;
  userId?: string | null;
  client: ClientContext;
  /**
   * A decoy is a challenge whose code nobody learns. Flows issue one where telling the caller
   * "there is nothing to send to" would reveal whether an account exists: the decoy makes
   * cooldowns, send limits and verify answers behave exactly as for a real code.
   */
  decoy?: boolean;
}

export interface IssuedOtp {
  challengeId: string;
  /** The code to send; null for a decoy. Never log or return it. */
  code: string | null;
  expiresAt: Date;
}

/**
 * One-time codes: issue, check, redeem. Codes are stored only as keyed hashes; at most one code
 * is in force per (purpose, destination), enforced by a unique key rather than by reading first.
 */
@Injectable()
export class OtpService {
  constructor(
    @Inject(otpConfig.KEY) private readonly config: ConfigType<typeof otpConfig>,
    @InjectRepository(OtpChallengeEntity) private readonly challenges: Repository<OtpChallengeEntity>,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
    private readonly lockout: LockoutService,
  ) {}

  get ttlSeconds(): number {
    return this.config.ttlSeconds;
  }

  /**
   * Creates the code in force for (purpose, destination) inside the caller's transaction, so the
   * code, the state it belongs to and its outbox message commit together. Replaces the previous
   * code, whose failure count the new one inherits: resending never buys more guesses.
   */
  async issue(manager: EntityManager, request: OtpRequest): Promise<IssuedOtp> {
    const now = this.clock.now();
    await this.assertWithinSendLimits(manager, request, now);
    const activeKey = activeKeyOf(request.purpose, request.destination);
    const current = await manager.findOne(OtpChallengeEntity, { where: { activeKey } });
    let inherited = 0;
    if (current) {
      const sinceSent = (now.getTime() - current.createdAt.getTime()) / 1000;
      if (sinceSent < this.config.resendCooldownSeconds) throw OtpErrors.cooldown(this.config.resendCooldownSeconds - sinceSent);
      const live = current.expiresAt > now;
      inherited = live ? current.attempts : 0;
      if (live && inherited >= current.maxAttempts) throw OtpErrors.locked((current.expiresAt.getTime() - now.getTime()) / 1000);
      const retired = await manager.update(OtpChallengeEntity, { id: current.id, activeKey }, { activeKey: null });
      // Another request replaced it first: that one just sent a code.
      if (retired.affected === 0) throw OtpErrors.cooldown(this.config.resendCooldownSeconds);
    }
    const code = request.decoy ? null : generateCode();
    const challenge: Partial<OtpChallengeEntity> = {
      id: newId(),
      purpose: request.purpose,
      channel: request.channel,
      destination: request.destination,
      userId: request.userId ?? null,
      // A decoy's hash is of a code that is thrown away at once.
      codeHash: hashCode(this.config.secret, request.purpose, request.destination, code ?? generateCode()),
      attempts: inherited,
      maxAttempts: this.config.maxAttempts,
      expiresAt: new Date(now.getTime() + this.config.ttlSeconds * 1000),
      consumedAt: null,
      activeKey,
      ip: request.client.ip,
      userAgent: request.client.userAgent,
      createdAt: now,
    };
    try {
      await insertRow(manager, OtpChallengeEntity, challenge);
    } catch (error) {
      // A concurrent request inserted the code in force a moment ago.
      if (isUniqueViolation(error)) throw OtpErrors.cooldown(this.config.resendCooldownSeconds);
      throw error;
    }
    await this.events.publish({
      action: 'otp.sent',
      success: true,
      userId: request.userId ?? null,
      metadata: { purpose: request.purpose, channel: request.channel, ...(request.decoy ? { decoy: true } : {}) },
      manager,
    });
    return { challengeId: challenge.id!, code, expiresAt: challenge.expiresAt! };
  }

  /**
   * Checks a code and, when it is right, consumes it and runs `work` in the same transaction:
   * the code is spent if and only if the work commits. Of concurrent correct submissions exactly
   * one gets through (conditional update); a wrong code counts against the challenge at once, in
   * its own transaction, whatever happens to the caller's.
   */
  async redeem<T>(
    purpose: OtpPurpose,
    destination: string,
    code: string,
    work: (manager: EntityManager, challenge: OtpChallengeEntity) => Promise<T>,
  ): Promise<T> {
    const attempt = await this.lockout.begin(lockoutFlowOf(purpose), accountKeyOf(destination));
    const challenge = await this.check(purpose, destination, code);
    const result = await this.transactions.run(async (manager) => {
      const now = this.clock.now();
      const consumed = await manager
        .createQueryBuilder()
        .update(OtpChallengeEntity)
        .set({ consumedAt: now, activeKey: null })
        .where('id = :id AND consumed_at IS NULL AND active_key IS NOT NULL AND attempts < max_attempts AND expires_at > :now', {
          id: challenge.id,
          now,
        })
        .execute();
      if (consumed.affected !== 1) throw OtpErrors.invalid();
      await this.events.publish({
        action: 'otp.verified',
        success: true,
        userId: challenge.userId,
        metadata: { purpose, channel: challenge.channel },
        manager,
      });
      return work(manager, challenge);
    });
    await attempt.succeeded();
    return result;
  }

  /** Finds the code in force and compares it; throws the answer the client gets when it is not right. */
  private async check(purpose: OtpPurpose, destination: string, code: string): Promise<OtpChallengeEntity> {
    const challenge = await this.challenges.findOne({ where: { activeKey: activeKeyOf(purpose, destination) } });
    if (!challenge) {
      await this.recordFailure(purpose, null, 'otp_invalid');
      throw OtpErrors.invalid();
    }
    if (challenge.expiresAt <= this.clock.now()) {
      await this.recordFailure(purpose, challenge, 'otp_expired');
      throw OtpErrors.expired();
    }
    if (challenge.attempts >= challenge.maxAttempts) {
      await this.recordFailure(purpose, challenge, 'otp_attempts_exhausted');
      throw OtpErrors.exhausted();
    }
    if (codeMatches(challenge.codeHash, this.config.secret, purpose, destination, code)) return challenge;
    const attempts = await this.countWrongAttempt(challenge);
    const remaining = Math.max(0, challenge.maxAttempts - attempts);
    await this.recordFailure(purpose, challenge, remaining === 0 ? 'otp_attempts_exhausted' : 'otp_invalid', remaining);
    throw remaining === 0 ? OtpErrors.exhausted() : OtpErrors.invalid(remaining);
  }

  /** Adds one wrong attempt (never beyond the maximum) and returns the count after it. */
  private async countWrongAttempt(challenge: OtpChallengeEntity): Promise<number> {
    return this.transactions.run(async (manager) => {
      await manager
        .createQueryBuilder()
        .update(OtpChallengeEntity)
        .set({ attempts: () => 'attempts + 1' })
        .where('id = :id AND attempts < max_attempts', { id: challenge.id })
        .execute();
      const after = await manager.findOne(OtpChallengeEntity, { where: { id: challenge.id }, select: { id: true, attempts: true } });
      return after?.attempts ?? challenge.maxAttempts;
    });
  }

  private recordFailure(purpose: OtpPurpose, challenge: OtpChallengeEntity | null, errorCode: string, attemptsRemaining?: number) {
    return this.events.publish({
      action: 'otp.failed',
      success: false,
      userId: challenge?.userId ?? null,
      errorCode,
      metadata: {
        purpose,
        ...(challenge ? { channel: challenge.channel } : {}),
        ...(attemptsRemaining === undefined ? {} : { attemptsRemaining }),
      },
    });
  }

  /** Send limits per destination and per client IP, counted from the challenges themselves. */
  private async assertWithinSendLimits(manager: EntityManager, request: OtpRequest, now: Date): Promise<void> {
    const limits = this.config.sendLimits;
    if (!limits) return;
    await this.assertWithin(manager, { destination: request.destination }, limits.perDestination, now);
    if (request.client.ip) await this.assertWithin(manager, { ip: request.client.ip }, limits.perIp, now);
  }

  private async assertWithin(
    manager: EntityManager,
    where: { destination: string } | { ip: string },
    limit: SendLimit,
    now: Date,
  ): Promise<void> {
    const since = new Date(now.getTime() - limit.windowSeconds * 1000);
    const recent = await manager.find(OtpChallengeEntity, {
      where: { ...where, createdAt: MoreThan(since) },
      select: { id: true, createdAt: true },
      order: { createdAt: 'DESC' },
      take: limit.max,
    });
    if (recent.length < limit.max) return;
    // Allowed again when the oldest of the last `max` sends leaves the window.
    const oldest = recent[recent.length - 1].createdAt.getTime();
    throw OtpErrors.sendLimit((oldest + limit.windowSeconds * 1000 - now.getTime()) / 1000);
  }
}

/** Wrong reset codes lock recovery only; wrong sign-in, sign-up and change codes lock codes. */
function lockoutFlowOf(purpose: OtpPurpose): LockoutFlow {
  if (purpose === 'password_reset') return 'recovery';
  return purpose === 'mfa' ? 'mfa' : 'code';
}
