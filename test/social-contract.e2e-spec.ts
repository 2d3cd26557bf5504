import { after } from 'node:test';
import { ContractApp, describeProviderContract } from '@identity/auth-core/testing';
import { LocalProvider, REDIRECT_ALLOWLIST, redirectSignIn, startLocalProvider } from './support/oauth-provider';
import { startTestApp, TestApp } from './support/test-app';

// Google, Facebook and Apple against the shared login-method contract, each signing in through
// the whole redirect flow against a local OAuth2 server. Facebook and Apple share their module's
// routes: each one's "disabled" half boots with only the other enabled.
let provider: LocalProvider | undefined;
let n = 0;

after(() => provider?.stop());

async function start(env: Record<string, string> = {}): Promise<ContractApp> {
  provider ??= await startLocalProvider();
  const apple = provider.env('APPLE');
  delete apple.APPLE_USERINFO_URL;
  return startTestApp({ ...provider.env('GOOGLE'), ...provider.env('FACEBOOK'), ...apple, REDIRECT_ALLOWLIST, ...env });
}

function signInWith(id: string, formPost = false) {
  return async (app: ContractApp) => {
    n += 1;
    const sub = `${id}-${process.pid}-${Date.now()}-${n}`;
    provider!.user = { sub, email: `${sub}@example.com`, email_verified: true, name: 'Contract Person' };
    provider!.userinfo = id === 'facebook' ? (user) => ({ id: user.sub, name: user.name, email: user.email }) : undefined;
    return redirectSignIn(app as TestApp, id, formPost);
  };
}

/** A callback naming a flow that was never started. */
const forgedCallback = (id: string) => (app: ContractApp) =>
  app
    .http()
    .get(`/api/v1/auth/${id}/callback`)
    .query({ state: 'S'.repeat(43), code: 'whatever' });

describeProviderContract({
  id: 'google',
  routes: [
    'GET /api/v1/auth/google?redirect_uri=https://app.example.com/auth/done',
    'GET /api/v1/auth/google/url?redirect_uri=https://app.example.com/auth/done',
    'GET /api/v1/auth/google/callback',
    { route: 'POST /api/v1/auth/google', body: { idToken: 'x'.repeat(40) } },
  ],
  otherProviderId: 'local',
  start,
  signIn: signInWith('google'),
  failedSignIn: (app) => app.http().post('/api/v1/auth/google').send({ idToken: 'not.a.token-at-all' }),
});

describeProviderContract({
  id: 'facebook',
  routes: [
    'GET /api/v1/auth/facebook?redirect_uri=https://app.example.com/auth/done',
    'GET /api/v1/auth/facebook/url?redirect_uri=https://app.example.com/auth/done',
    'GET /api/v1/auth/facebook/callback',
    'POST /api/v1/auth/facebook/callback',
  ],
  otherProviderId: 'apple',
  start,
  signIn: signInWith('facebook'),
  failedSignIn: forgedCallback('facebook'),
});

describeProviderContract({
  id: 'apple',
  routes: [
    'GET /api/v1/auth/apple?redirect_uri=https://app.example.com/auth/done',
    'GET /api/v1/auth/apple/url?redirect_uri=https://app.example.com/auth/done',
    'GET /api/v1/auth/apple/callback',
    'POST /api/v1/auth/apple/callback',
  ],
  otherProviderId: 'facebook',
  start,
  signIn: signInWith('apple', true),
  failedSignIn: forgedCallback('apple'),
});
