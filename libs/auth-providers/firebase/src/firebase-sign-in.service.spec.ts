import { describe, it } from 'node:test';
import { expect } from 'expect';
import { identityOf } from './firebase-sign-in.service';
import { FirebaseTokenClaims } from './firebase-token-verifier';

const claims = (overrides: Partial<FirebaseTokenClaims>): FirebaseTokenClaims => ({
  uid: 'uid-1',
  email: null,
  emailVerified: false,
  phone: null,
  name: null,
  picture: null,
  signInProvider: 'phone',
  ...overrides,
});

describe('the identity of a Firebase token', () => {
  it('takes the phone number of the token as verified and the uid as subject', () => {
    expect(identityOf(claims({ phone: '+4915112345678' }), {})).toMatchObject({
      providerId: 'firebase',
      subject: 'uid-1',
      phone: '+4915112345678',
      phoneVerified: true,
      email: null,
      emailVerified: false,
    });
  });

  it('prefers the email of the token, verified only when the token says so', () => {
    const verified = identityOf(claims({ email: 'Ada@Example.org', emailVerified: true }), { email: 'other@example.org' });
    expect(verified).toMatchObject({ email: 'ada@example.org', emailVerified: true });
    const unverified = identityOf(claims({ email: 'ada@example.org' }), {});
    expect(unverified).toMatchObject({ email: 'ada@example.org', emailVerified: false });
  });

  it('uses the email of the body only when the token has none, and never as verified', () => {
    expect(identityOf(claims({ phone: '+4915112345678' }), { email: 'Grace@Example.org' })).toMatchObject({
      email: 'grace@example.org',
      emailVerified: false,
    });
  });

  it('names the account after the body, else the token', () => {
    expect(identityOf(claims({ name: 'From Token' }), { displayName: '  Grace ' }).profile.displayName).toBe('Grace');
    expect(identityOf(claims({ name: 'From Token' }), {}).profile.displayName).toBe('From Token');
  });
});
