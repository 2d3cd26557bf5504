import { createHash } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AppError } from '@identity/common';
import { abuseConfig } from './abuse.config';
import { ATTEMPT_COUNTER } from './abuse.tokens';
import { AttemptCounter } from './attempt-counter';

/** The flows a lockout counts separately, so a locked password still leaves recovery open. */
export type LockoutFlow = 'password' | 'code' | 'recovery' | 'mfa';
const FLOWS: LockoutFlow[] = ['password', 'code', 'recovery', 'mfa'];

/** One answer for every locked identifier, known or not, so the lockout reveals no account. */
export const tooManyAttempts = (retryAfterSeconds: number) =>
  new AppError(
    HttpStatus.TOO_MANY_REQUESTS,
    'too_many_attempts',
    'Too many attempts',
    'Too many attempts for this account. Try again later.',
    {},
    { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  );

/** A reserved attempt: call `succeeded()` when the secret was right, so the count starts over. */
export interface Attempt {
  succeeded(): Promise<void>;
}

/**
 * Lockout per normalized identifier (LOCKOUT_MAX_ATTEMPTS in LOCKOUT_DURATION), for existing and
 * unknown identifiers alike. An attempt is counted before the secret is checked, so parallel
 * guesses can't all slip past the check while the first ones are still hashing: of 50 parallel
 * wrong passwords exactly LOCKOUT_MAX_ATTEMPTS are checked and the rest refused. A success
 * clears the count.
 */
@Injectable()
export class LockoutService {
  constructor(
    @Inject(abuseConfig.KEY) private readonly config: ConfigType<typeof abuseConfig>,
    @Inject(ATTEMPT_COUNTER) private readonly counter: AttemptCounter,
  ) {}

  /** Counts an attempt on `identifier` (already normalized) or throws the lockout answer. */
  async begin(flow: LockoutFlow, identifier: string): Promise<Attempt> {
    const lockout = this.config.lockout;
    if (!lockout) return { succeeded: async () => undefined };
    const key = keyOf(flow, identifier);
    const { count, resetInMs } = await this.counter.add(key, lockout.durationMs, lockout.maxAttempts, lockout.durationMs);
    if (count > lockout.maxAttempts) throw tooManyAttempts(resetInMs / 1000);
    return { succeeded: () => this.counter.clear(key) };
  }

  /** Lifts every lockout of these identifiers (an admin's unlock). */
  async unlock(identifiers: string[]): Promise<void> {
    await Promise.all(identifiers.flatMap((identifier) => FLOWS.map((flow) => this.counter.clear(keyOf(flow, identifier)))));
  }
}

/** Counter keys carry a hash, never the email or phone number itself. */
const keyOf = (flow: LockoutFlow, identifier: string) => `lockout:${flow}:${createHash('sha256').update(identifier).digest('base64url')}`;
