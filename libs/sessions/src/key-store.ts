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
  // ES256 is defined for P-256 only; a key on another curve would need another algorithm name.
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  const type = key.asymmetricKeyType === 'ec' ? `ec (${key.asymmetricKeyDetails?.namedCurve})` : key.asymmetricKeyType;
  throw new Error(`unsupported signing key type ${type}; use RSA (RS256), EC P-256 (ES256) or Ed25519 (EdDSA)`);
}

/** A new private key of the type each algorithm signs with. */
const NEW_KEY_PAIR: Record<SigningAlgorithm, () => { privateKey: KeyObject }> = {
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
  EdDSA: () => generateKeyPairSync('ed25519'),
};

/** The members RFC 7638 hashes for each key type, in the order it prescribes (lexicographic). */
const THUMBPRINT_MEMBERS: Record<string, (keyof JsonWebKey)[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/** RFC 7638 thumbprint: a key id derived from the key itself, stable across instances. */
export function thumbprint(jwk: JsonWebKey): string {
  const members = Object.fromEntries(THUMBPRINT_MEMBERS[jwk.kty!].map((name) => [name, jwk[name]]));
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

export function parseSigningKey(pem: string, createdAt: number): SigningKey {
  const privateKey = createPrivateKey(pem);
  // First: it refuses key types the thumbprint has no members for.
  const algorithm = algorithmOf(privateKey);
  const publicKey = createPublicKey(privateKey);
  return {
    kid: thumbprint(publicKey.export({ format: 'jwk' })),
    algorithm,
    privateKey,
    publicKey,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    createdAt,
  };
}

/** Generates a new signing key into the directory; it becomes the current key. */
export function generateSigningKey(dir: string, algorithm: SigningAlgorithm, now = Date.now()): SigningKey {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = NEW_KEY_PAIR[algorithm]();
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
