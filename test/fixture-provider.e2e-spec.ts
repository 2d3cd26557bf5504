import { describeProviderContract } from '@identity/auth-core/testing';
import { FIXTURE_IDP_ID, FIXTURE_IDP_SECRET, FixtureIdpModule } from './fixtures/fixture-idp.module';
import { startTestApp } from './support/test-app';

let subject = 0;

// The contract suite run against an id-token style provider, which signs up new users.
describeProviderContract({
  id: FIXTURE_IDP_ID,
  routes: ['POST /api/v1/auth/fixture-idp'],
  otherProviderId: 'local',
  start: async (env = {}) => {
    const disabled = env.AUTH_PROVIDERS !== undefined && !env.AUTH_PROVIDERS.includes(FIXTURE_IDP_ID);
    return startTestApp(env, undefined, disabled ? [] : [FixtureIdpModule]);
  },
  signIn: (app) =>
    app
      .http()
      .post('/api/v1/auth/fixture-idp')
      .send({
        secret: FIXTURE_IDP_SECRET,
        subject: `contract-${++subject}-${Date.now()}`,
        email: `c${subject}${Date.now()}@example.com`,
        emailVerified: true,
      }),
  failedSignIn: (app) => app.http().post('/api/v1/auth/fixture-idp').send({ secret: 'wrong', subject: 'nobody' }),
});
