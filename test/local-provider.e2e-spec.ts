import { describeProviderContract } from '@identity/auth-core/testing';
import { createUser, login, TestUser } from './support/accounts';
import { FIXTURE_IDP_ID, FixtureIdpModule } from './fixtures/fixture-idp.module';
import { startTestApp, TestApp } from './support/test-app';

let last: TestUser | undefined;

// The local provider against the shared login-method contract. The fixture provider is mounted
// too so that the "disabled" half can boot with local switched off.
describeProviderContract({
  id: 'local',
  routes: [
    'POST /api/v1/auth/login',
    'POST /api/v1/me/password',
    'POST /api/v1/auth/register',
    'POST /api/v1/auth/register/verify',
    'POST /api/v1/auth/register/resend',
    'POST /api/v1/auth/password/forgot',
    'POST /api/v1/auth/password/reset',
  ],
  otherProviderId: FIXTURE_IDP_ID,
  start: (env = {}) => startTestApp(env, undefined, [FixtureIdpModule]),
  signIn: async (app) => {
    last = await createUser(app as TestApp);
    return login(app as TestApp, last.username, last.password);
  },
  signInAgain: (app) => login(app as TestApp, last!.email, last!.password),
  failedSignIn: async (app) => {
    const user = await createUser(app as TestApp);
    return login(app as TestApp, user.email, 'not the password');
  },
});
