import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import type { Response } from 'supertest';
import { Clock } from '@identity/common';
import { bearer, createUser, login, signedIn, TestUser } from './support/accounts';
import { MailCatcher, startMailCatcher } from './support/mail-catcher';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { dialect, startTestApp, TestApp } from './support/test-app';

const PROBLEM = /^application\/problem\+json/;
const WRONG = 'not the password at all';
let sequence = 0;
const unknownEmail = () => `nobody${process.pid}-${++sequence}-${Date.now() % 1e6}@example.com`;

const expectProblem = (response: Response, status: number, code: string) => {
  expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
  expect(response.headers['content-type']).toMatch(PROBLEM);
};

/** What a client sees of an answer, without the request-specific instance. */
const visible = (response: Response) => ({ status: response.status, body: { ...response.body, instance: undefined } });

const loginFrom = (t: TestApp, ip: string, identifier: string, password = WRONG) =>
  t.http().post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ identifier, password });

describe('route throttling per IP, identifier and pair', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({
      RATE_LIMIT_ROUTES: 'true',
      RATE_LIMIT_LOGIN: 'ip=8/1m,identifier=4/1m,pair=3/1m',
      // One proxy hop is believed here, so X-Forwarded-For stands for distinct clients.
      TRUST_PROXY: '1',
      LOCKOUT_MAX_ATTEMPTS: '100',
    });
  });
  after(() => t?.close());

  it('limits one client on one account, with RateLimit headers and a 429 problem with Retry-After', async () => {
    const email = unknownEmail();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await loginFrom(t, '198.51.100.1', email));
    expect(answers.slice(0, 3).map((answer) => answer.status)).toEqual([401, 401, 401]);
    expect(answers[0].headers['ratelimit-limit']).toBe('3');
    expect(answers[0].headers['ratelimit-remaining']).toBe('2');
    expect(answers[0].headers['ratelimit-policy']).toBe('3;w=60');
    expectProblem(answers[3], 429, 'rate_limited');
    expect(Number(answers[3].headers['retry-after'])).toBeGreaterThan(0);
    expect(answers[3].headers['ratelimit-remaining']).toBe('0');
  });

  it('limits one account across clients, whatever case, spaces or phone format it is written in', async () => {
    const user = await createUser(t);
    const spellings = [user.email.toUpperCase(), ` ${user.email} `, user.email.normalize('NFKD'), user.email];
    const statuses = [];
    for (const [index, spelling] of spellings.entries()) statuses.push((await loginFrom(t, `198.51.100.${10 + index}`, spelling)).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
    expectProblem(await loginFrom(t, '198.51.100.20', user.email, user.password), 429, 'rate_limited');

    const phoneSpellings = [user.phone, user.phone.replace(/^(\+\d{2})(\d{3})/, '$1 $2 '), user.phone, user.phone];
    for (const [index, spelling] of phoneSpellings.entries()) await loginFrom(t, `198.51.100.${30 + index}`, spelling);
    expectProblem(await loginFrom(t, '198.51.100.40', user.phone), 429, 'rate_limited');
  });

  it('limits one client across accounts', async () => {
    const statuses = [];
    for (let i = 0; i < 9; i++) statuses.push((await loginFrom(t, '203.0.113.7', unknownEmail())).status);
    expect(statuses).toEqual([...Array(8).fill(401), 429]);
  });

  it('throttles nothing outside the limited families', async () => {
    const user = await createUser(t);
    const { accessToken } = await signedIn(t, user);
    for (let i = 0; i < 20; i++)
      await t.http().get('/api/v1/me').set('X-Forwarded-For', '203.0.113.7').set(bearer(accessToken)).expect(200);
  });
});

describe('a forged X-Forwarded-For buys no new bucket', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ RATE_LIMIT_ROUTES: 'true', RATE_LIMIT_LOGIN: 'ip=3/1m', TRUST_PROXY: '0' });
  });
  after(() => t?.close());

  it('counts the connection address when no proxy is trusted', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await loginFrom(t, `192.0.2.${i}`, unknownEmail())).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('lockout per identifier', () => {
  let t: TestApp;
  let mail: MailCatcher;
  let admin: TestUser;

  before(async () => {
    mail = await startMailCatcher();
    t = await startTestApp({ MAIL_URL: mail.url, LOCKOUT_MAX_ATTEMPTS: '5', LOCKOUT_DURATION: '15m', RATE_LIMIT_OTP_IP: '1000/15m' });
    admin = await createUser(t, { roles: ['admin'] });
  });
  after(async () => {
    await t?.close();
    await mail?.stop();
  });

  it('locks an account after five failures, and an unknown identifier exactly alike', async () => {
    const user = await createUser(t);
    const unknown = unknownEmail();
    for (let i = 0; i < 5; i++) {
      expectProblem(await login(t, user.email, WRONG), 401, 'invalid_credentials');
      expectProblem(await login(t, unknown, WRONG), 401, 'invalid_credentials');
    }
    const locked = await login(t, user.email, user.password);
    const lockedUnknown = await login(t, unknown, WRONG);
    expectProblem(locked, 429, 'too_many_attempts');
    expect(visible(locked)).toEqual(visible(lockedUnknown));
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    // Another spelling of the same identifier is the same counter.
    expectProblem(await login(t, ` ${user.email.toUpperCase()}`, user.password), 429, 'too_many_attempts');
  });

  it('counts all of 50 parallel wrong passwords: five are checked, the rest and the right one refused', async () => {
    const user = await createUser(t);
    const answers = await Promise.all(Array.from({ length: 50 }, () => login(t, user.username, WRONG)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(45);
    expectProblem(await login(t, user.username, user.password), 429, 'too_many_attempts');
  });

  it('leaves recovery open: a reset code to the verified address sets a password that works at once', async () => {
    const user = await createUser(t);
    for (let i = 0; i < 6; i++) await login(t, user.email, WRONG);
    expectProblem(await login(t, user.email, user.password), 429, 'too_many_attempts');
    await t.http().post('/api/v1/auth/password/forgot').send({ email: user.email }).expect(202);
    const code = await mail.codeFor(user.email);
    const newPassword = 'recovered and long enough';
    await t.http().post('/api/v1/auth/password/reset').send({ email: user.email, code, newPassword }).expect(200);
    expect((await login(t, user.email, newPassword)).status).toBe(200);
  });

  it('locks code sign-in after five wrong codes, even across fresh codes', async () => {
    const user = await createUser(t);
    const wrongCode = async () => {
      await t.http().post('/api/v1/auth/otp/request').send({ email: user.email }).expect(202);
      const code = await mail.codeFor(user.email, { skip: mail.count(user.email) });
      return { code, wrong: code === '000000' ? '111111' : '000000' };
    };
    let issued = await wrongCode();
    for (let i = 0; i < 3; i++) await t.http().post('/api/v1/auth/otp/verify').send({ email: user.email, code: issued.wrong });
    // Past the spent code's life, for a fresh one (forward only: the outbox reads this clock too).
    t.app.get(Clock).offsetMs += 601_000;
    issued = await wrongCode();
    for (let i = 0; i < 2; i++)
      expectProblem(await t.http().post('/api/v1/auth/otp/verify').send({ email: user.email, code: issued.wrong }), 400, 'otp_invalid');
    // Five wrong codes so far: the right one is refused too.
    expectProblem(await t.http().post('/api/v1/auth/otp/verify').send({ email: user.email, code: issued.code }), 429, 'too_many_attempts');
  });

  it('is lifted by an admin', async () => {
    const user = await createUser(t);
    for (let i = 0; i < 6; i++) await login(t, user.phone, WRONG);
    // The count is per identifier: the same account by its email is not locked.
    expect((await login(t, user.email, user.password)).status).toBe(200);
    expectProblem(await login(t, user.phone, user.password), 429, 'too_many_attempts');
    const { accessToken } = await signedIn(t, admin);
    await t.http().post(`/api/v1/admin/users/${user.id}/unlock`).set(bearer(accessToken)).expect(204);
    expect((await login(t, user.phone, user.password)).status).toBe(200);
  });
});

describe('limits and lockouts across instances sharing Redis', () => {
  let database: ScratchDatabase;
  let first: TestApp;
  let second: TestApp;

  before(async () => {
    database = await createScratchDatabase(dialect);
    const settings = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      RATE_LIMIT_ROUTES: 'true',
      RATE_LIMIT_LOGIN: 'ip=1000/1m,identifier=1000/1m,pair=3/1m',
      TRUST_PROXY: '1',
    };
    first = await startTestApp(settings, database);
    second = await startTestApp(settings, database);
  });
  after(async () => {
    await first?.close();
    await second?.close();
    await database?.drop();
  });

  it('counts a lockout on both instances', async () => {
    const identifier = unknownEmail();
    for (let i = 0; i < 5; i++) await loginFrom(i % 2 ? first : second, `198.18.0.${i}`, identifier);
    expectProblem(await loginFrom(first, '198.18.0.100', identifier), 429, 'too_many_attempts');
    expectProblem(await loginFrom(second, '198.18.0.101', identifier), 429, 'too_many_attempts');
  });

  it('counts a rate limit on both instances', async () => {
    const identifier = unknownEmail();
    await loginFrom(first, '198.18.1.1', identifier).expect(401);
    await loginFrom(second, '198.18.1.1', identifier).expect(401);
    await loginFrom(first, '198.18.1.1', identifier).expect(401);
    expectProblem(await loginFrom(second, '198.18.1.1', identifier), 429, 'rate_limited');
  });
});

describe('when Redis is unreachable', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_ROUTES: 'true', RATE_LIMIT_LOGIN: 'ip=1000/1m,pair=3/1m' });
  });
  after(() => t?.close());

  it('falls back to this instance’s counters: limited, never unlimited', async () => {
    const identifier = unknownEmail();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await login(t, identifier, WRONG)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
