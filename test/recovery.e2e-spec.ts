import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { AuditLogEntity } from '@identity/audit';
import { bearer, createUser, deactivate, login, signedIn } from './support/accounts';
import { freshEmail, freshPhone, otherCode, otpTtlSeconds, outboxTo, advanceClock, withoutExpiry } from './support/code-flows';
import { MailCatcher, startMailCatcher } from './support/mail-catcher';
import { SmsReceiver, startSmsReceiver } from './support/sms-receiver';
import { startTestApp, TestApp } from './support/test-app';

const PROBLEM = /^application\/problem\+json/;
const NEW_PASSWORD = 'a fresh and long passphrase';

describe('password recovery', () => {
  let t: TestApp;
  let mail: MailCatcher;
  let sms: SmsReceiver;

  before(async () => {
    mail = await startMailCatcher();
    sms = await startSmsReceiver();
    // Every request comes from 127.0.0.1: the per-IP send limit would otherwise end the suite early.
    t = await startTestApp({ MAIL_URL: mail.url, SMS_URL: sms.url, OUTBOX_POLL_INTERVAL_MS: '100', RATE_LIMIT_OTP_IP: '1000/15m' });
  });
  after(async () => {
    await t?.close();
    await mail?.stop();
    await sms?.stop();
  });

  const forgot = (body: object) => t.http().post('/api/v1/auth/password/forgot').send(body);
  const reset = (body: object) => t.http().post('/api/v1/auth/password/reset').send(body);
  const expectProblem = (response: Response, status: number, code: string) => {
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toMatch(PROBLEM);
  };
  const templatesTo = async (recipient: string) => (await outboxTo(t, recipient)).map((message) => message.template);

  it('answers forgot-password identically for an account, an unknown address and a deactivated account', async () => {
    const owner = await createUser(t, { email: freshEmail('f', 'g') });
    const disabled = await createUser(t, { email: freshEmail('f', 'g') });
    await deactivate(t, disabled.id);
    const unknownEmail = freshEmail('f', 'g');

    const [forOwner, forUnknown, forDisabled] = [
      await forgot({ email: owner.email }),
      await forgot({ email: unknownEmail }),
      await forgot({ email: disabled.email }),
    ];
    for (const response of [forOwner, forUnknown, forDisabled]) {
      expect(response.status).toBe(202);
      expect(response.headers['content-type']).toBe(forOwner.headers['content-type']);
      expect(withoutExpiry(response.body)).toEqual({ destination: 'f*****g@example.com', channel: 'email', expiresAt: 'string' });
    }
    await mail.codeFor(owner.email);
    expect(await templatesTo(owner.email)).toEqual(['otp_code']);
    expect(await outboxTo(t, unknownEmail)).toEqual([]);
    expect(await outboxTo(t, disabled.email)).toEqual([]);

    // The decoys meet the same cooldown as the real code.
    const again = [await forgot({ email: owner.email }), await forgot({ email: unknownEmail })];
    for (const response of again) expectProblem(response, 429, 'otp_cooldown');
    expect({ ...again[0].body, instance: null }).toEqual({ ...again[1].body, instance: null });
  });

  it('resets the password with the emailed code: new session, every other session ended, owner notified', async () => {
    const user = await createUser(t);
    const first = await signedIn(t, user);
    const second = await signedIn(t, user);

    await forgot({ email: user.email.toUpperCase() }).expect(202);
    const code = await mail.codeFor(user.email);
    const response = await reset({ email: user.email, code, newPassword: NEW_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) });
    expect(response.body.user.id).toBe(user.id);
    expect(response.body.sessionId).not.toBe(first.sessionId);

    for (const old of [first, second]) {
      expect((await t.http().get('/api/v1/me').set(bearer(old.accessToken))).status).toBe(401);
      expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: old.refreshToken })).status).toBe(401);
    }
    await t.http().get('/api/v1/me').set(bearer(response.body.accessToken)).expect(200);
    expect((await login(t, user.email, user.password)).status).toBe(401);
    expect((await login(t, user.email, NEW_PASSWORD)).status).toBe(200);

    const notice = await mail.waitFor(user.email, { skip: 1 });
    expect(notice.text).not.toContain(code);
    expect(await templatesTo(user.email)).toEqual(['otp_code', 'password_changed']);

    const events = await t.app.get(DataSource).getRepository(AuditLogEntity).findBy({ userId: user.id, action: 'password.reset' });
    expect(events).toHaveLength(1);
    expect(events[0].metadata).toMatchObject({ channel: 'email', otherSessionsEnded: 2 });
    const requested = await t.app
      .get(DataSource)
      .getRepository(AuditLogEntity)
      .findBy({ userId: user.id, action: 'password.reset_requested' });
    expect(requested).toHaveLength(1);
    const trail = JSON.stringify(
      (await t.app.get(DataSource).getRepository(AuditLogEntity).findBy({ userId: user.id })).map((event) => event.metadata),
    );
    expect(trail).not.toContain(code);
    expect(trail).not.toContain(NEW_PASSWORD);
  });

  it('resets by SMS for an account with only a phone number, and sends the notice by SMS', async () => {
    const phone = freshPhone();
    await createUser(t, { email: undefined, phone });
    await forgot({ phone }).expect(202);
    const code = await sms.codeFor(phone);
    await reset({ phone, code, newPassword: NEW_PASSWORD }).expect(200);
    expect((await login(t, phone, NEW_PASSWORD)).status).toBe(200);
    await sms.waitFor(phone, { skip: 1 });
    expect(await templatesTo(phone)).toEqual(['otp_code', 'password_changed']);
  });

  it('refuses wrong, spent and foreign codes and leaves the password alone', async () => {
    const user = await createUser(t);
    await forgot({ email: user.email }).expect(202);
    const code = await mail.codeFor(user.email);

    expectProblem(await reset({ email: user.email, code: otherCode(code), newPassword: NEW_PASSWORD }), 400, 'otp_invalid');
    // A password the policy refuses is reported before the code is looked at: the code stays good.
    const weak = await reset({ email: user.email, code, newPassword: 'short' });
    expectProblem(weak, 400, 'validation_failed');
    expect(JSON.stringify(weak.body.errors)).toContain('newPassword');
    const other = await createUser(t);
    expectProblem(await reset({ email: other.email, code, newPassword: NEW_PASSWORD }), 400, 'otp_invalid');
    expect((await login(t, user.email, user.password)).status).toBe(200);
    expect((await login(t, other.email, other.password)).status).toBe(200);

    await reset({ email: user.email, code, newPassword: NEW_PASSWORD }).expect(200);
    expectProblem(await reset({ email: user.email, code, newPassword: 'yet another passphrase' }), 400, 'otp_invalid');
    expect((await login(t, user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('refuses an expired code and leaves the password alone', async () => {
    const user = await createUser(t);
    await forgot({ email: user.email }).expect(202);
    const code = await mail.codeFor(user.email);
    advanceClock(t, otpTtlSeconds(t) + 1);
    expectProblem(await reset({ email: user.email, code, newPassword: NEW_PASSWORD }), 400, 'otp_expired');
    expect((await login(t, user.email, user.password)).status).toBe(200);
  });

  it('refuses a reset for an account deactivated after the code was sent', async () => {
    const user = await createUser(t);
    await forgot({ email: user.email }).expect(202);
    const code = await mail.codeFor(user.email);
    await deactivate(t, user.id);
    expectProblem(await reset({ email: user.email, code, newPassword: NEW_PASSWORD }), 403, 'account_disabled');
    expect(await templatesTo(user.email)).toEqual(['otp_code']);
  });

  it('limits sends per destination with 429 and Retry-After, the same for existing and unknown accounts', async () => {
    const owner = await createUser(t, { email: freshEmail('s', 't') });
    const unknownEmail = freshEmail('s', 't');
    const last: Record<string, Response> = {};
    for (const email of [owner.email, unknownEmail]) {
      for (let send = 0; send < 3; send++) {
        await forgot({ email }).expect(202);
        advanceClock(t, 61);
      }
      last[email] = await forgot({ email });
      expectProblem(last[email], 429, 'otp_send_limit');
      expect(Number(last[email].headers['retry-after'])).toBeGreaterThan(0);
    }
    expect({ ...last[owner.email].body, instance: null }).toEqual({ ...last[unknownEmail].body, instance: null });
  });

  it('refuses malformed requests with per-field problems', async () => {
    for (const body of [
      {},
      { email: 'nope' },
      { phone: '12345' },
      { email: freshEmail(), phone: freshPhone() },
      { email: freshEmail(), extra: 1 },
    ]) {
      expectProblem(await forgot(body), 400, 'validation_failed');
    }
    expectProblem(await reset({ email: freshEmail(), code: '12345', newPassword: NEW_PASSWORD }), 400, 'validation_failed');
  });

  it('sends the password-changed notice when the password is changed from the account too', async () => {
    const user = await createUser(t);
    const session = await signedIn(t, user);
    await t
      .http()
      .post('/api/v1/me/password')
      .set(bearer(session.accessToken))
      .send({ currentPassword: user.password, newPassword: NEW_PASSWORD })
      .expect(204);
    const notice = await mail.waitFor(user.email);
    expect(notice.text.length).toBeGreaterThan(0);
    expect(await templatesTo(user.email)).toEqual(['password_changed']);
    const [row] = await outboxTo(t, user.email);
    expect(JSON.stringify(row.payload)).not.toContain(NEW_PASSWORD);
  });
});
