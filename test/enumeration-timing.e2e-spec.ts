import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { randomInt } from 'node:crypto';
import { createUser, TestUser } from './support/accounts';
import { startTestApp, TestApp } from './support/test-app';

const SAMPLES = 200;
/** |z| above this is a difference at p < 0.001 (two-sided). */
const CRITICAL_Z = 3.29;

interface TimingComparison {
  /** Median time of each kind, ms. */
  medians: { known: number; unknown: number };
  /** Pairs in which the known account's request was the slower one. */
  knownSlower: number;
  pairs: number;
  /** The sign test's statistic: how far `knownSlower` is from half the pairs, in standard deviations. */
  z: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Times `known` and `unknown` requests in adjacent pairs, so a change in machine load hits both
 * halves of a pair alike, and asserts their answers are identical. The pairs are compared with a
 * sign test: if neither kind is slower, each pair's slower half is a coin toss. Unlike a t-test on
 * the two samples, one burst of load from another process (the suites share two cores) cannot
 * decide it, while a consistent difference of even a fraction of a millisecond tips most pairs the
 * same way and is caught.
 *
 * Which half goes first is drawn at random for each pair. A fixed alternation is not enough: a
 * disturbance that recurs every other pair (a timer, a collection in another process) would then
 * fall on the same kind each time and look like a difference between them; a random order
 * leaves nothing for it to line up with.
 */
async function compare(
  known: (i: number) => Promise<{ status: number; body: unknown }>,
  unknown: (i: number) => Promise<{ status: number; body: unknown }>,
): Promise<TimingComparison> {
  const times: { known: number[]; unknown: number[] } = { known: [], unknown: [] };
  const timed = async (call: () => Promise<{ status: number; body: unknown }>, into: number[]) => {
    const start = process.hrtime.bigint();
    const response = await call();
    into.push(Number(process.hrtime.bigint() - start) / 1e6);
    return response;
  };
  for (let i = 0; i < SAMPLES; i++) {
    const [a, b] = randomInt(2) ? [known, unknown] : [unknown, known];
    const first = await timed(() => a(i), a === known ? times.known : times.unknown);
    const second = await timed(() => b(i), b === known ? times.known : times.unknown);
    expect(second.status).toBe(first.status);
  }
  const differences = times.known.map((time, i) => time - times.unknown[i]).filter((difference) => difference !== 0);
  const knownSlower = differences.filter((difference) => difference > 0).length;
  const pairs = differences.length;
  return {
    medians: { known: median(times.known), unknown: median(times.unknown) },
    knownSlower,
    pairs,
    z: (knownSlower - pairs / 2) / Math.sqrt(pairs / 4),
  };
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

  it(`password login: ${SAMPLES} wrong passwords vs ${SAMPLES} unknown identifiers, no difference at p < 0.001`, async (context) => {
    const attempt = (identifier: string) => t.http().post('/api/v1/auth/login').send({ identifier, password: 'not the right one' });
    const comparison = await compare(
      (i) => attempt(users[i].email),
      (i) => attempt(`ghost-${process.pid}-${i}@example.com`),
    );
    context.diagnostic(JSON.stringify(comparison));
    expect(Math.abs(comparison.z)).toBeLessThan(CRITICAL_Z);
  });

  it(`forgot password: ${SAMPLES} accounts vs ${SAMPLES} unknown addresses, identical answers, no difference at p < 0.001`, async (context) => {
    const bodies = new Set<string>();
    const forgot = async (email: string) => {
      const response = await t.http().post('/api/v1/auth/password/forgot').send({ email });
      bodies.add(JSON.stringify({ ...withoutVolatile(response.body), destination: String(response.body.destination).length }));
      return response;
    };
    const comparison = await compare(
      (i) => forgot(users[i].email),
      (i) => forgot(`ghost-${process.pid}-${i}@example.com`),
    );
    context.diagnostic(JSON.stringify(comparison));
    expect(bodies.size).toBe(1);
    expect(Math.abs(comparison.z)).toBeLessThan(CRITICAL_Z);
  });
});
