import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { countRows, createUser, deactivate, login, TestUser } from './support/accounts';
import { DataSource } from 'typeorm';
import { createScratchDatabase } from './support/scratch-database';
import { dialect, startTestApp, TestApp } from './support/test-app';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timeLogin(t: TestApp, identifier: string, password: string): Promise<number> {
  const started = process.hrtime.bigint();
  await login(t, identifier, password);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

describe('password sign-in (POST /api/v1/auth/login)', () => {
  let t: TestApp;
  let user: TestUser;

  before(async () => {
    // Real OWASP argon2 cost here, so the timing comparison measures what production does.
    // Lockouts off: the timing comparison repeats failures on one account far beyond the lockout.
    t = await startTestApp({ ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2', RATE_LIMIT_ENABLED: 'false' });
    user = await createUser(t, { username: 'CS-2026-042' });
  });
  after(() => t?.close());

  it('accepts an email, in any case and with surrounding spaces', async () => {
    const response = await login(t, `  ${user.email.toUpperCase()} `, user.password);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, sessionId: expect.any(String) });
    expect(response.body.user).toMatchObject({
      id: user.id,
      email: user.email,
      username: 'cs-2026-042',
      roles: ['user'],
      emailVerified: true,
    });
    expect(response.body.user.lastLoginAt).not.toBeNull();
  });

  it('accepts an E.164 phone number', async () => {
    const response = await login(t, user.phone, user.password);
    expect(response.status).toBe(200);
    expect(response.body.user.id).toBe(user.id);
  });

  it('accepts a username / roll number, case-insensitively', async () => {
    const response = await login(t, 'cs-2026-042', user.password);
    expect(response.status).toBe(200);
    expect(response.body.user.id).toBe(user.id);
  });

  it('never returns a password hash or other secret in the user', async () => {
    const response = await login(t, user.email, user.password);
    expect(JSON.stringify(response.body.user)).not.toMatch(/argon2|password|hash/i);
  });

  it('answers wrong password, unknown identifier and deactivated account identically', async () => {
    const inactive = await createUser(t);
    await deactivate(t, inactive.id);
    const sessionsBefore = await countRows(t, 'sessions');
    const responses = await Promise.all([
      login(t, user.email, 'wrong password entirely'),
      login(t, 'nobody-here@example.com', 'wrong password entirely'),
      login(t, 'no-such-roll-number', 'wrong password entirely'),
      login(t, inactive.email, inactive.password),
    ]);
    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toEqual({
        type: 'about:blank',
        title: 'Invalid credentials',
        status: 401,
        detail: 'The identifier or password is incorrect.',
        code: 'invalid_credentials',
        instance: '/api/v1/auth/login',
      });
    }
    expect(await countRows(t, 'sessions')).toBe(sessionsBefore);
  });

  it('takes comparable time for unknown users and wrong passwords (dummy argon2 verify)', async () => {
    await timeLogin(t, 'warm-up@example.com', 'x');
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 9; i++) {
      wrong.push(await timeLogin(t, user.email, `wrong-${i}`));
      unknown.push(await timeLogin(t, `ghost-${i}@example.com`, `wrong-${i}`));
    }
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
  });

  it('rejects a missing or malformed body with a field list', async () => {
    const response = await t.http().post('/api/v1/auth/login').send({ identifier: 42, extra: true });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
    const fields = response.body.errors.map((error: { field: string }) => error.field).sort();
    expect(fields).toEqual(['extra', 'identifier', 'password']);
  });
});

describe('argon2 parameter upgrades', () => {
  it('rehashes a password made with old parameters at the next successful sign-in', async () => {
    const database = await createScratchDatabase(dialect);
    const storedHash = async (t: TestApp, userId: string) => {
      const [row] = await t.app.get(DataSource).query('SELECT password_hash AS hash FROM user_auth WHERE user_id = ?', [userId]);
      return row.hash as string;
    };
    let user: TestUser;
    let oldHash: string;
    const before = await startTestApp({ ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1' }, database);
    try {
      user = await createUser(before);
      oldHash = await storedHash(before, user.id);
      expect(oldHash).toContain('m=8192,p=1,t=1');
    } finally {
      await before.close();
    }
    const after = await startTestApp({ ARGON2_MEMORY_KIB: '9216', ARGON2_TIME_COST: '2' }, database);
    try {
      expect((await login(after, user.email, 'wrong password here')).status).toBe(401);
      expect(await storedHash(after, user.id)).toBe(oldHash);
      expect((await login(after, user.email, user.password)).status).toBe(200);
      expect(await storedHash(after, user.id)).toContain('m=9216,p=1,t=2');
      expect((await login(after, user.email, user.password)).status).toBe(200);
    } finally {
      await after.close();
      await database.drop();
    }
  });
});
