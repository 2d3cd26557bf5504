import { ContractApp, describeProviderContract } from '@identity/auth-core/testing';
import { FIXTURE_IDP_ID, FIXTURE_IDP_SECRET, FixtureIdpModule } from './fixtures/fixture-idp.module';
import { startTestApp } from './support/test-app';

let subject = 0;
const signInAs = (app: ContractApp, who: { subject: string; email: string }) =>
  app
    .http()
    .post('/api/v1/auth/fixture-idp')
    .send({ secret: FIXTURE_IDP_SECRET, ...who, emailVerified: true });
let last = { subject: '', email: '' };

// The contract suite run against an id-token style provider, which signs up new users.
describeProviderContract({
  id: FIXTURE_IDP_ID,
  routes: ['POST /api/v1/auth/fixture-idp'],
  otherProviderId: 'local',
  start: async (env = {}) => {
    const disabled = env.AUTH_PROVIDERS !== undefined && !env.AUTH_PROVIDERS.includes(FIXTURE_IDP_ID);
    return startTestApp(env, undefined, disabled ? [] : [FixtureIdpModule]);
  },
  signIn: (app) => {
    last = { subject: `contract-${++subject}-${Date.now()}`, email: `c${subject}${Date.now()}@example.com` };
    return signInAs(app, last);
  },
  signInAgain: (app) => signInAs(app, last),
  failedSignIn: (app) => app.http().post('/api/v1/auth/fixture-idp').send({ secret: 'wrong', subject: 'nobody' }),
});
