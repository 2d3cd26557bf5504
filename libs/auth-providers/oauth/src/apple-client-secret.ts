import { importPKCS8, SignJWT } from 'jose';
import { AppleSigningKey } from './oauth.config';

const APPLE_AUDIENCE = 'https://appleid.apple.com';
/** Apple accepts up to six months; a day keeps a leaked secret short-lived. */
const LIFETIME_SECONDS = 24 * 3600;
const RENEW_BEFORE_SECONDS = 3600;

/**
 * Apple's client secret is a JWT we sign with the key from Apple's developer account (ES256,
 * `kid` = key id, `iss` = team id, `sub` = client id). One is reused until an hour before expiry.
 */
export class AppleClientSecret {
  private cached: { value: string; expiresAt: number } | null = null;

  constructor(
    private readonly key: AppleSigningKey,
    private readonly clientId: string,
  ) {}

  async value(now = Date.now()): Promise<string> {
    if (this.cached && this.cached.expiresAt - RENEW_BEFORE_SECONDS * 1000 > now) return this.cached.value;
    const issuedAt = Math.floor(now / 1000);
    const value = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.key.keyId })
      .setIssuer(this.key.teamId)
      .setSubject(this.clientId)
      .setAudience(APPLE_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + LIFETIME_SECONDS)
      .sign(await importPKCS8(this.key.privateKeyPem, 'ES256'));
    this.cached = { value, expiresAt: (issuedAt + LIFETIME_SECONDS) * 1000 };
    return value;
  }
}
