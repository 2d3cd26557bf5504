import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createUser, TestUser } from './support/accounts';
import { startTestApp, TestApp } from './support/test-app';

const SAMPLES = 200;
/** |t| above this is a difference at p < 0.001 (two-sided, large samples). */
const CRITICAL_T = 3.29;

/** Drops the slowest and fastest 10 %: one GC pause or scheduler hiccup must not decide the test. */
function trimmed(samples: number[]): number[] {
  const sorted = [...samples].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length * 0.1);
  return sorted.slice(cut, sorted.length - cut);
}

/** Welch's t statistic for the difference of two means. */
function welchT(a: number[], b: number[]): number {
  const mean = (xs: number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const variance = (xs: number[], m: number) => xs.reduce((sum, x) => sum + (x - m) ** 2, 0) / (xs.length - 1);
  const [ma, mb] = [mean(a), mean(b)];
  return (ma - mb) / Math.sqrt(variance(a, ma) / a.length + variance(b, mb) / b.length);
}

/**
 * Times `known` and `unknown` requests alternately, so drift in machine load hits both alike,
 * and asserts that their answers are identical and their times not significantly different.
 */
async function compare(
  known: (i: number) => Promise<{ status: number; body: unknown }>,
  unknown: (i: number) => Promise<{ status: number; body: unknown }>,
) {
  const times: { known: number[]; unknown: number[] } = { known: [], unknown: [] };
  const timed = async (call: () => Promise<{ status: number; body: unknown }>, into: number[]) => {
    const start = process.hrtime.bigint();
    const response = await call();
    into.push(Number(process.hrtime.bigint() - start) / 1e6);
    return response;
  };
  for (let i = 0; i < SAMPLES; i++) {
    const [a, b] = i % 2 ? [known, unknown] : [unknown, known];
    const first = await timed(() => a(i), a === known ? times.known : times.unknown);
    const second = await timed(() => b(i), b === known ? times.known : times.unknown);
    expect(second.status).toBe(first.status);
  }
  return welchT(trimmed(times.known), trimmed(times.unknown));
}

const withoutVolatile = (body: Record<string, unknown>) => ({ ...body, instance: undefined, expiresAt: typeof body.expiresAt });

describe('existing and unknown accounts take the same time', () => {
  let t: TestApp;
  const users: TestUser[] = [];

  before(async () => {
    // Production hashing cost, so the dummy verify is measured for real; lockouts, send limits
    // and the resend cooldown off, since every sample repeats a failure or a send.
    t = await startTestApp({
      ARGON2_MEMORY_KIB: '19456',
      ARGON2_TIME_COST: '2',
      RATE_LIMIT_ENABLED: 'false',
      OTP_RESEND_COOLDOWN: '0',
      ENUMERATION_MIN_RESPONSE_MS: '150',
    });
    for (let i = 0; i < SAMPLES; i++) users.push(await createUser(t, { displayName: `Timed ${i}` }));
  });
  after(() => t?.close());

  it(`password login: ${SAMPLES} wrong passwords vs ${SAMPLES} unknown identifiers, no difference at p < 0.001`, async () => {
    const attempt = (identifier: string) => t.http().post('/api/v1/auth/login').send({ identifier, password: 'not the right one' });
    const statistic = await compare(
      (i) => attempt(users[i].email),
      (i) => attempt(`ghost-${process.pid}-${i}@example.com`),
    );
    expect(Math.abs(statistic)).toBeLessThan(CRITICAL_T);
  });

  it(`forgot password: ${SAMPLES} accounts vs ${SAMPLES} unknown addresses, identical answers, no difference at p < 0.001`, async () => {
    const bodies = new Set<string>();
    const forgot = async (email: string) => {
      const response = await t.http().post('/api/v1/auth/password/forgot').send({ email });
      bodies.add(JSON.stringify({ ...withoutVolatile(response.body), destination: String(response.body.destination).length }));
      return response;
    };
    const statistic = await compare(
      (i) => forgot(users[i].email),
      (i) => forgot(`ghost-${process.pid}-${i}@example.com`),
    );
    expect(bodies.size).toBe(1);
    expect(Math.abs(statistic)).toBeLessThan(CRITICAL_T);
  });
});
