import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'expect';
import { findLeaks, LogFile, Secret } from '../scripts/check-log-canary';

const REFRESH = 'AjGxVWt0hd3Yy1No4RaT3Q-6b5PYCtXY5q5Vf73VMbA';
const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiIwMWEyMmU5YiIsImF1ZCI6ImlkZW50aXR5In0.gFo20RdZ2Dk4H82XhbmGG_3C1LzUOsY_2ti2KvaQB5j0P';
const secrets: Secret[] = [
  { source: 'response refreshToken', value: REFRESH },
  { source: 'request password', value: 'correct "horse" battery' },
  { source: 'delivered code', value: '482913' },
  { source: 'request password', value: 'short' },
];
const entry = (fields: Record<string, unknown>) => JSON.stringify({ level: 'info', time: '2026-11-30T22:00:00.000Z', ...fields });
const file = (...lines: string[]): LogFile[] => [{ name: 'spec-1.log', lines: ['', ...lines] }];

describe('log canary check', () => {
  it('passes clean logs', () => {
    const clean = file(
      entry({ msg: 'request completed', route: '/api/v1/auth/refresh', status: 200, durationMs: 4.2 }),
      entry({ msg: 'outbox: sent 1 message', count: 482913_0 }),
      entry({ msg: 'short is too short to tell from ordinary words' }),
    );
    expect(findLeaks(clean, secrets)).toEqual([]);
  });

  it('finds a collected secret planted in a line, names the file and line, and masks it', () => {
    const leaks = findLeaks(file(entry({ msg: 'ok' }), entry({ msg: `refresh ${REFRESH} rotated` })), secrets);
    expect(leaks).toEqual([{ file: 'spec-1.log', line: 3, what: 'a secret (response refreshToken)', excerpt: expect.any(String) }]);
    expect(leaks[0].excerpt).toContain('[43 characters masked]');
    expect(leaks[0].excerpt).not.toContain(REFRESH);
  });

  it('finds a secret the way JSON escapes it', () => {
    expect(findLeaks(file(entry({ password: 'correct "horse" battery' })), secrets)).toHaveLength(1);
  });

  it('matches a six-digit code only as a whole word', () => {
    expect(findLeaks(file(entry({ msg: 'your code is 482913' })), secrets)).toHaveLength(1);
    expect(findLeaks(file(entry({ msg: 'id 1482913 and 4829130' })), secrets)).toEqual([]);
  });

  it('finds password hashes and JWTs without having seen them', () => {
    const hash = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG';
    const leaks = findLeaks(file(entry({ msg: `stored ${hash}` }), entry({ msg: `bearer ${JWT}` })), []);
    expect(leaks.map((leak) => leak.what)).toEqual(['an argon2 hash', 'a JWT']);
  });

  it('fails the run from the command line, pointing at the line without printing the secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'log-canary-'));
    try {
      writeFileSync(join(dir, 'a-1.secrets.jsonl'), `${JSON.stringify(secrets[0])}\n`);
      writeFileSync(join(dir, 'a-1.log'), `${entry({ msg: 'fine' })}\n${entry({ token: REFRESH })}\n`);
      const script = join(__dirname, '..', 'scripts', 'check-log-canary.js');
      const failed = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
      expect(failed.status).toBe(1);
      expect(failed.stdout).toContain(`${join(dir, 'a-1.log')}:2: a secret (response refreshToken)`);
      expect(failed.stdout).not.toContain(REFRESH);

      writeFileSync(join(dir, 'a-1.log'), `${entry({ msg: 'fine' })}\n`);
      expect(spawnSync(process.execPath, [script, dir], { encoding: 'utf8' }).status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
