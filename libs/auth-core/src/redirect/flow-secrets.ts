import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe. */
export const randomToken = (): string => randomBytes(32).toString('base64url');

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

/**
 * The PKCE verifier of a flow, derived rather than stored: only the browser that holds the
 * binding cookie and comes back with the flow's state can reproduce it (RFC 7636, 43 characters).
 */
export function pkceVerifier(browserSecret: string, state: string): string {
  return createHash('sha256').update(`pkce\0${browserSecret}\0${state}`).digest('base64url');
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The cookie that binds a redirect flow to the browser that started it. Over https it is a
 * `__Host-` cookie with SameSite=None, because Apple returns by a cross-site POST that a Lax
 * cookie would not accompany; over plain http (development) browsers refuse SameSite=None
 * without Secure, so it is Lax there.
 */
export class BindingCookie {
  readonly name: string;

  constructor(
    private readonly secure: boolean,
    private readonly maxAgeSeconds: number,
  ) {
    this.name = secure ? '__Host-identity_oauth' : 'identity_oauth';
  }

  /** The browser secret from a Cookie header, when one is there and well-formed. */
  read(cookieHeader: string | undefined): string | null {
    for (const part of (cookieHeader ?? '').split(';')) {
      const separator = part.indexOf('=');
      if (separator < 0 || part.slice(0, separator).trim() !== this.name) continue;
      const value = part.slice(separator + 1).trim();
      if (COOKIE_VALUE.test(value)) return value;
    }
    return null;
  }

  header(secret: string): string {
    const attributes = [`${this.name}=${secret}`, 'Path=/', `Max-Age=${this.maxAgeSeconds}`, 'HttpOnly'];
    attributes.push(...(this.secure ? ['Secure', 'SameSite=None'] : ['SameSite=Lax']));
    return attributes.join('; ');
  }
}
