import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { sign } from 'node:crypto';
import { createVerifier } from 'fast-jwt';
import { appConfig } from '@identity/common';
import { loadSigningKeys, PUBLISHED_KEYS, SigningKey } from './key-store';
import { SigningAlgorithm, sessionsConfig } from './sessions.config';

export interface AccessClaims {
  sub: string;
  sid: string;
  roles: string[];
  /** How the holder authenticated (RFC 8176 values, e.g. `pwd`, `otp`, `mfa`). */
  amr?: string[];
  /** `aal2` after two factors, else `aal1` (NIST SP 800-63B assurance levels). */
  acr?: string;
  /** When the holder last authenticated, in seconds since the epoch (OIDC `auth_time`). */
  auth_time?: number;
}

export interface VerifiedAccessToken extends AccessClaims {
  iat: number;
  exp: number;
}

type Signer = (claims: AccessClaims) => Promise<string>;
type Verifier = (token: string) => VerifiedAccessToken;

const ACCESS_TOKEN_TYPE = 'at+jwt';
/** How often an unknown `kid` may trigger a re-read of the key directory (another instance rotated). */
const RELOAD_INTERVAL_MS = 10_000;
/**
 * Verified tokens remembered per key (LRU, keyed by a hash of the token, never beyond the token's
 * `exp`). A client presents the same access token on every call for its lifetime, and checking
 * an RS256 signature was a fifth of the CPU of an authenticated request. Revocation is unaffected:
 * the session is checked on every request after this.
 */
const VERIFIED_TOKENS_PER_KEY = 10_000;
/** Our tokens share one header per key: headers already matched to a verifier, at most this many. */
const KNOWN_HEADERS = 16;

/**
 * Signs and verifies access tokens with asymmetric keys.
 *
 * Signing runs on libuv's threadpool: an RS256 signature was about half of a refresh's time on
 * the event loop, where it also held up every other request, while another core sat idle. A
 * token is signed once per sign-in or refresh, so a wait behind a password hash costs little.
 * Verification is synchronous on purpose: it runs for every authenticated request, and on the
 * threadpool it would queue behind argon2 hashes during a login burst and bearer requests stall.
 */
@Injectable()
export class AccessTokenService {
  private readonly logger = new Logger(AccessTokenService.name);
  private keys: SigningKey[] = [];
  private current: SigningKey;
  private signer: Signer;
  private verifiers = new Map<string, Verifier>();
  /** Encoded JOSE header → the verifier of its key, so the header is not decoded on every call. */
  private knownHeaders = new Map<string, Verifier>();
  private lastReload = 0;

  constructor(
    @Inject(sessionsConfig.KEY) private readonly config: ConfigType<typeof sessionsConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {
    this.reload();
  }

  get issuer(): string {
    return this.app.publicUrl;
  }

  get audience(): string {
    return this.config.audience;
  }

  get ttlSeconds(): number {
    return this.config.accessTokenTtl;
  }

  /** The signing key and the newest key before it, as published in JWKS and accepted. */
  publishedKeys(): SigningKey[] {
    const previous = this.keys.filter((key) => key !== this.current).slice(-(PUBLISHED_KEYS - 1));
    return [...previous, this.current];
  }

  sign(claims: AccessClaims): Promise<string> {
    return this.signer(claims);
  }

  /** Returns the claims of a valid token, or null for anything not issued by us and still valid. */
  verify(token: string): VerifiedAccessToken | null {
    const verifier = this.verifierFor(token.slice(0, Math.max(0, token.indexOf('.'))));
    if (!verifier) return null;
    try {
      return verifier(token);
    } catch {
      return null;
    }
  }

  /** The verifier for a token with this encoded header: one of ours, with a key we publish. */
  private verifierFor(encodedHeader: string): Verifier | undefined {
    const known = this.knownHeaders.get(encodedHeader);
    if (known) return known;
    const header = decodeHeader(encodedHeader);
    if (header?.typ !== ACCESS_TOKEN_TYPE || typeof header.kid !== 'string') return undefined;
    const verifier = this.verifiers.get(header.kid) ?? this.verifierAfterReload(header.kid);
    // Bounded: a client can vary the header's spelling without limit.
    if (verifier && this.knownHeaders.size < KNOWN_HEADERS) this.knownHeaders.set(encodedHeader, verifier);
    return verifier;
  }

  reload(): void {
    this.keys = loadSigningKeys(this.config);
    this.lastReload = Date.now();
    const current = [...this.keys].reverse().find((key) => key.algorithm === this.config.algorithm)!;
    this.current = current;
    this.signer = threadpoolSigner(current, { iss: this.issuer, aud: this.audience, ttlSeconds: this.config.accessTokenTtl });
    this.verifiers = new Map(
      this.publishedKeys().map((key) => [
        key.kid,
        createVerifier({
          key: key.publicPem,
          // One algorithm per key: a token cannot pick HS256 or `none` and have our public key
          // treated as a secret.
          algorithms: [key.algorithm],
          allowedIss: this.issuer,
          allowedAud: this.audience,
          requiredClaims: ['sub', 'sid', 'exp', 'iat'],
          clockTolerance: 5_000,
          // Keyed by the library's own hash of the token: the cache never holds a token itself.
          cache: VERIFIED_TOKENS_PER_KEY,
        }) as Verifier,
      ]),
    );
    this.knownHeaders = new Map();
    this.logger.log(`signing with ${current.algorithm} key ${current.kid}; ${this.verifiers.size} key(s) published`);
  }

  private verifierAfterReload(kid: string): Verifier | undefined {
    if (Date.now() - this.lastReload < RELOAD_INTERVAL_MS || this.config.privateKeyFile) return undefined;
    try {
      this.reload();
    } catch (error) {
      this.logger.warn(`key reload failed: ${(error as Error).message}`);
    }
    return this.verifiers.get(kid);
  }
}

/**
 * A compact JWT's JOSE header, or null. Only the header is decoded here (it names the key); the
 * verifier decodes the rest when the token is not in its cache.
 */
function decodeHeader(encoded: string): { typ?: unknown; kid?: unknown } | null {
  if (!encoded) return null;
  try {
    const header: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    return header && typeof header === 'object' ? header : null;
  } catch {
    return null;
  }
}

/** How each algorithm signs (JWA, RFC 7518 §3.3, §3.4 and RFC 8037): digest and signature form. */
const JWS_SIGNATURES: Record<SigningAlgorithm, { digest: string | null; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { digest: 'sha256' },
  // JWS wants the raw r‖s pair, not the DER sequence OpenSSL writes by default.
  ES256: { digest: 'sha256', dsaEncoding: 'ieee-p1363' },
  EdDSA: { digest: null },
};

/** Compact JWS access tokens (RFC 7515, RFC 9068 `at+jwt`) with the key, signed on the threadpool. */
function threadpoolSigner(key: SigningKey, registered: { iss: string; aud: string; ttlSeconds: number }): Signer {
  const header = Buffer.from(JSON.stringify({ alg: key.algorithm, typ: ACCESS_TOKEN_TYPE, kid: key.kid })).toString('base64url');
  const { digest, dsaEncoding } = JWS_SIGNATURES[key.algorithm];
  const signingKey = { key: key.privateKey, dsaEncoding };
  return (claims) => {
    const iat = Math.floor(Date.now() / 1000);
    const payload = { ...claims, iat, exp: iat + registered.ttlSeconds, iss: registered.iss, aud: registered.aud };
    const signingInput = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return new Promise((resolve, reject) =>
      // With a callback, node:crypto signs on libuv's threadpool.
      sign(digest, Buffer.from(signingInput), signingKey, (error, signature) =>
        error ? reject(error) : resolve(`${signingInput}.${signature.toString('base64url')}`),
      ),
    );
  };
}
