import { after } from 'node:test';
import { ContractApp, describeProviderContract } from '@identity/auth-core/testing';
import { createUser, TestUser } from './support/accounts';
import { freshEmail, otherCode } from './support/code-flows';
import { MailCatcher, startMailCatcher } from './support/mail-catcher';
import { SmsReceiver, startSmsReceiver } from './support/sms-receiver';
import { startTestApp, TestApp } from './support/test-app';

// Both passwordless methods against the shared login-method contract. Each one's "disabled" half
// boots with only its sibling enabled: the shared routes stay mounted, and must still answer 404
// to a request for the disabled method.
let mail: MailCatcher | undefined;
let sms: SmsReceiver | undefined;

after(async () => {
  await mail?.stop();
  await sms?.stop();
});

let last: TestUser | undefined;

/** Requests a code for the destination and signs in with it. */
async function codeSignIn(app: ContractApp, destination: { email: string } | { phone: string }) {
  const sent = 'email' in destination ? mail!.count(destination.email) : sms!.count(destination.phone);
  await app.http().post('/api/v1/auth/otp/request').send(destination).expect(202);
  const code =
    'email' in destination ? await mail!.codeFor(destination.email, { skip: sent }) : await sms!.codeFor(destination.phone, { skip: sent });
  return app
    .http()
    .post('/api/v1/auth/otp/verify')
    .send({ ...destination, code });
}

async function start(env: Record<string, string> = {}): Promise<ContractApp> {
  mail ??= await startMailCatcher();
  sms ??= await startSmsReceiver();
  return startTestApp({ MAIL_URL: mail.url, SMS_URL: sms.url, ...env });
}

describeProviderContract({
  id: 'email_otp',
  routes: [
    { route: 'POST /api/v1/auth/otp/request', body: { email: 'contract@example.com' } },
    { route: 'POST /api/v1/auth/otp/verify', body: { email: 'contract@example.com', code: '123456' } },
  ],
  otherProviderId: 'mobile_otp',
  start,
  signIn: async (app) => {
    last = await createUser(app as TestApp);
    return codeSignIn(app, { email: last.email });
  },
  signInAgain: (app) => codeSignIn(app, { email: last!.email }),
  failedSignIn: async (app) => {
    const email = freshEmail('c');
    await app.http().post('/api/v1/auth/otp/request').send({ email }).expect(202);
    return app
      .http()
      .post('/api/v1/auth/otp/verify')
      .send({ email, code: otherCode(await mail!.codeFor(email)) });
  },
});

describeProviderContract({
  id: 'mobile_otp',
  routes: [
    { route: 'POST /api/v1/auth/otp/request', body: { phone: '+4915112345678' } },
    { route: 'POST /api/v1/auth/otp/verify', body: { phone: '+4915112345678', code: '123456' } },
  ],
  otherProviderId: 'email_otp',
  start,
  signIn: async (app) => {
    last = await createUser(app as TestApp);
    return codeSignIn(app, { phone: last.phone });
  },
  signInAgain: (app) => codeSignIn(app, { phone: last!.phone }),
  failedSignIn: async (app) => {
    const user = await createUser(app as TestApp);
    await app.http().post('/api/v1/auth/otp/request').send({ phone: user.phone }).expect(202);
    return app
      .http()
      .post('/api/v1/auth/otp/verify')
      .send({ phone: user.phone, code: otherCode(await sms!.codeFor(user.phone)) });
  },
});
