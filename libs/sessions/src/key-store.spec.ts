import { describe, it } from 'node:test';
import { expect } from 'expect';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey, loadSigningKeys } from './key-store';

function withDir(run: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'keys-spec-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('signing key store', () => {
  it('generates a missing key in development, private to the owner', () => {
    withDir((dir) => {
      const keys = loadSigningKeys({ keysDir: join(dir, 'keys'), algorithm: 'RS256', generateMissingKeys: true });
      expect(keys).toHaveLength(1);
      const [file] = readdirSync(join(dir, 'keys'));
      expect(file).toMatch(/^\d+\.pem$/);
      expect(statSync(join(dir, 'keys', file)).mode & 0o077).toBe(0);
    });
  });

  it('refuses to generate one when told not to (production)', () => {
    withDir((dir) => {
      expect(() => loadSigningKeys({ keysDir: dir, algorithm: 'EdDSA', generateMissingKeys: false })).toThrow(/no EdDSA signing key/);
    });
  });

  it('orders keys by creation time and derives stable thumbprint kids', () => {
    withDir((dir) => {
      const older = generateSigningKey(dir, 'RS256', 1000);
      const newer = generateSigningKey(dir, 'EdDSA', 2000);
      const loaded = loadSigningKeys({ keysDir: dir, algorithm: 'EdDSA', generateMissingKeys: false });
      expect(loaded.map((key) => [key.kid, key.algorithm])).toEqual([
        [older.kid, 'RS256'],
        [newer.kid, 'EdDSA'],
      ]);
      expect(older.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });
  });

  it('ignores files that are not keys and rejects unsupported key types', () => {
    withDir((dir) => {
      writeFileSync(join(dir, 'README.txt'), 'not a key');
      generateSigningKey(dir, 'RS256', 1);
      expect(loadSigningKeys({ keysDir: dir, algorithm: 'RS256', generateMissingKeys: false })).toHaveLength(1);
    });
  });
});
