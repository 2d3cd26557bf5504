import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { DataSource } from 'typeorm';
import { AuthProviderEntity, UserAuthEntity } from '@identity/auth-core';
import { Clock } from '@identity/common';
import { maskDestination } from '@identity/otp';
import { bearer, createUser, login, signedIn, TestUser } from './support/accounts';
import { freshEmail, otherCode, rowCount } from './support/code-flows';
import { captureLogs } from './support/log-capture';
import { MailCatcher } from './support/mail-catcher';
import { SmsReceiver } from './support/sms-receiver';
import { MessagingApp, startMessagingApp } from './support/messaging-app';
import { TestApp } from './support/test-app';

const REAUTH_WINDOW_SECONDS = 300;
const PROBLEM_JSON = /^application\/problem\+json/;

let n = 0;
/** French mobile numbers (+33 61x): a range the account helper never hands out. */
const newPhone = () => `+3361${String((Date.now() + ++n * 7919) % 10_000_000).padStart(7, '0')}`;

describe('changing the email address or phone number of my account', () => {
  let mail: MailCatcher;
  let sms: SmsReceiver;
  let t: TestApp;
  let messaging: MessagingApp;

  before(async () => {
    // Every request comes from 127.0.0.1: the per-IP send limit would end the suite early.
    ({ t, mail, sms } = messaging = await startMessagingApp());
  });
  after(() => messaging?.close());

  const post = (path: string, token: string, body: Record<string, unknown>) =>
    t.http().post(`/api/v1${path}`).set(bearer(token)).send(body);
  const me = async (token: string) => (await t.http().get('/api/v1/me').set(bearer(token)).expect(200)).body;
  const expectProblem = (
    response: { status: number; headers: Record<string, string>; body: { code: string } },
    status: number,
    code: string,
  ) => {
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
  };
  const auditOf = async (userId: string, action: string) =>
    (await t.app
      .get(DataSource)
      .query('SELECT success, error_code AS errorCode FROM audit_logs WHERE user_id = ? AND action = ? ORDER BY created_at, id', [
        userId,
        action,
      ])) as { success: unknown; errorCode: string | null }[];
  /**
   * Runs `work` with the service clock moved forward, then moves it back. Unlike the other code
   * suites this one must go back: sessions are stamped with the system time, so a clock left ahead
   * would make every later sign-in look older than REAUTH_WINDOW. Every message a test needs is
   * awaited inside `work`, before the clock returns and leaves later-stamped messages not yet due.
   */
  const later = async <T>(seconds: number, work: () => Promise<T>): Promise<T> => {
    const clock = t.app.get(Clock);
    clock.offsetMs += seconds * 1000;
    try {
      return await work();
    } finally {
      clock.offsetMs -= seconds * 1000;
    }
  };

  it('sends the code to the new address, keeps the old one until the code comes back, then switches and verifies', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    const address = freshEmail();
    const requested = await post('/me/email', accessToken, { email: address.toUpperCase() });
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ destination: maskDestination(address), channel: 'email', expiresAt: expect.any(String) });

    const code = await mail.codeFor(address);
    expect(mail.count(user.email)).toBe(0);
    expect(await me(accessToken)).toMatchObject({ email: user.email, emailVerified: true });
    expect((await login(t, user.email, user.password)).status).toBe(200);

    const verified = await post('/me/email/verify', accessToken, { email: address, code });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ id: user.id, email: address, emailVerified: true, phone: user.phone });
    expect(await me(accessToken)).toMatchObject({ email: address, emailVerified: true });
    expect((await login(t, address, user.password)).status).toBe(200);
    expect((await login(t, user.email, user.password)).status).toBe(401);
    expect((await auditOf(user.id, 'email.changed')).map((row) => Boolean(Number(row.success)))).toEqual([true]);

    // The code was for one change only.
    expectProblem(await post('/me/email/verify', accessToken, { email: address, code }), 400, 'otp_invalid');
  });

  it('changes the phone number by SMS code', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    const phone = newPhone();
    const requested = await post('/me/phone', accessToken, { phone });
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ destination: maskDestination(phone), channel: 'sms', expiresAt: expect.any(String) });
    const code = await sms.codeFor(phone);
    expect(sms.count(user.phone)).toBe(0);
    expect(await me(accessToken)).toMatchObject({ phone: user.phone });

    const verified = await post('/me/phone/verify', accessToken, { phone, code });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ phone, phoneVerified: true, email: user.email });
    expect((await login(t, phone, user.password)).status).toBe(200);
    expect((await auditOf(user.id, 'phone.changed')).map((row) => Boolean(Number(row.success)))).toEqual([true]);
  });

  it('moves a sign-in by code to the new address: the old address no longer opens this account', async () => {
    const old = freshEmail('c');
    await t.http().post('/api/v1/auth/otp/request').send({ email: old }).expect(202);
    const created = await t
      .http()
      .post('/api/v1/auth/otp/verify')
      .send({ email: old, code: await mail.codeFor(old) });
    expect(created.status).toBe(201);
    const userId = created.body.user.id;

    const address = freshEmail();
    await post('/me/email', created.body.accessToken, { email: address }).expect(202);
    await post('/me/email/verify', created.body.accessToken, { email: address, code: await mail.codeFor(address) }).expect(200);

    const dataSource = t.app.get(DataSource);
    const method = await dataSource.getRepository(AuthProviderEntity).findOneByOrFail({ name: 'email_otp' });
    const identity = await dataSource.getRepository(UserAuthEntity).findOneByOrFail({ userId, authProviderId: method.id });
    expect(identity).toMatchObject({ providerUserId: address, providerEmail: address });

    const mailsBefore = mail.count(address);
    await t.http().post('/api/v1/auth/otp/request').send({ email: address }).expect(202);
    const byNew = await t
      .http()
      .post('/api/v1/auth/otp/verify')
      .send({ email: address, code: await mail.codeFor(address, { skip: mailsBefore }) });
    expect({ status: byNew.status, id: byNew.body.user.id }).toEqual({ status: 200, id: userId });

    // Whoever holds the old address now starts a new account instead of entering this one.
    const sent = mail.count(old);
    await later(61, async () => {
      await t.http().post('/api/v1/auth/otp/request').send({ email: old }).expect(202);
      const byOld = await t
        .http()
        .post('/api/v1/auth/otp/verify')
        .send({ email: old, code: await mail.codeFor(old, { skip: sent }) });
      expect(byOld.status).toBe(201);
      expect(byOld.body.user.id).not.toBe(userId);
    });
  });

  it('answers an address of another account with the same 202, sends nothing, and that code never works', async () => {
    const user = await createUser(t);
    const other = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    const taken = await post('/me/email', accessToken, { email: other.email });
    const free = await post('/me/email', accessToken, { email: freshEmail() });
    expect([taken.status, free.status]).toEqual([202, 202]);
    expect(Object.keys(taken.body).sort()).toEqual(Object.keys(free.body).sort());
    expect(taken.body).toEqual({ destination: maskDestination(other.email), channel: 'email', expiresAt: expect.any(String) });

    const takenPhone = await post('/me/phone', accessToken, { phone: other.phone });
    expect(takenPhone.status).toBe(202);
    expect(takenPhone.body).toEqual({ destination: maskDestination(other.phone), channel: 'sms', expiresAt: expect.any(String) });

    expect(await rowCount(t, 'message_outbox', 'recipient', other.email)).toBe(0);
    expect(await rowCount(t, 'message_outbox', 'recipient', other.phone)).toBe(0);
    expect(mail.count(other.email)).toBe(0);
    expect(sms.count(other.phone)).toBe(0);
    expectProblem(await post('/me/email/verify', accessToken, { email: other.email, code: '000000' }), 400, 'otp_invalid');
    expect(await me(accessToken)).toMatchObject({ email: user.email, phone: user.phone });

    // The account holder's own history must not tell a decoy from a code.
    const history = await t.http().get('/api/v1/me/security-events').set(bearer(accessToken)).expect(200);
    expect(JSON.stringify(history.body)).not.toContain('decoy');
  });

  it('refuses with 409 and changes nothing when another account takes the address before the code comes back', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    const address = freshEmail('c');
    await post('/me/email', accessToken, { email: address }).expect(202);
    const code = await mail.codeFor(address);
    const rival = await createUser(t, { email: address });

    expectProblem(await post('/me/email/verify', accessToken, { email: address, code }), 409, 'contact_taken');
    expect(await me(accessToken)).toMatchObject({ email: user.email, emailVerified: true });
    expect((await login(t, address, rival.password)).body.user.id).toBe(rival.id);
    expect((await auditOf(user.id, 'email.changed')).map((row) => row.errorCode)).toEqual(['contact_taken']);
  });

  it('refuses a code that another account asked for', async () => {
    const asker = await createUser(t);
    const intruder: TestUser = await createUser(t);
    const askerToken = (await signedIn(t, asker)).accessToken;
    const intruderToken = (await signedIn(t, intruder)).accessToken;
    const address = freshEmail('s');
    await post('/me/email', askerToken, { email: address }).expect(202);
    const code = await mail.codeFor(address);
    expectProblem(await post('/me/email/verify', intruderToken, { email: address, code }), 400, 'otp_invalid');
    expect(await me(intruderToken)).toMatchObject({ email: intruder.email });
    expect((await post('/me/email/verify', askerToken, { email: address, code })).status).toBe(200);
  });

  it('refuses a sign-in code for the same address: codes are bound to their purpose', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    const address = freshEmail('p');
    await post('/me/email', accessToken, { email: address }).expect(202);
    const changeCode = await mail.codeFor(address, { skip: 0 });
    await t.http().post('/api/v1/auth/otp/request').send({ email: address }).expect(202);
    const signInCode = await mail.codeFor(address, { skip: 1 });
    if (signInCode !== changeCode) {
      expectProblem(await post('/me/email/verify', accessToken, { email: address, code: signInCode }), 400, 'otp_invalid');
    }
    expect(await me(accessToken)).toMatchObject({ email: user.email });
    expect((await post('/me/email/verify', accessToken, { email: address, code: changeCode })).status).toBe(200);
  });

  it('needs a recent sign-in or the current password: a stale session gets 401 until it gives the right password', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    const address = freshEmail('s');
    await later(REAUTH_WINDOW_SECONDS + 1, async () => {
      expectProblem(await post('/me/email', accessToken, { email: address }), 401, 'reauthentication_required');
      expectProblem(await post('/me/email', accessToken, { email: address, currentPassword: null }), 401, 'reauthentication_required');
      expectProblem(await post('/me/phone', accessToken, { phone: newPhone() }), 401, 'reauthentication_required');
      expectProblem(
        await post('/me/email', accessToken, { email: address, currentPassword: 'not the password' }),
        403,
        'current_password_incorrect',
      );
      expect(await rowCount(t, 'message_outbox', 'recipient', address)).toBe(0);

      const accepted = await post('/me/email', accessToken, { email: address, currentPassword: user.password });
      expect(accepted.status).toBe(202);
      await post('/me/email/verify', accessToken, { email: address, code: await mail.codeFor(address) }).expect(200);
    });
    expect(await me(accessToken)).toMatchObject({ email: address, emailVerified: true });
    expect((await auditOf(user.id, 'email.changed')).map((row) => row.errorCode)).toEqual([
      'reauthentication_required',
      'reauthentication_required',
      'current_password_incorrect',
      null,
    ]);
  });

  it('a wrong current password is refused even in a fresh session', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    expectProblem(
      await post('/me/email', accessToken, { email: freshEmail(), currentPassword: 'wrong' }),
      403,
      'current_password_incorrect',
    );
  });

  it('an account without a password must sign in again once its session is stale', async () => {
    const phone = newPhone();
    await t.http().post('/api/v1/auth/otp/request').send({ phone }).expect(202);
    const created = await t
      .http()
      .post('/api/v1/auth/otp/verify')
      .send({ phone, code: await sms.codeFor(phone) });
    expect(created.status).toBe(201);
    expect((await post('/me/email', created.body.accessToken, { email: freshEmail() })).status).toBe(202);
    await later(REAUTH_WINDOW_SECONDS + 1, async () => {
      const response = await post('/me/email', created.body.accessToken, { email: freshEmail(), currentPassword: 'anything at all' });
      expectProblem(response, 401, 'reauthentication_required');
    });
  });

  it('confirms an unverified address of my own the same way, after which a code sign-in links to the account', async () => {
    const user = await createUser(t, { verified: false });
    const { accessToken } = await signedIn(t, user);
    await post('/me/email', accessToken, { email: user.email }).expect(202);
    const confirmed = await post('/me/email/verify', accessToken, { email: user.email, code: await mail.codeFor(user.email) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ email: user.email, emailVerified: true });

    const mailsBefore = mail.count(user.email);
    await t.http().post('/api/v1/auth/otp/request').send({ email: user.email }).expect(202);
    const byCode = await t
      .http()
      .post('/api/v1/auth/otp/verify')
      .send({ email: user.email, code: await mail.codeFor(user.email, { skip: mailsBefore }) });
    expect({ status: byCode.status, id: byCode.body.user?.id }).toEqual({ status: 200, id: user.id });
  });

  it('writes no password, code or token to the log, also while SMS delivery fails', async () => {
    const log = captureLogs(t);
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    const phone = newPhone();
    await post('/me/phone', accessToken, { phone, currentPassword: 'a wrong guess at it' }).expect(403);
    sms.down();
    await post('/me/phone', accessToken, { phone, currentPassword: user.password }).expect(202);
    await new Promise((resolve) => setTimeout(resolve, 500));
    sms.up();
    const code = await sms.codeFor(phone, { timeoutMs: 15_000 });
    await post('/me/phone/verify', accessToken, { phone, code: otherCode(code) }).expect(400);
    await post('/me/phone/verify', accessToken, { phone, code }).expect(200);

    const secrets = [user.password, 'a wrong guess at it', code, accessToken];
    expect(log.lines.length).toBeGreaterThan(0);
    expect(log.lines.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([]);
  });

  it('validates the body and refuses the address I already have verified', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    expectProblem(await post('/me/email', accessToken, { email: 'not an address' }), 400, 'validation_failed');
    expectProblem(await post('/me/phone', accessToken, { phone: '+1234' }), 400, 'validation_failed');
    expectProblem(await post('/me/email', accessToken, { email: freshEmail(), role: 'admin' }), 400, 'validation_failed');
    expectProblem(await post('/me/email/verify', accessToken, { email: freshEmail(), code: 'abcdef' }), 400, 'validation_failed');
    expectProblem(await post('/me/email', accessToken, { email: user.email }), 400, 'contact_unchanged');
    const anonymous = await t.http().post('/api/v1/me/email').send({ email: freshEmail() });
    expectProblem(anonymous, 401, 'unauthenticated');
  });
});
