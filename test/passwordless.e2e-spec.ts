import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { DataSource } from 'typeorm';
import { AuthProviderEntity, UserAuthEntity } from '@identity/auth-core';
import { maskDestination } from '@identity/otp';
import { bearer, countRows, createUser, deactivate, signedIn } from './support/accounts';
import { advanceClock, freshEmail, otherCode, rowCount, withoutExpiry } from './support/code-flows';
import { captureLogs } from './support/log-capture';
import { MailCatcher } from './support/mail-catcher';
import { SmsReceiver } from './support/sms-receiver';
import { MessagingApp, startMessagingApp } from './support/messaging-app';
import { TestApp } from './support/test-app';

const OTP_TTL_SECONDS = 600;
const COOLDOWN_SECONDS = 60;
const PROBLEM_JSON = /^application\/problem\+json/;

let n = 0;
/** French mobile numbers (+33 61x): a range the account helper never hands out. */
const newPhone = () => `+3361${String((Date.now() + ++n * 7919) % 10_000_000).padStart(7, '0')}`;

/** Every primitive in a row, JSON columns opened up (SQLite returns them as text), as strings. */
function valuesOf(value: unknown): string[] {
  if (typeof value === 'string' && /^[[{]/.test(value)) {
    try {
      return valuesOf(JSON.parse(value));
    } catch {
      return [value];
    }
  }
  if (value && typeof value === 'object') return Object.values(value).flatMap(valuesOf);
  return value === null || value === undefined ? [] : [String(value)];
}

// Single use under concurrency is checked here; the identifier lockout (which would refuse the
// surplus of ten parallel verifies first) has its own suite.
const SINGLE_USE = { LOCKOUT_MAX_ATTEMPTS: '100' };

describe('passwordless sign-in by email or SMS code', () => {
  let mail: MailCatcher;
  let sms: SmsReceiver;
  let t: TestApp;
  /** Every code a message carried in this suite, to prove none leaks anywhere else. */
  const seenCodes: string[] = [];
  let messaging: MessagingApp;

  before(async () => {
    ({ t, mail, sms } = messaging = await startMessagingApp(SINGLE_USE));
  });
  after(() => messaging?.close());

  const requestCode = (body: Record<string, unknown>) => t.http().post('/api/v1/auth/otp/request').send(body);
  const verify = (body: Record<string, unknown>) => t.http().post('/api/v1/auth/otp/verify').send(body);
  const mailedCode = async (email: string, skip?: number) => {
    const code = await mail.codeFor(email, skip === undefined ? {} : { skip });
    seenCodes.push(code);
    return code;
  };
  const textedCode = async (phone: string, skip?: number) => {
    const code = await sms.codeFor(phone, skip === undefined ? {} : { skip });
    seenCodes.push(code);
    return code;
  };
  const identityOf = async (userId: string, provider: string) => {
    const dataSource = t.app.get(DataSource);
    const row = await dataSource.getRepository(AuthProviderEntity).findOneByOrFail({ name: provider });
    return dataSource.getRepository(UserAuthEntity).findOneBy({ userId, authProviderId: row.id });
  };
  const expectProblem = (
    response: { status: number; headers: Record<string, string>; body: { code: string } },
    status: number,
    code: string,
  ) => {
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
  };

  it('signs in an existing user by email: 202 with the masked address, the code by mail, 200 with working tokens', async () => {
    const user = await createUser(t);
    const requested = await requestCode({ email: user.email.toUpperCase() });
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ destination: maskDestination(user.email), channel: 'email', expiresAt: expect.any(String) });
    const lifetime = new Date(requested.body.expiresAt).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan((OTP_TTL_SECONDS - 30) * 1000);
    expect(lifetime).toBeLessThanOrEqual(OTP_TTL_SECONDS * 1000);

    const code = await mailedCode(user.email);
    expect(JSON.stringify(requested.body)).not.toContain(code);
    const signedInByCode = await verify({ email: user.email, code });
    expect(signedInByCode.status).toBe(200);
    expect(signedInByCode.body).toMatchObject({ tokenType: 'Bearer', user: { id: user.id, email: user.email, emailVerified: true } });
    expect(JSON.stringify(signedInByCode.body)).not.toContain(`"${code}"`);
    const me = await t.http().get('/api/v1/me').set(bearer(signedInByCode.body.accessToken));
    expect({ status: me.status, id: me.body.id }).toEqual({ status: 200, id: user.id });
    await t.http().post('/api/v1/auth/refresh').send({ refreshToken: signedInByCode.body.refreshToken }).expect(200);

    const identity = await identityOf(user.id, 'email_otp');
    expect(identity).toMatchObject({ providerUserId: user.email, providerEmail: user.email, isVerified: true });
    expect(identity!.lastUsedAt).not.toBeNull();
  });

  it('signs in an existing user by SMS code', async () => {
    const user = await createUser(t);
    const requested = await requestCode({ phone: user.phone });
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ destination: maskDestination(user.phone), channel: 'sms', expiresAt: expect.any(String) });
    const response = await verify({ phone: user.phone, code: await textedCode(user.phone) });
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({ id: user.id, phone: user.phone, phoneVerified: true });
    await t.http().get('/api/v1/me').set(bearer(response.body.accessToken)).expect(200);
    expect(await identityOf(user.id, 'mobile_otp')).toMatchObject({ providerUserId: user.phone, isVerified: true });
    const sessions = await t.http().get('/api/v1/me/sessions').set(bearer(response.body.accessToken)).expect(200);
    expect(sessions.body.items.find((session: { current: boolean }) => session.current)).toMatchObject({ provider: 'mobile_otp' });
  });

  it('creates the account on the first verified sign-in (201, address verified), and a second sign-in finds it (200)', async () => {
    const email = freshEmail('s');
    const users = await countRows(t, 'users');
    await requestCode({ email }).expect(202);
    const first = await verify({ email, code: await mailedCode(email) });
    expect(first.status).toBe(201);
    expect(first.body.user).toMatchObject({ email, emailVerified: true, phone: null, roles: ['user'] });
    expect(await countRows(t, 'users')).toBe(users + 1);
    await t.http().get('/api/v1/me').set(bearer(first.body.accessToken)).expect(200);

    // The resend cooldown is per address; past it, the same address asks again.
    advanceClock(t, COOLDOWN_SECONDS + 1);
    await requestCode({ email }).expect(202);
    const second = await verify({ email, code: await mailedCode(email, 1) });
    expect(second.status).toBe(200);
    expect(second.body.user.id).toBe(first.body.user.id);
    expect(await countRows(t, 'users')).toBe(users + 1);
  });

  it('lists both methods for clients, with sign-up', async () => {
    const listed = await t.http().get('/api/v1/auth/providers').expect(200);
    expect(listed.body.filter((provider: { kind: string }) => provider.kind === 'otp')).toEqual([
      { id: 'email_otp', displayName: 'Email code', kind: 'otp', supports: ['sign-in', 'sign-up'] },
      { id: 'mobile_otp', displayName: 'SMS code', kind: 'otp', supports: ['sign-in', 'sign-up'] },
    ]);
  });

  it('creates an account by SMS code too, with the number verified', async () => {
    const phone = newPhone();
    await requestCode({ phone }).expect(202);
    const created = await verify({ phone, code: await textedCode(phone) });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ phone, phoneVerified: true, email: null });
    expect(await identityOf(created.body.user.id, 'mobile_otp')).toMatchObject({ providerUserId: phone });
  });

  it('refuses a wrong code, a code for another address and a reused code with problem+json, opening no session', async () => {
    const email = freshEmail('w');
    const other = freshEmail('o');
    await requestCode({ email }).expect(202);
    await requestCode({ email: other }).expect(202);
    const code = await mailedCode(email);
    const codeOfOther = await mailedCode(other);
    const sessions = await countRows(t, 'sessions');
    const users = await countRows(t, 'users');

    const wrong = await verify({ email, code: otherCode(code) });
    expectProblem(wrong, 400, 'otp_invalid');
    expect(wrong.body.attemptsRemaining).toBe(2);
    if (codeOfOther !== code) expectProblem(await verify({ email, code: codeOfOther }), 400, 'otp_invalid');
    expect(await countRows(t, 'sessions')).toBe(sessions);
    expect(await countRows(t, 'users')).toBe(users);

    expect((await verify({ email, code })).status).toBe(201);
    expectProblem(await verify({ email, code }), 400, 'otp_invalid');
    expect(await countRows(t, 'sessions')).toBe(sessions + 1);
  });

  it('refuses an expired code', async () => {
    const user = await createUser(t);
    await requestCode({ email: user.email }).expect(202);
    const code = await mailedCode(user.email);
    const sessions = await countRows(t, 'sessions');
    advanceClock(t, OTP_TTL_SECONDS + 1);
    const response = await verify({ email: user.email, code });
    expectProblem(response, 400, 'otp_expired');
    expect(await countRows(t, 'sessions')).toBe(sessions);
  });

  it('kills a code after three wrong tries: the right one no longer works', async () => {
    const user = await createUser(t);
    await requestCode({ phone: user.phone }).expect(202);
    const code = await textedCode(user.phone);
    const sessions = await countRows(t, 'sessions');
    expectProblem(await verify({ phone: user.phone, code: otherCode(code) }), 400, 'otp_invalid');
    expectProblem(await verify({ phone: user.phone, code: otherCode(code) }), 400, 'otp_invalid');
    expectProblem(await verify({ phone: user.phone, code: otherCode(code) }), 400, 'otp_attempts_exhausted');
    expectProblem(await verify({ phone: user.phone, code }), 400, 'otp_attempts_exhausted');
    expect(await countRows(t, 'sessions')).toBe(sessions);
  });

  it('lets exactly one of ten concurrent verifies of one correct code through', async () => {
    const user = await createUser(t);
    await requestCode({ email: user.email }).expect(202);
    const code = await mailedCode(user.email);
    const sessions = await countRows(t, 'sessions');
    const responses = await Promise.all(Array.from({ length: 10 }, () => verify({ email: user.email, code })));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(400)]);
    for (const response of responses.filter((response) => response.status !== 200)) expectProblem(response, 400, 'otp_invalid');
    expect(await countRows(t, 'sessions')).toBe(sessions + 1);
  });

  it('answers a deactivated account like any other at request, and account_disabled at verify', async () => {
    const user = await createUser(t);
    await deactivate(t, user.id);
    const requested = await requestCode({ email: user.email });
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual({ destination: maskDestination(user.email), channel: 'email', expiresAt: expect.any(String) });
    const sessions = await countRows(t, 'sessions');
    expectProblem(await verify({ email: user.email, code: await mailedCode(user.email) }), 403, 'account_disabled');
    expect(await countRows(t, 'sessions')).toBe(sessions);
  });

  it('never links a code to an account whose address is unverified: 409 account_link_required', async () => {
    const user = await createUser(t, { verified: false });
    await requestCode({ email: user.email }).expect(202);
    const users = await countRows(t, 'users');
    expectProblem(await verify({ email: user.email, code: await mailedCode(user.email) }), 409, 'account_link_required');
    expect(await identityOf(user.id, 'email_otp')).toBeNull();
    expect(await countRows(t, 'users')).toBe(users);
  });

  it('validates the body: exactly one of email or phone, a real number, a six-digit code', async () => {
    expectProblem(await requestCode({}), 400, 'validation_failed');
    expectProblem(await requestCode({ email: freshEmail(), phone: newPhone() }), 400, 'validation_failed');
    expectProblem(await requestCode({ phone: '+1234' }), 400, 'validation_failed');
    expectProblem(await requestCode({ email: null }), 400, 'validation_failed');
    expectProblem(await requestCode({ email: null, phone: null }), 400, 'validation_failed');
    expectProblem(await requestCode({ email: 'not an address' }), 400, 'validation_failed');
    expectProblem(await requestCode({ email: freshEmail(), extra: true }), 400, 'validation_failed');
    expectProblem(await verify({ email: freshEmail(), code: '12345' }), 400, 'validation_failed');
  });

  it('answers 429 with Retry-After beyond the send limit, alike for existing and unknown addresses', async () => {
    const existing = await createUser(t);
    for (const email of [existing.email, freshEmail('l', 'm')]) {
      const statuses: number[] = [];
      // Three codes per address per 15 minutes (RATE_LIMIT_OTP_DESTINATION), each after the cooldown.
      for (let attempt = 0; attempt < 4; attempt++) {
        if (attempt > 0) advanceClock(t, COOLDOWN_SECONDS + 1);
        const response = await requestCode({ email });
        statuses.push(response.status);
        if (response.status !== 429) continue;
        expectProblem(response, 429, 'otp_send_limit');
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect({ email, statuses }).toEqual({ email, statuses: [202, 202, 202, 429] });
    }
  });

  it('answers 404 provider_disabled for a method an admin switched off, while the other keeps working', async () => {
    const admin = await createUser(t, { roles: ['admin'] });
    const adminToken = (await signedIn(t, admin)).accessToken;
    const user = await createUser(t);
    const setEnabled = (enabled: boolean) =>
      t.http().patch('/api/v1/admin/auth-providers/email_otp').set(bearer(adminToken)).send({ enabled }).expect(200);
    await setEnabled(false);
    try {
      expectProblem(await requestCode({ email: user.email }), 404, 'provider_disabled');
      expectProblem(await verify({ email: user.email, code: '123456' }), 404, 'provider_disabled');
      await requestCode({ phone: user.phone }).expect(202);
      expect((await verify({ phone: user.phone, code: await textedCode(user.phone) })).status).toBe(200);
      const listed = await t.http().get('/api/v1/auth/providers').expect(200);
      expect(listed.body.map((provider: { id: string }) => provider.id)).toEqual(expect.arrayContaining(['mobile_otp']));
      expect(listed.body.map((provider: { id: string }) => provider.id)).not.toContain('email_otp');
    } finally {
      await setEnabled(true);
    }
    await requestCode({ email: user.email }).expect(202);
  });

  it('records sign-ins and code events in the audit log, and no code in any event', async () => {
    const user = await createUser(t);
    await requestCode({ email: user.email }).expect(202);
    const code = await mailedCode(user.email);
    await verify({ email: user.email, code: otherCode(code) }).expect(400);
    await verify({ email: user.email, code }).expect(200);
    const rows: { action: string; success: unknown; metadata: unknown }[] = await t.app
      .get(DataSource)
      .query('SELECT action, success, metadata FROM audit_logs WHERE user_id = ? ORDER BY created_at, id', [user.id]);
    const actions = rows.map((row) => `${row.action}:${Boolean(Number(row.success))}`);
    expect(actions).toEqual(
      expect.arrayContaining(['otp.sent:true', 'otp.failed:false', 'otp.verified:true', 'identity.linked:true', 'login.succeeded:true']),
    );
    const values = (await t.app.get(DataSource).query('SELECT * FROM audit_logs')).flatMap(valuesOf);
    const leaks = values.filter((value: string) => seenCodes.some((seen) => new RegExp(`\\b${seen}\\b`).test(value)));
    expect(leaks).toEqual([]);
    expect(seenCodes.length).toBeGreaterThan(10);
  });
});

describe('passwordless sign-in with OTP_SIGNUP=false', () => {
  let mail: MailCatcher;
  let sms: SmsReceiver;
  let t: TestApp;
  let messaging: MessagingApp;

  before(async () => {
    ({ t, mail, sms } = messaging = await startMessagingApp({ ...SINGLE_USE, OTP_SIGNUP: 'false' }));
  });
  after(() => messaging?.close());

  const requestCode = (body: Record<string, unknown>) => t.http().post('/api/v1/auth/otp/request').send(body);
  it('answers an unknown email exactly like an existing one, and sends it nothing', async () => {
    const existing = await createUser(t);
    const local = existing.email.split('@')[0];
    // Same first and last letter: the masked forms of both addresses are identical.
    const unknown = freshEmail(local[0], local.at(-1));
    const users = await countRows(t, 'users');
    const forUnknown = await requestCode({ email: unknown });
    const forExisting = await requestCode({ email: existing.email });
    expect(forUnknown.status).toBe(202);
    expect(forExisting.status).toBe(202);
    expect(forUnknown.headers['content-type']).toBe(forExisting.headers['content-type']);
    expect(withoutExpiry(forUnknown.body)).toEqual(withoutExpiry(forExisting.body));
    expect(Math.abs(new Date(forUnknown.body.expiresAt).getTime() - new Date(forExisting.body.expiresAt).getTime())).toBeLessThan(5000);

    // The existing address got its mail; the unknown one, asked first, got none and never will.
    await mail.codeFor(existing.email);
    expect(mail.count(unknown)).toBe(0);
    expect(await rowCount(t, 'message_outbox', 'recipient', unknown)).toBe(0);
    const guess = await t.http().post('/api/v1/auth/otp/verify').send({ email: unknown, code: '000000' });
    expect({ status: guess.status, code: guess.body.code }).toEqual({ status: 400, code: 'otp_invalid' });
    expect(await countRows(t, 'users')).toBe(users);
  });

  it('answers an unknown phone number exactly like an existing one, and texts it nothing', async () => {
    const existing = await createUser(t);
    // Same length, prefix and last two digits as the existing number: the same masked form.
    const unknown = `${existing.phone.slice(0, 6)}${String(Date.now() % 1_000_000).padStart(6, '0')}${existing.phone.slice(-2)}`;
    const forUnknown = await requestCode({ phone: unknown });
    const forExisting = await requestCode({ phone: existing.phone });
    expect([forUnknown.status, forExisting.status]).toEqual([202, 202]);
    expect(withoutExpiry(forUnknown.body)).toEqual(withoutExpiry(forExisting.body));
    await sms.codeFor(existing.phone);
    expect(sms.count(unknown)).toBe(0);
    expect(await rowCount(t, 'message_outbox', 'recipient', unknown)).toBe(0);
  });

  it('tells clients that these methods do not sign up now', async () => {
    const listed = await t.http().get('/api/v1/auth/providers').expect(200);
    const otpMethods = listed.body.filter((provider: { kind: string }) => provider.kind === 'otp');
    expect(otpMethods).toEqual([
      { id: 'email_otp', displayName: 'Email code', kind: 'otp', supports: ['sign-in'] },
      { id: 'mobile_otp', displayName: 'SMS code', kind: 'otp', supports: ['sign-in'] },
    ]);
  });

  it('still signs in existing accounts', async () => {
    const existing = await createUser(t);
    await requestCode({ email: existing.email }).expect(202);
    const response = await t
      .http()
      .post('/api/v1/auth/otp/verify')
      .send({ email: existing.email, code: await mail.codeFor(existing.email) });
    expect({ status: response.status, id: response.body.user?.id }).toEqual({ status: 200, id: existing.id });
  });
});

describe('passwordless sign-in with only mobile_otp in AUTH_PROVIDERS', () => {
  let sms: SmsReceiver;
  let t: TestApp;
  let messaging: MessagingApp;

  before(async () => {
    ({ t, sms } = messaging = await startMessagingApp({ ...SINGLE_USE, AUTH_PROVIDERS: 'local,mobile_otp' }));
  });
  after(() => messaging?.close());

  it('answers 404 to email codes on the shared routes while SMS codes work', async () => {
    const user = await createUser(t);
    const byEmail = await t.http().post('/api/v1/auth/otp/request').send({ email: user.email });
    expect({ status: byEmail.status, code: byEmail.body.code }).toEqual({ status: 404, code: 'provider_disabled' });
    const verifyByEmail = await t.http().post('/api/v1/auth/otp/verify').send({ email: user.email, code: '123456' });
    expect({ status: verifyByEmail.status, code: verifyByEmail.body.code }).toEqual({ status: 404, code: 'provider_disabled' });
    expect(await rowCount(t, 'message_outbox', 'recipient', user.email)).toBe(0);

    await t.http().post('/api/v1/auth/otp/request').send({ phone: user.phone }).expect(202);
    const bySms = await t
      .http()
      .post('/api/v1/auth/otp/verify')
      .send({ phone: user.phone, code: await sms.codeFor(user.phone) });
    expect({ status: bySms.status, id: bySms.body.user?.id }).toEqual({ status: 200, id: user.id });
    const listed = await t.http().get('/api/v1/auth/providers').expect(200);
    expect(listed.body.map((provider: { id: string }) => provider.id).sort()).toEqual(['local', 'mobile_otp']);
  });
});

describe('what passwordless sign-in writes to the log', () => {
  let mail: MailCatcher;
  let sms: SmsReceiver;
  let t: TestApp;
  let messaging: MessagingApp;

  before(async () => {
    ({ t, mail, sms } = messaging = await startMessagingApp({ ...SINGLE_USE, LOG_LEVEL: 'verbose' }));
  });
  after(() => messaging?.close());

  it('never a code or a token, at any level, also when sign-ins fail or mail is down', async () => {
    const log = captureLogs(t);
    const user = await createUser(t);
    const secrets: string[] = [];

    await t.http().post('/api/v1/auth/otp/request').send({ phone: user.phone }).expect(202);
    const smsCode = await sms.codeFor(user.phone);
    await t
      .http()
      .post('/api/v1/auth/otp/verify')
      .send({ phone: user.phone, code: otherCode(smsCode) })
      .expect(400);
    const bySms = await t.http().post('/api/v1/auth/otp/verify').send({ phone: user.phone, code: smsCode }).expect(200);
    secrets.push(smsCode, bySms.body.accessToken, bySms.body.refreshToken);

    // A failed delivery is logged (so the capture surely sees something) while its message carries a code.
    await mail.down();
    await t.http().post('/api/v1/auth/otp/request').send({ email: user.email }).expect(202);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await mail.up();
    const mailCode = await mail.codeFor(user.email, { timeoutMs: 15_000 });
    const byMail = await t.http().post('/api/v1/auth/otp/verify').send({ email: user.email, code: mailCode }).expect(200);
    secrets.push(mailCode, byMail.body.accessToken, byMail.body.refreshToken);

    expect(log.lines.length).toBeGreaterThan(0);
    expect(log.lines.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([]);
  });
});
