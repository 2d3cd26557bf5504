import { HttpStatus, Injectable } from '@nestjs/common';
import { AppError, ClientContext, normalizeEmail, normalizePhone, Principal, SecurityEvents } from '@identity/common';
import { TransactionRunner } from '@identity/database';
import { RbacService } from '@identity/rbac';
import {
  ExternalIdentity,
  FirstFactorOutcome,
  IdentitiesService,
  IdentityDto,
  ResolvedAccount,
  SignInResult,
  SignInService,
  SignUpOptions,
} from '@identity/auth-core';
import { FirebaseLinkDto, FirebaseSignInDto } from './firebase.dto';
import { FIREBASE_PROVIDER_ID } from './firebase.login-method';
import { FirebaseTokenClaims, FirebaseTokenRefused, FirebaseTokenVerifier } from './firebase-token-verifier';

export const invalidFirebaseToken = () =>
  new AppError(
    HttpStatus.UNAUTHORIZED,
    'invalid_firebase_token',
    'Invalid Firebase token',
    'The Firebase ID token is not valid for this service (expired, revoked, disabled, issued for another project, or malformed).',
  );

const anonymousFirebaseUser = () =>
  new AppError(
    HttpStatus.FORBIDDEN,
    'firebase_anonymous_user',
    'Anonymous Firebase user',
    'An anonymous Firebase user proves no person: sign in at Firebase with a phone, email or other provider first.',
  );

const firebaseUnavailable = () =>
  new AppError(HttpStatus.SERVICE_UNAVAILABLE, 'firebase_unavailable', 'Firebase unavailable', 'Firebase could not be reached. Try again.');

/** What the registration fields of a sign-in add to the identity. */
type RegistrationFields = Pick<FirebaseSignInDto, 'displayName' | 'email'>;

/**
 * Sign-in with a Firebase ID token (the client app did the phone code, email link or other
 * sign-in with Firebase). The Firebase uid is the subject; a phone number in the token is
 * verified (Firebase sent it the code), an email is verified when the token says so.
 *
 * The registration fields count only when this sign-in creates the account. An email in the body
 * (when the token has none) is unverified: it stays on the identity and is never matched.
 */
@Injectable()
export class FirebaseSignInService {
  constructor(
    private readonly verifier: FirebaseTokenVerifier,
    private readonly signIn: SignInService,
    private readonly identities: IdentitiesService,
    private readonly rbac: RbacService,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
  ) {}

  async signInWithToken(body: FirebaseSignInDto, client: ClientContext): Promise<SignInResult> {
    const signUp: SignUpOptions = { roles: body.role ? [body.role] : [], profile: withoutNulls(body.profile) };
    await this.rbac.assertSelfAssignable(signUp.roles!);
    const identity = identityOf(await this.verified(body.idToken), body);
    const outcome = await this.resolve(identity, signUp, client).catch((error: unknown) => {
      // Two first sign-ins of one uid raced and the other created the account: this one finds it now.
      if (error instanceof AppError && error.code === 'sign_in_conflict') return this.resolve(identity, signUp, client);
      throw error;
    });
    const tokens = outcome.session
      ? await this.signIn.tokensFor(outcome.user, outcome.session)
      : await this.signIn.startSession(outcome.user, FIREBASE_PROVIDER_ID, client);
    return { tokens, created: outcome.created };
  }

  async link(principal: Principal, body: FirebaseLinkDto): Promise<IdentityDto> {
    const identity = identityOf(await this.verified(body.idToken), {});
    return this.identities.link(principal, identity, body.currentPassword);
  }

  /** Finds, links or creates the account and opens its session in one transaction. */
  private resolve(
    identity: ExternalIdentity,
    signUp: SignUpOptions,
    client: ClientContext,
  ): Promise<ResolvedAccount & { session: FirstFactorOutcome | null }> {
    return this.transactions.run(async (manager) => {
      const account = await this.signIn.accountFor(manager, identity, signUp);
      // A deactivated account is refused by startSession after this commits, keeping its audit event.
      const session = account.user.isActive ? await this.signIn.openSession(manager, account.user, FIREBASE_PROVIDER_ID, client) : null;
      return { ...account, session };
    });
  }

  /**
   * The token's claims, or the one 401 for every kind of bad token (the reason goes to the audit
   * log). Anonymous Firebase users are refused: anyone can mint one per request, so accepting them
   * would hand out accounts (and sessions) without any proof at all.
   */
  private async verified(idToken: string): Promise<FirebaseTokenClaims> {
    const claims = await this.verifiedToken(idToken);
    if (claims.signInProvider !== 'anonymous') return claims;
    await this.events.publish({
      action: 'login.failed',
      success: false,
      errorCode: 'firebase_anonymous_user',
      metadata: { provider: FIREBASE_PROVIDER_ID, reason: 'anonymous' },
    });
    throw anonymousFirebaseUser();
  }

  private async verifiedToken(idToken: string): Promise<FirebaseTokenClaims> {
    try {
      return await this.verifier.verify(idToken);
    } catch (error) {
      if (!(error instanceof FirebaseTokenRefused)) throw error;
      if (error.kind === 'unavailable') throw firebaseUnavailable();
      await this.events.publish({
        action: 'login.failed',
        success: false,
        errorCode: 'invalid_firebase_token',
        metadata: { provider: FIREBASE_PROVIDER_ID, reason: error.reason },
      });
      throw invalidFirebaseToken();
    }
  }
}

/** The normalized identity of a verified token; the body's email counts only when the token has none, and unverified. */
export function identityOf(claims: FirebaseTokenClaims, fields: RegistrationFields): ExternalIdentity {
  const tokenEmail = claims.email ? normalizeEmail(claims.email) : null;
  const phone = claims.phone ? normalizePhone(claims.phone) : null;
  return {
    providerId: FIREBASE_PROVIDER_ID,
    subject: claims.uid,
    email: tokenEmail ?? (fields.email ? normalizeEmail(fields.email) : null),
    emailVerified: tokenEmail !== null && claims.emailVerified,
    phone,
    phoneVerified: phone !== null,
    profile: { displayName: fields.displayName?.trim() || claims.name, avatarUrl: claims.picture },
  };
}

function withoutNulls(profile: Record<string, unknown> | undefined): Record<string, unknown> | null {
  const entries = Object.entries(profile ?? {}).filter(([, value]) => value !== null);
  return entries.length ? Object.fromEntries(entries) : null;
}
