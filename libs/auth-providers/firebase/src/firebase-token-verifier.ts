import { readFileSync } from 'node:fs';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { App, cert, deleteApp, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { newId } from '@identity/common';
import { firebaseConfig } from './firebase.config';

/** What the provider reads from a verified Firebase ID token. */
export interface FirebaseTokenClaims {
  uid: string;
  email: string | null;
  emailVerified: boolean;
  /** E.164, as Firebase stores it after a phone sign-in. */
  phone: string | null;
  name: string | null;
  picture: string | null;
  /** How the person signed in at Firebase: `phone`, `password`, `google.com`, … */
  signInProvider: string | null;
}

/**
 * Why a token was refused: `invalid` for anything about the token or its user (expired, revoked,
 * disabled, another project, malformed), `unavailable` when Firebase could not be asked.
 */
export class FirebaseTokenRefused extends Error {
  constructor(
    readonly kind: 'invalid' | 'unavailable',
    readonly reason: string,
  ) {
    super(`firebase token refused: ${reason}`);
  }
}

/** The side effect of asking Firebase, behind an injectable seam. */
export abstract class FirebaseTokenVerifier {
  /** Verifies signature, project, expiry and that the user is neither disabled nor revoked. */
  abstract verify(idToken: string): Promise<FirebaseTokenClaims>;
}

/**
 * Errors that say nothing about the token: Firebase unreachable, or this service unable to ask it
 * (no usable credentials for the revocation check). Every other error refuses the token.
 */
const UNAVAILABLE_CODES = new Set(['auth/internal-error', 'app/network-error', 'app/network-timeout', 'app/invalid-credential']);

@Injectable()
export class FirebaseAdminTokenVerifier extends FirebaseTokenVerifier implements OnModuleDestroy {
  private readonly logger = new Logger(FirebaseAdminTokenVerifier.name);
  private app: App | null = null;

  constructor(@Inject(firebaseConfig.KEY) private readonly config: ConfigType<typeof firebaseConfig>) {
    super();
  }

  async verify(idToken: string): Promise<FirebaseTokenClaims> {
    try {
      // checkRevoked also loads the user: revoked sessions and disabled accounts are refused.
      const decoded = await getAuth(this.firebaseApp()).verifyIdToken(idToken, true);
      return {
        uid: decoded.uid,
        email: decoded.email ?? null,
        emailVerified: decoded.email_verified === true,
        phone: decoded.phone_number ?? null,
        name: typeof decoded.name === 'string' ? decoded.name : null,
        picture: decoded.picture ?? null,
        signInProvider: decoded.firebase?.sign_in_provider ?? null,
      };
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? 'unknown');
      if (!UNAVAILABLE_CODES.has(code)) throw new FirebaseTokenRefused('invalid', code);
      // The error code only: firebase-admin's messages may quote the token.
      this.logger.error(`Firebase could not verify a token: ${code}`);
      throw new FirebaseTokenRefused('unavailable', code);
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.app) await deleteApp(this.app);
    this.app = null;
  }

  /** One named app per process and module instance, so several test apps never share one. */
  private firebaseApp(): App {
    if (!this.app) {
      const { projectId, credentialsFile } = this.config;
      const credential = credentialsFile ? cert(JSON.parse(readFileSync(credentialsFile, 'utf8'))) : undefined;
      this.app = initializeApp({ projectId: projectId ?? undefined, ...(credential ? { credential } : {}) }, `identity-${newId()}`);
    }
    return this.app;
  }
}
