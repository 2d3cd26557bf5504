import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { ApiProcess, startApiProcess } from './support/api-process';
import { MailCatcher, startMailCatcher } from './support/mail-catcher';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { dialect } from './support/test-app';

const OUTAGE_MS = 30_000;
/**
 * Retries every 0.5, 1, 2, then 4 s (the cap): a message is tried about ten times during the
 * outage, far from OUTBOX_MAX_ATTEMPTS, and goes out within one capped interval of the return.
 */
const OUTBOX = { OUTBOX_RETRY_BASE_MS: '500', OUTBOX_RETRY_MAX_MS: '4000', OUTBOX_MAX_ATTEMPTS: '20', OUTBOX_POLL_INTERVAL_MS: '100' };
const DELIVERY_AFTER_RETURN_MS = 30_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  email: string;
  status: number;
  ms: number;
}

/** Sign-up requests one after another until `until` passes; each asks for a code by mail. */
async function registerUntil(api: ApiProcess, until: number, answers: Answer[], worker: number): Promise<void> {
  for (let n = 0; Date.now() < until; n++) {
    const email = `mail-outage${process.pid}-${worker}-${n}-${Date.now() % 1e6}@example.com`;
    const started = Date.now();
    const response = await fetch(`${api.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'outage passphrase 123', displayName: 'Mail outage' }),
    });
    answers.push({ email, status: response.status, ms: Date.now() - started });
    await pause(100);
  }
}

describe('when the mail server is stopped for 30 s under load', () => {
  let mail: MailCatcher;
  let database: ScratchDatabase;
  let api: ApiProcess;
  let workDir: string;

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'identity-mail-outage-'));
    mail = await startMailCatcher();
    database = await createScratchDatabase(dialect);
    api = await startApiProcess(
      {
        DATABASE_URL: database.url,
        JWT_KEYS_DIR: join(workDir, 'keys'),
        MESSAGE_LOG_DIR: join(workDir, 'messages'),
        MAIL_URL: mail.url,
        SMS_URL: 'log',
        RATE_LIMIT_ENABLED: 'false',
        ...OUTBOX,
      },
      { cwd: workDir },
    );
  });

  after(async () => {
    await api?.stop();
    await mail?.stop();
    await database?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('keeps answering sign-ups and delivers every message exactly once after it returns', async () => {
    const answers: Answer[] = [];
    await mail.unlisten();
    const until = Date.now() + OUTAGE_MS;
    await Promise.all([registerUntil(api, until, answers, 1), registerUntil(api, until, answers, 2)]);
    // Nothing left while it was away.
    expect(mail.mails).toHaveLength(0);
    await mail.listen();
    const returnedAt = Date.now();

    expect(answers.length).toBeGreaterThan(50);
    expect(answers.filter((answer) => answer.status !== 202)).toEqual([]);
    const slowest = Math.max(...answers.map((answer) => answer.ms));
    const emails = answers.map((answer) => answer.email);
    const deadline = returnedAt + DELIVERY_AFTER_RETURN_MS;
    while (emails.some((email) => mail.count(email) === 0) && Date.now() < deadline) await pause(100);
    const deliveredMs = Date.now() - returnedAt;
    // Give a duplicate every chance to show up.
    await pause(2000);
    console.log(
      `mail-outage: ${answers.length} sign-ups answered 202 while SMTP was stopped (slowest ${slowest} ms); ` +
        `all ${emails.length} codes delivered ${deliveredMs} ms after it returned`,
    );
    expect(emails.filter((email) => mail.count(email) !== 1)).toEqual([]);

    // The codes that waited out the outage still work.
    for (const email of [emails[0], emails.at(-1)!]) {
      const code = await mail.codeFor(email);
      const verified = await fetch(`${api.url}/api/v1/auth/register/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, code }),
      });
      expect(verified.status).toBe(201);
    }
  });
});
