import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { toDataURL } from 'qrcode';
import { EntityManager, In, IsNull, Not, Repository } from 'typeorm';
import { appConfig, Clock, SecurityEvents } from '@identity/common';
import { PreparedStatement, TransactionRunner } from '@identity/database';
import { mfaConfig } from './mfa.config';
import { MfaErrors } from './mfa.errors';
import { findRecoveryCode, generateRecoveryCodes, hashRecoveryCode, looksLikeRecoveryCode } from './recovery-codes';
import { deriveKey, open, seal } from './secret-box';
import { matchingTimeStep, newTotpSecret, otpauthUri } from './totp';
import { UserMfaEntity } from './user-mfa.entity';

/** How a second factor was proven. */
export type SecondFactor = 'totp' | 'recovery_code';

/** The methods a user with MFA can finish a sign-in with. */
export const MFA_METHODS: SecondFactor[] = ['totp', 'recovery_code'];

export interface TotpEnrolment {
  /** Base32, for typing into an authenticator by hand. */
  secret: string;
  otpauthUri: string;
  qrCodeDataUrl: string;
}

export interface MfaStatus {
  enabled: boolean;
  /** An enrolment was started and not confirmed yet. */
  pending: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
}

/**
 * TOTP enrolment, second-factor checks and recovery codes. The secret is sealed at rest; recovery
 * codes are kept as keyed hashes and removed when used. Checks that consume something (a TOTP
 * time step, a recovery code) run in the caller's transaction, so they count only if the action
 * they authorise commits.
 */
@Injectable()
export class MfaService {
  private readonly recoveryKey: Buffer;
  /** Whether the user has confirmed MFA: asked by every sign-in (see PreparedStatement). */
  private readonly confirmed = new PreparedStatement((manager) =>
    manager.createQueryBuilder(UserMfaEntity, 'mfa').select('mfa.userId').where('mfa.userId = :userId AND mfa.confirmedAt IS NOT NULL'),
  );

  constructor(
    @Inject(mfaConfig.KEY) private readonly config: ConfigType<typeof mfaConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @InjectRepository(UserMfaEntity) private readonly rows: Repository<UserMfaEntity>,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
  ) {
    this.recoveryKey = deriveKey(config.encryptionKey, 'recovery-codes');
  }

  async isEnabled(userId: string, manager: EntityManager = this.rows.manager): Promise<boolean> {
    return (await this.confirmed.entities(manager, { userId })).length > 0;
  }

  /** Those of the users who have MFA enabled, in one query. */
  async enabledAmong(userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.rows.find({ where: { userId: In(userIds), confirmedAt: Not(IsNull()) }, select: { userId: true } });
    return new Set(rows.map((row) => row.userId));
  }

  async status(userId: string): Promise<MfaStatus> {
    const row = await this.rows.findOneBy({ userId });
    return {
      enabled: Boolean(row?.confirmedAt),
      pending: Boolean(row && !row.confirmedAt),
      enabledAt: row?.confirmedAt ?? null,
      recoveryCodesLeft: row?.confirmedAt ? (row.recoveryCodes?.length ?? 0) : 0,
    };
  }

  /** Starts (or restarts) an enrolment: a new secret, pending until a code from it is confirmed. */
  async beginEnrolment(userId: string, label: string): Promise<TotpEnrolment> {
    const secret = newTotpSecret();
    await this.transactions.run(async (manager) => {
      const existing = await manager.findOneBy(UserMfaEntity, { userId });
      if (existing?.confirmedAt) throw MfaErrors.alreadyEnabled();
      const fields = { totpSecret: seal(this.config.encryptionKey, secret, userId), lastUsedStep: null, recoveryCodes: null };
      if (existing) await manager.update(UserMfaEntity, { userId, confirmedAt: IsNull() }, fields);
      else await manager.insert(UserMfaEntity, { userId, confirmedAt: null, version: 0, ...fields });
    });
    const uri = otpauthUri(secret, this.app.appName, label);
    return { secret, otpauthUri: uri, qrCodeDataUrl: await toDataURL(uri) };
  }

  /** Turns MFA on with a code from the new authenticator; returns the recovery codes, shown once. */
  async confirmEnrolment(userId: string, code: string): Promise<string[]> {
    const codes = generateRecoveryCodes();
    const confirmed = await this.transactions.run(async (manager) => {
      const row = await manager.findOneBy(UserMfaEntity, { userId });
      if (!row) throw MfaErrors.noEnrolment();
      if (row.confirmedAt) throw MfaErrors.alreadyEnabled();
      const step = matchingTimeStep(this.secretOf(row), code, this.clock.now(), null);
      if (step === null) return false;
      const updated = await manager.update(
        UserMfaEntity,
        { userId, confirmedAt: IsNull() },
        { confirmedAt: this.clock.now(), lastUsedStep: step, recoveryCodes: this.hashes(codes), version: row.version + 1 },
      );
      if (updated.affected !== 1) throw MfaErrors.alreadyEnabled();
      await this.events.publish({ action: 'mfa.enrolled', success: true, userId, metadata: { method: 'totp' }, manager });
      return true;
    });
    if (!confirmed) return this.refuse(userId, 'enrolment');
    return codes;
  }

  /** New recovery codes for a current TOTP code; the old ones stop working. */
  async regenerateRecoveryCodes(userId: string, code: string): Promise<string[]> {
    const codes = generateRecoveryCodes();
    const done = await this.transactions.run(async (manager) => {
      if ((await this.consumeTotp(manager, userId, code)) === null) return false;
      const row = await manager.findOneByOrFail(UserMfaEntity, { userId });
      await manager.update(UserMfaEntity, { userId }, { recoveryCodes: this.hashes(codes), version: row.version + 1 });
      await this.events.publish({ action: 'mfa.recovery_codes_regenerated', success: true, userId, manager });
      return true;
    });
    if (!done) return this.refuse(userId, 'recovery_codes');
    return codes;
  }

  /** Turns MFA off with a TOTP or recovery code. */
  async disable(userId: string, code: string): Promise<void> {
    const done = await this.transactions.run(async (manager) => {
      const factor = await this.consumeSecondFactor(manager, userId, code);
      if (!factor) return false;
      await manager.delete(UserMfaEntity, { userId });
      await this.events.publish({ action: 'mfa.disabled', success: true, userId, metadata: { with: factor }, manager });
      return true;
    });
    if (!done) await this.refuse(userId, 'disable');
  }

  /** Removes MFA without a code (an admin's reset), in the caller's transaction. False when it was not on. */
  async reset(manager: EntityManager, userId: string): Promise<boolean> {
    const enabled = await this.isEnabled(userId, manager);
    await manager.delete(UserMfaEntity, { userId });
    return enabled;
  }

  /**
   * Checks a TOTP or recovery code and consumes it in the caller's transaction: the TOTP time step
   * is recorded, a recovery code removed. Null when the code is wrong, reused, or MFA is off.
   */
  async consumeSecondFactor(manager: EntityManager, userId: string, code: string): Promise<SecondFactor | null> {
    if (looksLikeRecoveryCode(code)) return (await this.consumeRecoveryCode(manager, userId, code)) ? 'recovery_code' : null;
    return (await this.consumeTotp(manager, userId, code)) === null ? null : 'totp';
  }

  /** A TOTP code only: its time step, or null when it is wrong or was already used. */
  async consumeTotp(manager: EntityManager, userId: string, code: string): Promise<number | null> {
    const row = await manager.findOneBy(UserMfaEntity, { userId, confirmedAt: Not(IsNull()) });
    if (!row) return null;
    const step = matchingTimeStep(this.secretOf(row), code, this.clock.now(), row.lastUsedStep);
    if (step === null) return null;
    // Conditional, so of two requests with the same code only one gets the step.
    const claimed = await manager
      .createQueryBuilder()
      .update(UserMfaEntity)
      .set({ lastUsedStep: step })
      .where('user_id = :userId AND (last_used_step IS NULL OR last_used_step < :step)', { userId, step })
      .execute();
    return claimed.affected === 1 ? step : null;
  }

  /** Records a refused code (never the code) outside any transaction, then throws the answer. */
  async refuse(userId: string, context: string, attemptsRemaining?: number): Promise<never> {
    await this.events.publish({
      action: 'mfa.failed',
      success: false,
      userId,
      errorCode: 'mfa_code_invalid',
      metadata: { context, ...(attemptsRemaining === undefined ? {} : { attemptsRemaining }) },
    });
    throw MfaErrors.codeInvalid(attemptsRemaining);
  }

  private async consumeRecoveryCode(manager: EntityManager, userId: string, code: string): Promise<boolean> {
    const row = await manager.findOneBy(UserMfaEntity, { userId, confirmedAt: Not(IsNull()) });
    const hashes = row?.recoveryCodes ?? [];
    const index = findRecoveryCode(this.recoveryKey, hashes, code);
    if (!row || index < 0) return false;
    const remaining = hashes.filter((_, i) => i !== index);
    // Compare-and-set on the version: a concurrent use of the same code changes it first.
    const updated = await manager.update(
      UserMfaEntity,
      { userId, version: row.version },
      { recoveryCodes: remaining, version: row.version + 1 },
    );
    if (updated.affected !== 1) return false;
    await this.events.publish({
      action: 'mfa.recovery_code_used',
      success: true,
      userId,
      metadata: { recoveryCodesLeft: remaining.length },
      manager,
    });
    return true;
  }

  private secretOf(row: UserMfaEntity): string {
    return open(this.config.encryptionKey, row.totpSecret, row.userId);
  }

  private hashes(codes: string[]): string[] {
    return codes.map((code) => hashRecoveryCode(this.recoveryKey, code));
  }
}
