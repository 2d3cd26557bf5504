import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { AuditLogEntity } from '@identity/audit';
import { newId } from '@identity/common';
import { PendingRegistrationCleanupService, PendingRegistrationEntity } from '@identity/auth-providers/local';
import { RoleEntity } from '@identity/rbac';
import { bearer, countRows, createUser, login } from './support/accounts';
import { freshEmail, freshPhone, otherCode, otpTtlSeconds, outboxTo, rowCount, advanceClock, withoutExpiry } from './support/code-flows';
import { CODE_PATTERN, MailCatcher, startMailCatcher } from './support/mail-catcher';
import { SmsReceiver, startSmsReceiver } from './support/sms-receiver';
import { startTestApp, TestApp } from './support/test-app';

const PROBLEM = /^application\/problem\+json/;
const PASSWORD = 'a long enough passphrase';

describe('OTP-first registration', () => {
  let t: TestApp;
  let mail: MailCatcher;
  let sms: SmsReceiver;

  before(async () => {
    mail = await startMailCatcher();
    sms = await startSmsReceiver();
    // Every request comes from 127.0.0.1: the per-IP send limit would otherwise end the suite early.
    // Single use under concurrency is checked here; the identifier lockout (which would refuse the
    // surplus of ten parallel verifies first) has its own suite.
    t = await startTestApp({
      MAIL_URL: mail.url,
      SMS_URL: sms.url,
      OUTBOX_POLL_INTERVAL_MS: '100',
      RATE_LIMIT_OTP_IP: '1000/15m',
      LOCKOUT_MAX_ATTEMPTS: '100',
    });
    await t.app
      .get(DataSource)
      .getRepository(RoleEntity)
      .insert([
        { id: newId(), name: 'student', description: null, permissions: [], isSystem: false, selfAssignable: true },
        { id: newId(), name: 'moderator', description: null, permissions: [], isSystem: false, selfAssignable: false },
      ]);
  });
  after(async () => {
    await t?.close();
    await mail?.stop();
    await sms?.stop();
  });

  const register = (body: object) => t.http().post('/api/v1/auth/register').send(body);
  const verify = (body: object) => t.http().post('/api/v1/auth/register/verify').send(body);
  const resend = (body: object) => t.http().post('/api/v1/auth/register/resend').send(body);
  const usersWithEmail = (email: string) => rowCount(t, 'users', 'email', email);
  const pendingFor = (destination: string) => rowCount(t, 'pending_registrations', 'destination', destination);
  const expectProblem = (response: Response, status: number, code: string) => {
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toMatch(PROBLEM);
  };

  it('creates no user until the emailed code is verified; then the account signs in with its password', async () => {
    const email = freshEmail();
    const accepted = await register({
      email: email.toUpperCase(),
      username: `Reg-${Date.now()}`,
      password: PASSWORD,
      displayName: '  Ada Lovelace ',
      profile: { academicYear: '2026', rollNumber: 'CS-042' },
      role: 'student',
    });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({
      destination: expect.stringMatching(/^n\*+z@example\.com$/),
      channel: 'email',
      expiresAt: expect.any(String),
    });
    const expiresIn = Date.parse(accepted.body.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan((otpTtlSeconds(t) - 30) * 1000);
    expect(expiresIn).toBeLessThanOrEqual(otpTtlSeconds(t) * 1000);

    expect(await usersWithEmail(email)).toBe(0);
    const pending = await t.app.get(DataSource).getRepository(PendingRegistrationEntity).findOneByOrFail({ destination: email });
    expect(JSON.stringify(pending)).not.toContain(PASSWORD);
    expect(pending.registrationData.passwordHash).toMatch(/^\$argon2id\$/);

    const code = await mail.codeFor(email);
    const created = await verify({ email, code });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) });
    expect(created.body.user).toMatchObject({
      email,
      emailVerified: true,
      phone: null,
      phoneVerified: false,
      username: expect.stringMatching(/^reg-\d+$/),
      displayName: 'Ada Lovelace',
      profile: { academicYear: '2026', rollNumber: 'CS-042' },
      roles: ['student', 'user'],
    });
    expect(JSON.stringify(created.body)).not.toMatch(/argon2|password/i);

    expect(await usersWithEmail(email)).toBe(1);
    expect(await pendingFor(email)).toBe(0);
    const me = await t.http().get('/api/v1/me').set(bearer(created.body.accessToken)).expect(200);
    expect(me.body.id).toBe(created.body.user.id);
    expect((await login(t, email, PASSWORD)).status).toBe(200);
    expect((await login(t, created.body.user.username, PASSWORD)).status).toBe(200);
    expect((await login(t, email, 'not the password')).status).toBe(401);

    const events = await t.app.get(DataSource).getRepository(AuditLogEntity).findBy({ userId: created.body.user.id });
    expect(events.map((event) => event.action)).toEqual(
      expect.arrayContaining(['registration.completed', 'user.created', 'login.succeeded']),
    );
    const requested = await t.app.get(DataSource).getRepository(AuditLogEntity).findBy({ action: 'registration.requested' });
    expect(requested.length).toBeGreaterThan(0);
    const trail = JSON.stringify((await t.app.get(DataSource).getRepository(AuditLogEntity).find()).map((event) => event.metadata));
    expect(trail).not.toContain(code);
    expect(trail).not.toContain(PASSWORD);
    expect(trail).not.toContain(pending.registrationData.passwordHash);
  });

  it('registers a phone number through an SMS code, normalized to E.164', async () => {
    const phone = freshPhone();
    const spaced = `${phone.slice(0, 3)} ${phone.slice(3, 6)} ${phone.slice(6)}`;
    const accepted = await register({ phone: spaced, password: PASSWORD, displayName: 'Grace' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({
      channel: 'sms',
      destination: `${phone.slice(0, 3)}${'*'.repeat(phone.length - 5)}${phone.slice(-2)}`,
    });
    expect(await rowCount(t, 'users', 'phone', phone)).toBe(0);

    const code = await sms.codeFor(phone);
    const created = await verify({ phone: spaced, code });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ phone, phoneVerified: true, email: null, emailVerified: false, roles: ['user'] });
    expect(await pendingFor(phone)).toBe(0);
    expect((await login(t, phone, PASSWORD)).status).toBe(200);
  });

  it('refuses invalid input with per-field problems and stores nothing', async () => {
    const email = freshEmail();
    const valid = { email, password: PASSWORD, displayName: 'Valid' };
    const cases: [object, string, string][] = [
      [{ ...valid, email: 'not-an-email' }, 'validation_failed', 'email'],
      [{ password: PASSWORD, displayName: 'X', phone: '+49 123' }, 'validation_failed', 'phone'],
      [{ password: PASSWORD, displayName: 'X', phone: '015112345678' }, 'validation_failed', 'phone'],
      [{ ...valid, phone: freshPhone() }, 'validation_failed', 'email'],
      [{ password: PASSWORD, displayName: 'X' }, 'validation_failed', 'email'],
      [{ ...valid, password: 'short' }, 'validation_failed', 'password'],
      [{ ...valid, username: 'has space' }, 'validation_failed', 'username'],
      [{ ...valid, displayName: '   ' }, 'validation_failed', 'displayName'],
      [{ ...valid, profile: { nested: { deep: true } } }, 'validation_failed', 'profile'],
      [{ ...valid, isAdmin: true }, 'validation_failed', 'property isAdmin'],
      [{ ...valid, role: 'admin' }, 'role_not_self_assignable', ''],
      [{ ...valid, role: 'moderator' }, 'role_not_self_assignable', ''],
      [{ ...valid, role: 'no-such-role' }, 'role_not_self_assignable', ''],
    ];
    const challengesBefore = await countRows(t, 'otp_challenges');
    for (const [body, code, field] of cases) {
      const response = await register(body);
      expectProblem(response, 400, code);
      if (field) expect(JSON.stringify(response.body.errors)).toContain(field);
    }
    expect(await pendingFor(email)).toBe(0);
    expect(await countRows(t, 'otp_challenges')).toBe(challengesBefore);
    expect(await outboxTo(t, email)).toEqual([]);
  });

  it('refuses a wrong code, then ends the code at the third wrong one; nothing is created', async () => {
    const email = freshEmail();
    await register({ email, password: PASSWORD, displayName: 'Wrong' }).expect(202);
    const code = await mail.codeFor(email);
    const first = await verify({ email, code: otherCode(code) });
    expectProblem(first, 400, 'otp_invalid');
    expect(first.body.attemptsRemaining).toBe(2);
    expectProblem(await verify({ email, code: otherCode(otherCode(code)) }), 400, 'otp_invalid');
    expectProblem(await verify({ email, code: otherCode(otherCode(otherCode(code))) }), 400, 'otp_attempts_exhausted');
    // The fourth attempt fails even with the right code.
    expectProblem(await verify({ email, code }), 400, 'otp_attempts_exhausted');
    expect(await usersWithEmail(email)).toBe(0);
    expect(await pendingFor(email)).toBe(1);
  });

  it('refuses an expired code and creates nothing', async () => {
    const email = freshEmail();
    await register({ email, password: PASSWORD, displayName: 'Late' }).expect(202);
    const code = await mail.codeFor(email);
    advanceClock(t, otpTtlSeconds(t) + 1);
    const late = await verify({ email, code });
    expectProblem(late, 400, 'otp_expired');
    expect(await usersWithEmail(email)).toBe(0);
  });

  it('accepts a code once: a reused code is refused and no second account appears', async () => {
    const email = freshEmail();
    await register({ email, password: PASSWORD, displayName: 'Once' }).expect(202);
    const code = await mail.codeFor(email);
    await verify({ email, code }).expect(201);
    expectProblem(await verify({ email, code }), 400, 'otp_invalid');
    expect(await usersWithEmail(email)).toBe(1);
  });

  it("refuses another destination's code and a password reset code, creating nothing", async () => {
    const [a, b] = [freshEmail(), freshEmail()];
    await register({ email: a, password: PASSWORD, displayName: 'A' }).expect(202);
    await register({ email: b, password: PASSWORD, displayName: 'B' }).expect(202);
    const codeOfA = await mail.codeFor(a);
    expectProblem(await verify({ email: b, code: codeOfA }), 400, 'otp_invalid');
    expect(await usersWithEmail(b)).toBe(0);

    // An existing account gets a reset code; used for registration it proves nothing.
    const owner = await createUser(t);
    await t.http().post('/api/v1/auth/password/forgot').send({ email: owner.email }).expect(202);
    const resetCode = await mail.codeFor(owner.email);
    const before = await countRows(t, 'users');
    expectProblem(await verify({ email: owner.email, code: resetCode }), 400, 'otp_invalid');
    expect(await countRows(t, 'users')).toBe(before);
    // ...and it stays good for what it was sent for.
    const reset = await t
      .http()
      .post('/api/v1/auth/password/reset')
      .send({ email: owner.email, code: resetCode, newPassword: 'another long passphrase' });
    expect(reset.status).toBe(200);

    // A registration code does not reset a password either.
    expectProblem(
      await t.http().post('/api/v1/auth/password/reset').send({ email: a, code: codeOfA, newPassword: 'another long passphrase' }),
      400,
      'otp_invalid',
    );
    await verify({ email: a, code: codeOfA }).expect(201);
  });

  it('registering again replaces the pending registration and sends a new code, after the cooldown', async () => {
    const email = freshEmail();
    await register({ email, password: PASSWORD, displayName: 'First' }).expect(202);
    const firstCode = await mail.codeFor(email, { skip: 0 });

    const tooSoon = await register({ email, password: PASSWORD, displayName: 'Too soon' });
    expectProblem(tooSoon, 429, 'otp_cooldown');
    expect(Number(tooSoon.headers['retry-after'])).toBeGreaterThan(0);

    advanceClock(t, 61);
    const again = await register({ email, password: 'the second passphrase', displayName: 'Second' });
    expect(again.status).toBe(202);
    expect(await pendingFor(email)).toBe(1);
    const secondCode = await mail.codeFor(email, { skip: 1 });
    if (secondCode !== firstCode) expectProblem(await verify({ email, code: firstCode }), 400, 'otp_invalid');

    const created = await verify({ email, code: secondCode });
    expect(created.status).toBe(201);
    expect(created.body.user.displayName).toBe('Second');
    expect((await login(t, email, 'the second passphrase')).status).toBe(200);
    expect((await login(t, email, PASSWORD)).status).toBe(401);
  });

  it('resends a code for a pending registration, and answers the same when nothing is pending', async () => {
    const pendingEmail = freshEmail('r', 's');
    const unknownEmail = freshEmail('r', 's');
    await register({ email: pendingEmail, password: PASSWORD, displayName: 'Resent' }).expect(202);
    await mail.codeFor(pendingEmail, { skip: 0 });

    advanceClock(t, 61);
    const [resent, unknown] = [await resend({ email: pendingEmail }), await resend({ email: unknownEmail })];
    expect(resent.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(withoutExpiry(unknown.body)).toEqual(withoutExpiry(resent.body));
    expect(await outboxTo(t, unknownEmail)).toEqual([]);

    const code = await mail.codeFor(pendingEmail, { skip: 1 });
    await verify({ email: pendingEmail, code }).expect(201);
    expectProblem(await resend({ phone: 'nope' }), 400, 'validation_failed');
  });

  it('answers an existing email exactly like a new one and tells the owner instead; a taken username fails only at verify', async () => {
    const owner = await createUser(t, { email: freshEmail('o', 'q') });
    const unknownEmail = freshEmail('o', 'q');
    const body = { password: PASSWORD, displayName: 'Someone' };

    const forExisting = await register({ ...body, email: owner.email });
    const forUnknown = await register({ ...body, email: unknownEmail });
    expect(forExisting.status).toBe(202);
    expect(forUnknown.status).toBe(202);
    expect(forExisting.body.destination).toBe(forUnknown.body.destination);
    expect(withoutExpiry(forExisting.body)).toEqual(withoutExpiry(forUnknown.body));
    expect(forExisting.headers['content-type']).toBe(forUnknown.headers['content-type']);

    const notice = await mail.waitFor(owner.email);
    expect(notice.text).not.toMatch(CODE_PATTERN);
    expect((await outboxTo(t, owner.email)).map((message) => message.template)).toEqual(['account_exists']);
    expect(await pendingFor(owner.email)).toBe(0);
    expect(await usersWithEmail(owner.email)).toBe(1);
    // No code exists that could be verified.
    expectProblem(await verify({ email: owner.email, code: '000000' }), 400, 'otp_invalid');
    // Repeating it meets the same cooldown as for a new address.
    const repeatExisting = await register({ ...body, email: owner.email });
    const repeatUnknown = await register({ ...body, email: unknownEmail });
    expectProblem(repeatExisting, 429, 'otp_cooldown');
    expect({ ...repeatExisting.body, instance: null }).toEqual({ ...repeatUnknown.body, instance: null });

    // A taken username is not probed with an address one does not control: the registrant gets a
    // code like anyone, the owner hears nothing, and the name is refused once the address is proved.
    const withTakenName = freshEmail('o', 'q');
    const byName = await register({ ...body, email: withTakenName, username: owner.username.toUpperCase() });
    expect(withoutExpiry(byName.body)).toEqual(withoutExpiry(forUnknown.body));
    expectProblem(await verify({ email: withTakenName, code: await mail.codeFor(withTakenName) }), 409, 'username_taken');
    expect(await usersWithEmail(withTakenName)).toBe(0);
    expect((await outboxTo(t, owner.email)).map((message) => message.template)).toEqual(['account_exists']);
  });

  it('answers 409 when the email or username was taken between registering and verifying, keeping the code', async () => {
    const email = freshEmail();
    const username = `late-${Date.now()}`;
    await register({ email, username, password: PASSWORD, displayName: 'Slow' }).expect(202);
    const code = await mail.codeFor(email);
    const squatter = await createUser(t, { username });

    const taken = await verify({ email, code });
    expectProblem(taken, 409, 'username_taken');
    expect(await usersWithEmail(email)).toBe(0);
    expect(await pendingFor(email)).toBe(1);

    // Registering again with another username still needs the cooldown to pass; verifying the
    // kept code once the name is free again works.
    await t.app.get(DataSource).query('UPDATE user_auth SET username = NULL WHERE user_id = ?', [squatter.id]);
    await verify({ email, code }).expect(201);

    const other = freshEmail();
    await register({ email: other, password: PASSWORD, displayName: 'Other' }).expect(202);
    const otherCodeSent = await mail.codeFor(other);
    await createUser(t, { email: other });
    expectProblem(await verify({ email: other, code: otherCodeSent }), 409, 'account_exists');
    expect(await usersWithEmail(other)).toBe(1);
  });

  it('lets exactly one of 20 concurrent registrations of one email through, and verifying makes one account', async () => {
    const email = freshEmail();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) => register({ email, password: PASSWORD, displayName: `Racer ${index}` })),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status === 429)).toHaveLength(19);
    expect(await pendingFor(email)).toBe(1);

    const code = await mail.codeFor(email);
    await verify({ email, code }).expect(201);
    expect(await usersWithEmail(email)).toBe(1);
    expect(await pendingFor(email)).toBe(0);
  });

  it('lets exactly one of 10 concurrent verifications of one code create the account', async () => {
    const email = freshEmail();
    await register({ email, password: PASSWORD, displayName: 'Twin' }).expect(202);
    const code = await mail.codeFor(email);
    const responses = await Promise.all(Array.from({ length: 10 }, () => verify({ email, code })));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(400)]);
    for (const refused of responses.filter((response) => response.status === 400)) expect(refused.body.code).toBe('otp_invalid');
    expect(await usersWithEmail(email)).toBe(1);
    const userId = responses.find((response) => response.status === 201)!.body.user.id;
    expect(await rowCount(t, 'sessions', 'user_id', userId)).toBe(1);
  });

  it('limits sends per destination with 429 and Retry-After, the same for existing and unknown accounts', async () => {
    const owner = await createUser(t, { email: freshEmail('l', 'm') });
    const unknownEmail = freshEmail('l', 'm');
    const answers: Record<string, Response[]> = {};
    for (const email of [owner.email, unknownEmail]) {
      answers[email] = [];
      // Three sends a minute apart are allowed (RATE_LIMIT_OTP_DESTINATION 3/15m); the fourth is not.
      for (let send = 0; send < 4; send++) {
        if (send > 0) advanceClock(t, 61);
        answers[email].push(await register({ email, password: PASSWORD, displayName: 'Limit' }));
      }
    }
    for (const email of [owner.email, unknownEmail]) {
      expect(answers[email].map((response) => response.status)).toEqual([202, 202, 202, 429]);
      const limited = answers[email][3];
      expectProblem(limited, 429, 'otp_send_limit');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    }
    const [existing, unknown] = [answers[owner.email][3], answers[unknownEmail][3]];
    expect({ ...existing.body, instance: null }).toEqual({ ...unknown.body, instance: null });
    expect(Math.abs(Number(existing.headers['retry-after']) - Number(unknown.headers['retry-after']))).toBeLessThanOrEqual(2);
  });

  it('deletes expired pending registrations in the scheduled cleanup, and keeps live ones', async () => {
    const [expired, live] = [freshEmail(), freshEmail()];
    await register({ email: expired, password: PASSWORD, displayName: 'Expired' }).expect(202);
    advanceClock(t, otpTtlSeconds(t) - 60);
    await register({ email: live, password: PASSWORD, displayName: 'Live' }).expect(202);
    expect(await pendingFor(expired)).toBe(1);

    advanceClock(t, 61);
    await t.app.get(PendingRegistrationCleanupService).scheduledCleanup();
    expect(await pendingFor(expired)).toBe(0);
    expect(await pendingFor(live)).toBe(1);
  });
});
