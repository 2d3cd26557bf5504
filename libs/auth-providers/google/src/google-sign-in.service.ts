import { Injectable } from '@nestjs/common';
import { AppError, ClientContext, SecurityEvents } from '@identity/common';
import { invalidIdToken, OidcClient, SignInResult, SignInService } from '@identity/auth-core';
import { GOOGLE_ID, googleIdentity, GoogleLoginMethod } from './google.login-method';

/**
 * Sign-in with an ID token that a native app got from Google Sign-In. The token must be signed by
 * a key of GOOGLE_JWKS_URL, issued by GOOGLE_ISSUER for our client id and not expired; a nonce
 * the app sends must be in it.
 */
@Injectable()
export class GoogleSignInService {
  constructor(
    private readonly method: GoogleLoginMethod,
    private readonly oidc: OidcClient,
    private readonly signIn: SignInService,
    private readonly events: SecurityEvents,
  ) {}

  async withIdToken(idToken: string, nonce: string | undefined, client: ClientContext): Promise<SignInResult> {
    try {
      const claims = await this.oidc.verifyIdToken(idToken, {
        jwksUrl: this.method.jwksUrl!,
        issuers: this.method.issuers,
        audience: this.method.clientId,
        nonce,
      });
      const identity = googleIdentity(claims);
      if (!identity) throw invalidIdToken();
      return await this.signIn.signInWithIdentity(identity, client);
    } catch (error) {
      if (error instanceof AppError && error.code === 'invalid_id_token') {
        await this.events.publish({ action: 'login.failed', success: false, errorCode: error.code, metadata: { provider: GOOGLE_ID } });
      }
      throw error;
    }
  }
}
