import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { generateSync } from 'otplib';
import { DataSource } from 'typeorm';
import { Clock } from '@identity/common';
import { bearer, createUser, login, signedIn, TestUser } from './support/accounts';
import { advanceClock, freshEmail, rowCount } from './support/code-flows';
import { captureLogs, LogCapture } from './support/log-capture';
import { MailCatcher, startMailCatcher } from './support/mail-catcher';
import { startTestApp, TestApp } from './support/test-app';

const MFA_TOKEN_TTL_SECONDS = 300;
const MFA_MAX_ATTEMPTS = 5;
const REAUTH_WINDOW_SECONDS = 300;
const TOTP_STEP_SECONDS = 30;
const PROBLEM_JSON = /^application\/problem\+json/;

interface Enrolled {
  secret: string;
  recoveryCodes: string[];
  accessToken: string;
}

const claimsOf = (accessToken: string) => JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8'));

/**
 * Two-step verification end to end. TOTP codes are computed here from the enrolment secret at the
 * service clock's time; since a code is accepted once, each new code moves the clock a step
 * forward (never back: the outbox dispatcher reads the same clock).
 */
describe('two-step verification (TOTP and recovery codes) and step-up', () => {
  let mail: MailCatcher;
  let t: TestApp;
  let log: LogCapture;
  /** Every secret, code and token this suite handled, to prove none reaches a log or the audit trail. */
  const secrets: string[] = [];

  before(async () => {
    mail = await startMailCatcher();
    // Every request comes from 127.0.0.1: the per-IP send limit would end the suite early.
    t = await startTestApp({ MAIL_URL: mail.url, RATE_LIMIT_OTP_IP: '1000/15m' });
    log = captureLogs(t);
  });
  after(async () => {
    await t?.close();
    await mail?.stop();
  });

  const post = (path: string, token: string | null, body: Record<string, unknown> = {}) => {
    const request = t.http().post(`/api/v1${path}`);
    return (token ? request.set(bearer(token)) : request).send(body);
  };
  const get = (path: string, token: string) => t.http().get(`/api/v1${path}`).set(bearer(token));
  const expectProblem = (
    response: { status: number; headers: Record<string, string>; body: { code: string } },
    status: number,
    code: string,
  ) => {
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
  };
  const sessionsOf = (userId: string) => rowCount(t, 'sessions', 'user_id', userId);
  const auditActions = async (userId: string) =>
    (
      (await t.app.get(DataSource).query('SELECT action FROM audit_logs WHERE user_id = ? ORDER BY created_at, id', [userId])) as {
        action: string;
      }[]
    ).map((row) => row.action);

  /** A code of a time step not used yet: the clock moves one step on first. */
  const freshCode = (secret: string) => {
    advanceClock(t, TOTP_STEP_SECONDS);
    const code = generateSync({ secret, epoch: Math.floor(t.app.get(Clock).now().getTime() / 1000) });
    secrets.push(code);
    return code;
  };

  /** A six-digit code the authenticator does not show in any step accepted now. */
  const wrongCode = (secret: string) => {
    const now = Math.floor(t.app.get(Clock).now().getTime() / 1000);
    const accepted = [-1, 0, 1].map((step) => generateSync({ secret, epoch: now + step * TOTP_STEP_SECONDS }));
    return ['000000', '111111', '222222', '333333'].find((code) => !accepted.includes(code))!;
  };

  async function enrol(user: TestUser): Promise<Enrolled> {
    const { accessToken } = await signedIn(t, user);
    const started = await post('/me/mfa/totp', accessToken).expect(200);
    const secret = started.body.secret as string;
    const confirmed = await post('/me/mfa/totp/confirm', accessToken, { code: freshCode(secret) }).expect(200);
    secrets.push(secret, ...confirmed.body.recoveryCodes);
    return { secret, recoveryCodes: confirmed.body.recoveryCodes, accessToken };
  }

  /** Signs in with the password, expecting the second step; returns the mfaToken. */
  async function firstFactor(user: TestUser): Promise<string> {
    const response = await login(t, user.email, user.password);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      mfaRequired: true,
      mfaToken: expect.any(String),
      methods: ['totp', 'recovery_code'],
      expiresIn: MFA_TOKEN_TTL_SECONDS,
    });
    secrets.push(response.body.mfaToken);
    return response.body.mfaToken;
  }

  const verify = (mfaToken: string, code: string) => post('/auth/mfa/verify', null, { mfaToken, code });

  it('enrols, then a password sign-in stops at mfaRequired until the right authenticator code, and the tokens name both factors', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    expect((await get('/me/mfa', accessToken).expect(200)).body).toEqual({
      enabled: false,
      pendingEnrolment: false,
      enabledAt: null,
      recoveryCodesLeft: 0,
      methods: [],
    });

    const started = await post('/me/mfa/totp', accessToken).expect(200);
    expect(started.body).toEqual({
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      otpauthUri: expect.any(String),
      qrCodeDataUrl: expect.any(String),
    });
    const secret: string = started.body.secret;
    secrets.push(secret);
    expect(started.body.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(started.body.otpauthUri).toContain(`secret=${secret}`);
    expect(started.body.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
    expect((await get('/me/mfa', accessToken)).body).toMatchObject({ enabled: false, pendingEnrolment: true });
    // Pending: sign-in still needs one factor.
    expect((await login(t, user.email, user.password)).body.accessToken).toEqual(expect.any(String));

    expectProblem(await post('/me/mfa/totp/confirm', accessToken, { code: wrongCode(secret) }), 400, 'mfa_code_invalid');
    const confirmed = await post('/me/mfa/totp/confirm', accessToken, { code: freshCode(secret) }).expect(200);
    const recoveryCodes: string[] = confirmed.body.recoveryCodes;
    secrets.push(...recoveryCodes);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect((await get('/me', accessToken)).body.mfaEnabled).toBe(true);
    expect((await get('/me/mfa', accessToken)).body).toMatchObject({
      enabled: true,
      recoveryCodesLeft: 10,
      methods: ['totp', 'recovery_code'],
    });

    const sessionsBefore = await sessionsOf(user.id);
    const mfaToken = await firstFactor(user);
    expect(await sessionsOf(user.id)).toBe(sessionsBefore);

    const wrong = await verify(mfaToken, wrongCode(secret));
    expectProblem(wrong, 400, 'mfa_code_invalid');
    expect(wrong.body.attemptsRemaining).toBe(MFA_MAX_ATTEMPTS - 1);
    expect(await sessionsOf(user.id)).toBe(sessionsBefore);

    const signedInFully = await verify(mfaToken, freshCode(secret));
    expect(signedInFully.status).toBe(200);
    expect(signedInFully.body).toMatchObject({
      tokenType: 'Bearer',
      refreshToken: expect.any(String),
      user: { id: user.id, mfaEnabled: true },
    });
    secrets.push(signedInFully.body.accessToken, signedInFully.body.refreshToken);
    const claims = claimsOf(signedInFully.body.accessToken);
    expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
    expect(claims.acr).toBe('aal2');
    expect(claims.auth_time).toEqual(expect.any(Number));
    expect(await sessionsOf(user.id)).toBe(sessionsBefore + 1);
    await get('/me', signedInFully.body.accessToken).expect(200);

    // A refresh keeps what the sign-in proved.
    const refreshed = await post('/auth/refresh', null, { refreshToken: signedInFully.body.refreshToken }).expect(200);
    expect(claimsOf(refreshed.body.accessToken).amr).toEqual(claims.amr);

    expect(await auditActions(user.id)).toEqual(expect.arrayContaining(['mfa.enrolled', 'mfa.failed', 'mfa.verified']));
  });

  it('stores the TOTP secret encrypted and the recovery codes only as hashes', async () => {
    const user = await createUser(t);
    const { secret, recoveryCodes } = await enrol(user);
    const [row] = await t.app.get(DataSource).query('SELECT totp_secret, recovery_codes FROM user_mfa WHERE user_id = ?', [user.id]);
    expect(row.totp_secret).toMatch(/^v1\./);
    expect(row.totp_secret).not.toContain(secret);
    const stored = JSON.stringify(row);
    for (const code of recoveryCodes) expect(stored).not.toContain(code.replace('-', ''));
    expect(stored).not.toContain(recoveryCodes[0]);
  });

  it('accepts a TOTP code once: the same code within its window is refused for the next sign-in', async () => {
    const user = await createUser(t);
    const { secret } = await enrol(user);
    const code = freshCode(secret);
    await verify(await firstFactor(user), code).expect(200);
    expectProblem(await verify(await firstFactor(user), code), 400, 'mfa_code_invalid');
    await verify(await firstFactor(user), freshCode(secret)).expect(200);
  });

  it('accepts each recovery code once, typed in any case and without its dash', async () => {
    const user = await createUser(t);
    const { recoveryCodes, accessToken } = await enrol(user);
    const first = await verify(await firstFactor(user), recoveryCodes[0]);
    expect(first.status).toBe(200);
    expect(claimsOf(first.body.accessToken).amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
    expectProblem(await verify(await firstFactor(user), recoveryCodes[0]), 400, 'mfa_code_invalid');
    await verify(await firstFactor(user), recoveryCodes[1].toUpperCase().replace('-', '')).expect(200);
    expect((await get('/me/mfa', accessToken)).body.recoveryCodesLeft).toBe(8);
    expect((await auditActions(user.id)).filter((action) => action === 'mfa.recovery_code_used')).toHaveLength(2);
  });

  it('replaces the recovery codes for a current authenticator code', async () => {
    const user = await createUser(t);
    const { secret, recoveryCodes, accessToken } = await enrol(user);
    expectProblem(await post('/me/mfa/recovery-codes', accessToken, { code: wrongCode(secret) }), 400, 'mfa_code_invalid');
    const replaced = await post('/me/mfa/recovery-codes', accessToken, { code: freshCode(secret) }).expect(200);
    secrets.push(...replaced.body.recoveryCodes);
    expect(replaced.body.recoveryCodes).toHaveLength(10);
    expectProblem(await verify(await firstFactor(user), recoveryCodes[2]), 400, 'mfa_code_invalid');
    await verify(await firstFactor(user), replaced.body.recoveryCodes[2]).expect(200);
  });

  it('stops an email-code sign-in of an MFA account at mfaRequired too, with no session until the second factor', async () => {
    const user = await createUser(t);
    const { secret } = await enrol(user);
    const sessionsBefore = await sessionsOf(user.id);
    const mailsBefore = mail.count(user.email);
    await post('/auth/otp/request', null, { email: user.email }).expect(202);
    const emailCode = await mail.codeFor(user.email, { skip: mailsBefore });
    secrets.push(emailCode);
    const first = await post('/auth/otp/verify', null, { email: user.email, code: emailCode });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      mfaRequired: true,
      mfaToken: expect.any(String),
      methods: ['totp', 'recovery_code'],
      expiresIn: MFA_TOKEN_TTL_SECONDS,
    });
    expect(await sessionsOf(user.id)).toBe(sessionsBefore);

    const done = await verify(first.body.mfaToken, freshCode(secret)).expect(200);
    expect(claimsOf(done.body.accessToken).amr).toEqual(expect.arrayContaining(['email', 'otp', 'mfa']));
    expect(await sessionsOf(user.id)).toBe(sessionsBefore + 1);
  });

  it('uses an mfaToken once: of ten concurrent verifies exactly one signs in', async () => {
    const user = await createUser(t);
    const { secret } = await enrol(user);
    const mfaToken = await firstFactor(user);
    const code = freshCode(secret);
    const sessionsBefore = await sessionsOf(user.id);
    const answers = await Promise.all(Array.from({ length: 10 }, () => verify(mfaToken, code)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status >= 400 && status < 500)).toHaveLength(9);
    expect(await sessionsOf(user.id)).toBe(sessionsBefore + 1);
    expectProblem(await verify(mfaToken, freshCode(secret)), 401, 'mfa_token_invalid');
  });

  it('lets an mfaToken expire, and spends it after too many wrong codes', async () => {
    const user = await createUser(t);
    const { secret } = await enrol(user);
    const expiring = await firstFactor(user);
    advanceClock(t, MFA_TOKEN_TTL_SECONDS + 1);
    expectProblem(await verify(expiring, freshCode(secret)), 401, 'mfa_token_invalid');

    const guessed = await firstFactor(user);
    for (let attempt = 1; attempt <= MFA_MAX_ATTEMPTS; attempt++) {
      expectProblem(await verify(guessed, 'aaaaa-aaaaa'), 400, 'mfa_code_invalid');
    }
    expectProblem(await verify(guessed, freshCode(secret)), 401, 'mfa_token_invalid');
    expectProblem(await verify('x'.repeat(43), freshCode(secret)), 401, 'mfa_token_invalid');
  });

  it('counts wrong second factors toward the account lockout across sign-ins, until an admin unlocks it', async () => {
    const user = await createUser(t);
    const { secret } = await enrol(user);
    const first = await firstFactor(user);
    for (let attempt = 1; attempt <= MFA_MAX_ATTEMPTS; attempt++)
      expectProblem(await verify(first, wrongCode(secret)), 400, 'mfa_code_invalid');
    const second = await firstFactor(user);
    const locked = await verify(second, freshCode(secret));
    expectProblem(locked, 429, 'too_many_attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);

    const admin = await createUser(t, { roles: ['admin'] });
    const { accessToken: adminToken } = await signedIn(t, admin);
    await t.http().post(`/api/v1/admin/users/${user.id}/unlock`).set(bearer(adminToken)).expect(204);
    await verify(second, freshCode(secret)).expect(200);
  });

  it('refuses an email change without a recent authentication, and allows it after POST /auth/reauthenticate', async () => {
    const user = await createUser(t);
    const { secret } = await enrol(user);
    const { accessToken } = (await verify(await firstFactor(user), freshCode(secret)).expect(200)).body;
    const address = freshEmail('m');
    advanceClock(t, REAUTH_WINDOW_SECONDS + 1);
    expectProblem(await post('/me/email', accessToken, { email: address }), 401, 'reauthentication_required');
    // With MFA on, the password alone is less than the sign-in was.
    expectProblem(
      await post('/me/email', accessToken, { email: address, currentPassword: user.password }),
      401,
      'reauthentication_required',
    );
    expectProblem(await post('/auth/reauthenticate', accessToken, { password: user.password }), 400, 'validation_failed');
    expectProblem(await post('/auth/reauthenticate', accessToken, { code: wrongCode(secret) }), 400, 'mfa_code_invalid');

    const again = await post('/auth/reauthenticate', accessToken, { code: freshCode(secret) }).expect(200);
    expect(new Date(again.body.recentUntil).getTime() - new Date(again.body.authTime).getTime()).toBe(REAUTH_WINDOW_SECONDS * 1000);
    await post('/me/email', accessToken, { email: address }).expect(202);
    expect(await auditActions(user.id)).toContain('reauthenticated');
  });

  it('asks an MFA account for a recent authentication before a password change, the current password notwithstanding', async () => {
    const user = await createUser(t);
    const { secret } = await enrol(user);
    const { accessToken } = (await verify(await firstFactor(user), freshCode(secret)).expect(200)).body;
    advanceClock(t, REAUTH_WINDOW_SECONDS + 1);
    const change = () =>
      post('/me/password', accessToken, { currentPassword: user.password, newPassword: 'another quite long passphrase' });
    expectProblem(await change(), 401, 'reauthentication_required');
    await post('/auth/reauthenticate', accessToken, { code: freshCode(secret) }).expect(200);
    await change().expect(204);
  });

  it('re-authenticates an account without MFA by its password', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    advanceClock(t, REAUTH_WINDOW_SECONDS + 1);
    expectProblem(await post('/me/email', accessToken, { email: freshEmail('p') }), 401, 'reauthentication_required');
    expectProblem(await post('/auth/reauthenticate', accessToken, { password: 'not the password' }), 403, 'current_password_incorrect');
    await post('/auth/reauthenticate', accessToken, { password: user.password }).expect(200);
    await post('/me/email', accessToken, { email: freshEmail('p') }).expect(202);
  });

  it('turns MFA off only with a code and a recent authentication; then sign-in needs one factor again', async () => {
    const user = await createUser(t);
    const { secret, recoveryCodes } = await enrol(user);
    const { accessToken } = (await verify(await firstFactor(user), freshCode(secret)).expect(200)).body;
    const turnOff = (code: string) => t.http().delete('/api/v1/me/mfa/totp').set(bearer(accessToken)).send({ code });
    expectProblem(await turnOff(wrongCode(secret)), 400, 'mfa_code_invalid');
    advanceClock(t, REAUTH_WINDOW_SECONDS + 1);
    expectProblem(await turnOff(recoveryCodes[0]), 401, 'reauthentication_required');
    await post('/auth/reauthenticate', accessToken, { code: freshCode(secret) }).expect(200);
    await turnOff(recoveryCodes[0]).expect(204);
    expect((await get('/me/mfa', accessToken)).body.enabled).toBe(false);
    expect((await login(t, user.email, user.password)).body.accessToken).toEqual(expect.any(String));
    expect(await auditActions(user.id)).toContain('mfa.disabled');
  });

  it('asks for the second factor after a password reset by code too', async () => {
    const user = await createUser(t);
    const { secret } = await enrol(user);
    const mailsBefore = mail.count(user.email);
    await post('/auth/password/forgot', null, { email: user.email }).expect(202);
    const code = await mail.codeFor(user.email, { skip: mailsBefore });
    const reset = await post('/auth/password/reset', null, { email: user.email, code, newPassword: 'a new and long passphrase' });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ mfaRequired: true });
    expect(reset.body.accessToken).toBeUndefined();
    await verify(reset.body.mfaToken, freshCode(secret)).expect(200);
  });

  it('shows admins whether a user has MFA and lets them reset it, audited, with a notice to the user', async () => {
    const admin = await createUser(t, { roles: ['admin'] });
    const user = await createUser(t);
    await enrol(user);
    const { accessToken: adminToken } = await signedIn(t, admin);
    expect((await get(`/admin/users/${user.id}`, adminToken).expect(200)).body.mfaEnabled).toBe(true);

    const reset = () => t.http().delete(`/api/v1/admin/users/${user.id}/mfa`).set(bearer(adminToken));
    const { accessToken: plainToken } = await signedIn(t, await createUser(t));
    await t.http().delete(`/api/v1/admin/users/${user.id}/mfa`).set(bearer(plainToken)).expect(403);

    const mailsBefore = mail.count(user.email);
    await reset().expect(204);
    expect((await get(`/admin/users/${user.id}`, adminToken)).body.mfaEnabled).toBe(false);
    const notice = await mail.waitFor(user.email, { skip: mailsBefore });
    expect(notice.subject).toContain('Two-step verification was turned off');
    expect((await login(t, user.email, user.password)).body.accessToken).toEqual(expect.any(String));
    const [event] = await t.app
      .get(DataSource)
      .query('SELECT actor_id AS actorId, success FROM audit_logs WHERE user_id = ? AND action = ?', [user.id, 'mfa.reset']);
    expect(event.actorId).toBe(admin.id);
    expectProblem(await reset(), 409, 'mfa_not_enabled');

    // Admin changes need a recent authentication of the admin's session too.
    advanceClock(t, REAUTH_WINDOW_SECONDS + 1);
    expectProblem(await reset(), 401, 'reauthentication_required');
    await post('/auth/reauthenticate', adminToken, { password: admin.password }).expect(200);
    expectProblem(await reset(), 409, 'mfa_not_enabled');
  });

  it('writes no secret, code or token to the log or the audit trail', async () => {
    expect(secrets.length).toBeGreaterThan(20);
    expect(log.lines.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([]);
    const audit = JSON.stringify(await t.app.get(DataSource).query('SELECT metadata, error_code FROM audit_logs'));
    expect(secrets.filter((secret) => audit.includes(secret))).toEqual([]);
  });
});
