import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import * as argon2 from 'argon2';
import { compare as bcryptCompare } from 'bcryptjs';
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
 *
 * Verifying also accepts the hashes of the stacks accounts are imported from (bcrypt, argon2i):
 * `needsRehash` is true for them, so the first successful sign-in replaces them with argon2id.
 * bcrypt reads only the first 72 bytes of a password (UTF-8); an imported bcrypt hash therefore
 * also matches any password sharing those bytes, exactly as it did in the system it came from,
 * until the rehash stores a hash of the whole password.
 */
@Injectable()
export class PasswordHasher {
  /** Hashes that may run at once: one per core. */
  private readonly concurrency = Math.max(1, availableParallelism());
  private readonly gate = new Semaphore(this.concurrency);
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
    if (hashScheme(hash) === 'bcrypt') return verifyBcrypt(hash, password);
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

  /**
   * Run before the service takes traffic. Makes the dummy hash now: made inside the first sign-in
   * of an unknown identifier, it made that answer one hash slower than any other. And has as many
   * hashes run at once as ever will, so that their memory (about 19 MiB each, kept with the launch
   * paths' malloc settings; README, "Memory") is claimed at start, not in the first burst.
   */
  async warmUp(): Promise<void> {
    await Promise.all(Array.from({ length: this.concurrency }, () => this.verifyDummy('')));
  }

  /** True when a stored hash is not argon2id or was made with other parameters than the configured ones. */
  needsRehash(hash: string): boolean {
    if (hashScheme(hash) !== 'argon2id') return true;
    return argon2.needsRehash(hash, this.options);
  }
}

export type PasswordHashScheme = 'argon2id' | 'argon2i' | 'bcrypt';

/** PHC string: parameters in any order (argon2 writes m, p, t; other libraries m, t, p). */
const argon2Format = (variant: string) =>
  new RegExp(`^\\$${variant}\\$(v=\\d+\\$)?[a-z]=\\d+(,[a-z]=\\d+)*\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+$`);

const HASH_FORMATS: [PasswordHashScheme, RegExp][] = [
  ['argon2id', argon2Format('argon2id')],
  ['argon2i', argon2Format('argon2i')],
  // Cost 04-31, 22 salt and 31 hash characters of bcrypt's base64; $2y$ is PHP's name for $2b$.
  ['bcrypt', /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/],
];

/** Which stored hash format this is, or null for one the service cannot verify. */
export function hashScheme(hash: string): PasswordHashScheme | null {
  return HASH_FORMATS.find(([, format]) => format.test(hash))?.[0] ?? null;
}

/**
 * bcryptjs runs on the main thread in small async steps, not on the threadpool, so it stays
 * outside the gate. The NFKC form is tried first, as new hashes use it; the raw input second,
 * because the system that made the hash may have stored whatever bytes the client sent.
 */
async function verifyBcrypt(hash: string, password: string): Promise<boolean> {
  try {
    const normalized = normalize(password);
    if (await bcryptCompare(normalized, hash)) return true;
    return normalized !== password && (await bcryptCompare(password, hash));
  } catch {
    return false;
  }
}

/** NFKC so that the same password typed on different keyboards/OSes hashes the same. */
function normalize(password: string): string {
  return password.normalize('NFKC');
}
