import { after, before, beforeEach, describe, it } from 'node:test';
import { expect } from 'expect';
import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { LockoutService, MemoryAttemptCounter } from '@identity/abuse';
import { AppError, Clock, SECURITY_EVENT, SecurityEvent, SecurityEvents } from '@identity/common';
import { buildDataSourceOptions, ClusterJobs, runMigrations, TransactionRunner } from '@identity/database';
import { OtpChallengeEntity } from './otp-challenge.entity';
import { OtpCleanupService } from './otp-cleanup.service';
import { OtpConfig } from './otp.config';
import { OtpRequest, OtpService } from './otp.service';

const client = { ip: '192.0.2.1', userAgent: 'spec', requestId: 'r1' };
let nextHost = 1;
/** Each request from its own address unless a test says otherwise, so only the per-IP test meets that limit. */
const request = (destination: string, extra: Partial<OtpRequest> = {}): OtpRequest => ({
  purpose: 'login',
  channel: 'email',
  destination,
  client: { ...client, ip: `10.0.0.${nextHost++}` },
  ...extra,
});

describe('OtpService (real schema, in-memory SQLite)', () => {
  let dataSource: DataSource;
  let transactions: TransactionRunner;
  let events: SecurityEvent[];
  const config: OtpConfig = {
    ttlSeconds: 600,
    maxAttempts: 3,
    resendCooldownSeconds: 0,
    secret: 's'.repeat(40),
    signUp: true,
    sendLimits: { perDestination: { max: 3, windowSeconds: 900 }, perIp: { max: 5, windowSeconds: 900 } },
  };
  const make = (overrides: Partial<OtpConfig> = {}) => {
    const emitter = new EventEmitter2();
    emitter.on(SECURITY_EVENT, (event: SecurityEvent) => void events.push(event));
    return new OtpService(
      { ...config, ...overrides },
      dataSource.getRepository(OtpChallengeEntity),
      transactions,
      new SecurityEvents(emitter),
      new Clock(),
      new LockoutService({ routeLimits: null, lockout: null, minResponseMs: 0 }, new MemoryAttemptCounter()),
    );
  };
  const issue = (service: OtpService, destination: string, extra: Partial<OtpRequest> = {}) =>
    transactions.run((manager) => service.issue(manager, request(destination, extra)));
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  };

  before(async () => {
    Logger.overrideLogger(['error']);
    const options = buildDataSourceOptions({ dialect: 'sqlite', sqlitePath: ':memory:', url: '', migrationsRun: true, poolSize: 1 }, [
      OtpChallengeEntity,
    ]);
    dataSource = await new DataSource(options).initialize();
    await runMigrations(dataSource);
    transactions = new TransactionRunner(dataSource);
  });
  beforeEach(() => {
    events = [];
  });
  after(() => dataSource?.destroy());

  it('stores only a hash, and a right code is redeemed exactly once', async () => {
    const otp = make();
    const issued = await issue(otp, 'once@example.com');
    expect(issued.code).toMatch(/^\d{6}$/);
    const row = await dataSource.getRepository(OtpChallengeEntity).findOneByOrFail({ id: issued.challengeId });
    expect(JSON.stringify(row)).not.toContain(issued.code);
    const result = await otp.redeem('login', 'once@example.com', issued.code!, async (_manager, challenge) => challenge.id);
    expect(result).toBe(issued.challengeId);
    expect((await failure(otp.redeem('login', 'once@example.com', issued.code!, async () => 1))).code).toBe('otp_invalid');
    expect(events.map((event) => event.action)).toEqual(['otp.sent', 'otp.verified', 'otp.failed']);
  });

  it('refuses the code for another purpose or destination', async () => {
    const otp = make();
    const issued = await issue(otp, 'bound@example.com');
    expect((await failure(otp.redeem('registration', 'bound@example.com', issued.code!, async () => 1))).code).toBe('otp_invalid');
    expect((await failure(otp.redeem('login', 'other@example.com', issued.code!, async () => 1))).code).toBe('otp_invalid');
    await otp.redeem('login', 'bound@example.com', issued.code!, async () => 1);
  });

  it('does not spend the code when the work fails', async () => {
    const otp = make();
    const issued = await issue(otp, 'rollback@example.com');
    await expect(
      otp.redeem('login', 'rollback@example.com', issued.code!, async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    await otp.redeem('login', 'rollback@example.com', issued.code!, async () => 1);
  });

  it('kills a code after the maximum of wrong tries, and a resend inherits the count', async () => {
    const otp = make();
    const first = await issue(otp, 'guess@example.com');
    const wrong = first.code === '000000' ? '000001' : '000000';
    const answer = await failure(otp.redeem('login', 'guess@example.com', wrong, async () => 1));
    expect(answer.code).toBe('otp_invalid');
    expect(answer.extensions).toEqual({ attemptsRemaining: 2 });
    const resent = await issue(otp, 'guess@example.com');
    expect((await failure(otp.redeem('login', 'guess@example.com', wrong, async () => 1))).extensions).toEqual({ attemptsRemaining: 1 });
    expect((await failure(otp.redeem('login', 'guess@example.com', wrong, async () => 1))).code).toBe('otp_attempts_exhausted');
    expect((await failure(otp.redeem('login', 'guess@example.com', resent.code!, async () => 1))).code).toBe('otp_attempts_exhausted');
    const locked = await failure(issue(otp, 'guess@example.com'));
    expect(locked.code).toBe('otp_attempts_exhausted');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['Retry-After'])).toBeGreaterThan(500);
  });

  it('answers an expired code with otp_expired', async () => {
    const otp = make();
    const issued = await issue(otp, 'late@example.com');
    await dataSource.getRepository(OtpChallengeEntity).update({ id: issued.challengeId }, { expiresAt: new Date(Date.now() - 1000) });
    expect((await failure(otp.redeem('login', 'late@example.com', issued.code!, async () => 1))).code).toBe('otp_expired');
  });

  it('makes a decoy behave like a real code nobody knows', async () => {
    const otp = make();
    const decoy = await issue(otp, 'decoy@example.com', { decoy: true });
    expect(decoy.code).toBeNull();
    const answer = await failure(otp.redeem('login', 'decoy@example.com', '123456', async () => 1));
    expect(answer.code).toBe('otp_invalid');
    expect(answer.extensions).toEqual({ attemptsRemaining: 2 });
    expect(events[0].metadata).toMatchObject({ decoy: true });
  });

  it('enforces the resend cooldown with Retry-After', async () => {
    const otp = make({ resendCooldownSeconds: 60 });
    await issue(otp, 'cool@example.com');
    const answer = await failure(issue(otp, 'cool@example.com'));
    expect(answer).toMatchObject({ status: 429, code: 'otp_cooldown' });
    expect(Number(answer.headers['Retry-After'])).toBeGreaterThanOrEqual(59);
  });

  it('limits sends per destination and per IP', async () => {
    const otp = make();
    for (let i = 0; i < 3; i++) await issue(otp, 'limited@example.com', { purpose: i % 2 ? 'login' : 'password_reset' });
    const perDestination = await failure(issue(otp, 'limited@example.com'));
    expect(perDestination).toMatchObject({ status: 429, code: 'otp_send_limit' });
    expect(Number(perDestination.headers['Retry-After'])).toBeGreaterThan(800);
    const ip = { ...client, ip: '198.51.100.7' };
    for (let i = 0; i < 5; i++) await issue(otp, `ip${i}@example.com`, { client: ip });
    expect(await failure(issue(otp, 'ip5@example.com', { client: ip }))).toMatchObject({ status: 429, code: 'otp_send_limit' });
    await issue(make({ sendLimits: null }), 'limited@example.com');
  });

  it('cleans up only codes the send limits no longer count', async () => {
    const otp = make();
    const repository = dataSource.getRepository(OtpChallengeEntity);
    const old = await issue(otp, 'old@example.com');
    const recent = await issue(otp, 'recent@example.com');
    await repository.update({ id: old.challengeId }, { expiresAt: new Date(Date.now() - 901_000) });
    await repository.update({ id: recent.challengeId }, { expiresAt: new Date(Date.now() - 60_000) });
    const cleanup = new OtpCleanupService(config, repository, new Clock(), { every: () => undefined } as unknown as ClusterJobs);
    expect(await cleanup.deleteExpired()).toBeGreaterThanOrEqual(1);
    expect(await repository.existsBy({ id: old.challengeId })).toBe(false);
    expect(await repository.existsBy({ id: recent.challengeId })).toBe(true);
  });
});
