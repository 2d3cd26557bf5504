import { describe, it } from 'node:test';
import { expect } from 'expect';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint } from 'jose';
import { generateSigningKey, loadSigningKeys } from './key-store';
import { SIGNING_ALGORITHMS } from './sessions.config';

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

  it('makes a key of each algorithm, its kid the RFC 7638 thumbprint of its public JWK', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-spec-'));
    try {
      for (const [index, algorithm] of SIGNING_ALGORITHMS.entries()) {
        const key = generateSigningKey(dir, algorithm, index + 1);
        expect(key.algorithm).toBe(algorithm);
        const jwk = key.publicKey.export({ format: 'jwk' });
        expect(key.kid).toBe(await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], 'sha256'));
      }
      const loaded = loadSigningKeys({ keysDir: dir, algorithm: 'ES256', generateMissingKeys: false });
      expect(loaded.map((key) => key.algorithm)).toEqual([...SIGNING_ALGORITHMS]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores files that are not keys', () => {
    withDir((dir) => {
      writeFileSync(join(dir, 'README.txt'), 'not a key');
      generateSigningKey(dir, 'RS256', 1);
      expect(loadSigningKeys({ keysDir: dir, algorithm: 'RS256', generateMissingKeys: false })).toHaveLength(1);
    });
  });

  it('refuses a key no supported algorithm signs with, naming its curve', () => {
    withDir((dir) => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
      writeFileSync(join(dir, '1.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
      expect(() => loadSigningKeys({ keysDir: dir, algorithm: 'ES256', generateMissingKeys: true })).toThrow(
        /unsupported signing key type ec \(secp384r1\); use RSA \(RS256\), EC P-256 \(ES256\) or Ed25519 \(EdDSA\)/,
      );
    });
  });
});
