import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, JsonWebKey, KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SigningAlgorithm } from './sessions.config';

export interface SigningKey {
  kid: string;
  algorithm: SigningAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
  privatePem: string;
  /** Ordering: keys from a directory are named `<epoch-ms>.pem`, newest last. */
  createdAt: number;
}

export interface KeySource {
  keysDir: string;
  privateKeyFile?: string;
  algorithm: SigningAlgorithm;
  generateMissingKeys: boolean;
}

/** How many keys JWKS publishes and verification accepts: the current one and the one before. */
export const PUBLISHED_KEYS = 2;

const KEY_FILE = /^(\d+)\.pem$/;

function algorithmOf(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  throw new Error(`unsupported signing key type ${key.asymmetricKeyType}; use RSA (RS256) or Ed25519 (EdDSA)`);
}

/** RFC 7638 thumbprint: a key id derived from the key itself, stable across instances. */
export function thumbprint(jwk: JsonWebKey): string {
  const members = jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

export function parseSigningKey(pem: string, createdAt: number): SigningKey {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  return {
    kid: thumbprint(publicKey.export({ format: 'jwk' })),
    algorithm: algorithmOf(privateKey),
    privateKey,
    publicKey,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    createdAt,
  };
}

/** Generates a new signing key into the directory; it becomes the current key. */
export function generateSigningKey(dir: string, algorithm: SigningAlgorithm, now = Date.now()): SigningKey {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = algorithm === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const file = join(dir, `${now}.pem`);
  writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return parseSigningKey(pem, now);
}

/**
 * Loads the signing keys, newest last. With a single key file that key is the only one; with a
 * directory, every `<epoch-ms>.pem` in it (rotation adds a file, so instances sharing the
 * directory agree on the order).
 */
export function loadSigningKeys(source: KeySource): SigningKey[] {
  if (source.privateKeyFile) {
    return [parseSigningKey(readFileSync(source.privateKeyFile, 'utf8'), 0)];
  }
  const files = existsSync(source.keysDir) ? readdirSync(source.keysDir).filter((name) => KEY_FILE.test(name)) : [];
  const keys = files
    .map((name) => parseSigningKey(readFileSync(join(source.keysDir, name), 'utf8'), Number(KEY_FILE.exec(name)![1])))
    .sort((a, b) => a.createdAt - b.createdAt);
  if (!keys.some((key) => key.algorithm === source.algorithm)) {
    if (!source.generateMissingKeys) {
      throw new Error(`no ${source.algorithm} signing key in ${source.keysDir}; create one with the CLI: rotate-keys`);
    }
    keys.push(generateSigningKey(source.keysDir, source.algorithm));
  }
  return keys;
}
