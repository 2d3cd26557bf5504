import { describe, it } from 'node:test';
import { expect } from 'expect';
import { ConfigType } from '@nestjs/config';
import * as argon2 from 'argon2';
import { hashSync } from 'bcryptjs';
import { authCoreConfig } from '../auth-core.config';
import { hashScheme, PasswordHasher } from './password-hasher';

const argon2Params = { memoryCost: 8192, timeCost: 1, parallelism: 1 };
const hasher = new PasswordHasher({ argon2: argon2Params } as ConfigType<typeof authCoreConfig>);

describe('password hasher', () => {
  it('verifies bcrypt hashes of every prefix and asks for a rehash', async () => {
    const hash = hashSync('correct horse battery staple', 4);
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      const variant = prefix + hash.slice(4);
      expect(hashScheme(variant)).toBe('bcrypt');
      expect(await hasher.verify(variant, 'correct horse battery staple')).toBe(true);
      expect(await hasher.verify(variant, 'correct horse battery stapler')).toBe(false);
      expect(hasher.needsRehash(variant)).toBe(true);
    }
  });

  it('checks a bcrypt hash against the NFKC form and the raw input', async () => {
    // Full-width letters: NFKC turns them into ASCII.
    const typed = 'ｃｏｒｒｅｃｔ horse';
    expect(await hasher.verify(hashSync('correct horse', 4), typed)).toBe(true);
    expect(await hasher.verify(hashSync(typed, 4), typed)).toBe(true);
  });

  it('rehashes argon2i and argon2id with other parameters, not its own', async () => {
    const own = await hasher.hash('correct horse');
    expect(hashScheme(own)).toBe('argon2id');
    expect(hasher.needsRehash(own)).toBe(false);
    const argon2i = await argon2.hash('correct horse', { type: argon2.argon2i, ...argon2Params });
    expect(hashScheme(argon2i)).toBe('argon2i');
    expect(await hasher.verify(argon2i, 'correct horse')).toBe(true);
    expect(hasher.needsRehash(argon2i)).toBe(true);
    const costlier = await argon2.hash('correct horse', { type: argon2.argon2id, ...argon2Params, timeCost: 2 });
    expect(hasher.needsRehash(costlier)).toBe(true);
    // Written by another library, parameters in the m, t, p order.
    expect(hashScheme('$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8')).toBe('argon2id');
  });

  it('knows no other format and never throws on one', async () => {
    for (const hash of ['', 'plain', '$2x$10$' + 'a'.repeat(53), '$argon2d$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA', '$2b$10$short']) {
      expect(hashScheme(hash)).toBeNull();
      expect(await hasher.verify(hash, 'anything')).toBe(false);
    }
  });

  it('warms up with the dummy hash, which refuses every password after it as before', async () => {
    const fresh = new PasswordHasher({ argon2: argon2Params } as ConfigType<typeof authCoreConfig>);
    await fresh.warmUp();
    expect(await fresh.verifyDummy('')).toBe(false);
    expect(await fresh.verifyDummy('correct horse battery staple')).toBe(false);
  });
});
