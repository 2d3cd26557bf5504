import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import * as argon2 from 'argon2';
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { authCoreConfig } from '../auth-core.config';

/** A FIFO semaphore: at most `limit` tasks run at once. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * argon2id hashing with the configured cost.
 *
 * Hashes run on libuv's threadpool; letting more run at once than there are cores only makes
 * every one of them (and anything else on the pool) slower, so concurrency is capped.
 */
@Injectable()
export class PasswordHasher {
  private readonly gate = new Semaphore(Math.max(1, availableParallelism()));
  private dummyHash?: Promise<string>;

  constructor(@Inject(authCoreConfig.KEY) private readonly config: ConfigType<typeof authCoreConfig>) {}

  private get options() {
    return { type: argon2.argon2id, ...this.config.argon2 } as const;
  }

  hash(password: string): Promise<string> {
    return this.gate.run(() => argon2.hash(normalize(password), this.options) as Promise<string>);
  }

  /** False for a wrong password or a malformed hash; never throws on bad input. */
  verify(hash: string, password: string): Promise<boolean> {
    return this.gate.run(async () => {
      try {
        return await argon2.verify(hash, normalize(password));
      } catch {
        return false;
      }
    });
  }

  /**
   * Burns the same time as a real verify, for sign-ins with no account or no password, so
   * response time does not reveal which identifiers exist.
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= argon2.hash(randomBytes(32).toString('base64'), this.options) as Promise<string>;
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** True when a stored hash was made with other parameters than the configured ones. */
  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, this.options);
  }
}

/** NFKC so that the same password typed on different keyboards/OSes hashes the same. */
function normalize(password: string): string {
  return password.normalize('NFKC');
}
