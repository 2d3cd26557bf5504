import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { DataSource } from 'typeorm';
import { AuditLogEntity } from '@identity/audit';
import { Clock } from '@identity/common';
import { TransactionRunner } from '@identity/database';
import { Outbox, OutboxMessageEntity, OutboxRetentionService, OutgoingMessage } from '@identity/messaging';
import { eventually } from './support/eventually';
import { MailCatcher, startMailCatcher } from './support/mail-catcher';
import { SmsReceiver, startSmsReceiver } from './support/sms-receiver';
import { dialect, startTestApp, TestApp } from './support/test-app';
import { createScratchDatabase } from './support/scratch-database';

let sequence = 0;
const uniqueEmail = () => `reader${process.pid}-${++sequence}-${Date.now() % 100000}@example.com`;
const uniquePhone = () => `+49151${String((process.pid * 1000 + ++sequence) % 1e8).padStart(8, '0')}`;

const codeMessage = (to: string, code: string, channel: 'email' | 'sms' = 'email'): OutgoingMessage => ({
  channel,
  to,
  template: 'otp_code',
  data: { code, purpose: 'registration', expiresInMinutes: 10, displayName: 'Ada <Lovelace>' },
});

async function enqueue(t: TestApp, ...messages: OutgoingMessage[]): Promise<string[]> {
  const outbox = t.app.get(Outbox);
  const ids = await t.app.get(TransactionRunner).run((manager) => Promise.all(messages.map((message) => outbox.enqueue(manager, message))));
  outbox.wake();
  return ids;
}

const rowsOf = (t: TestApp, ids: string[]) =>
  Promise.all(ids.map((id) => t.app.get(DataSource).getRepository(OutboxMessageEntity).findOneByOrFail({ id })));

describe('messaging: outbox, dispatcher, SMTP and SMS webhook', () => {
  let mail: MailCatcher;
  let sms: SmsReceiver;
  let t: TestApp;

  before(async () => {
    mail = await startMailCatcher();
    sms = await startSmsReceiver();
    t = await startTestApp({
      MAIL_URL: mail.url,
      MAIL_FROM: 'Campus ID <no-reply@campus.example>',
      APP_NAME: 'Campus ID',
      SMS_URL: sms.url,
      OUTBOX_RETRY_BASE_MS: '50',
      OUTBOX_RETRY_MAX_MS: '200',
    });
  });

  after(async () => {
    await t?.close();
    await mail?.stop();
    await sms?.stop();
  });

  it('delivers an email over SMTP with HTML and text parts, then forgets the code', async () => {
    const to = uniqueEmail();
    const [id] = await enqueue(t, codeMessage(to, '482916'));
    const delivered = await mail.waitFor(to);
    expect(delivered.subject).toBe('Campus ID: Confirm your email to finish signing up');
    expect(delivered.from).toContain('no-reply@campus.example');
    expect(delivered.text).toContain('482916');
    expect(delivered.text).toContain('Hello Ada <Lovelace>,');
    expect(delivered.text).toMatch(/expires in 10 minutes/);
    expect(delivered.text).toMatch(/Never share this code/);
    expect(delivered.html).toContain('482916');
    // Names are data, never markup.
    expect(delivered.html).toContain('Ada &lt;Lovelace&gt;');
    expect(delivered.html).not.toContain('<Lovelace>');
    expect(String(delivered.headers.get('message-id'))).toContain(id);
    await eventually(async () => (await rowsOf(t, [id]))[0].status === 'sent');
    const [row] = await rowsOf(t, [id]);
    expect(row.sentAt).toBeInstanceOf(Date);
    expect(row.payload).toEqual({ purpose: 'registration', expiresInMinutes: 10, displayName: 'Ada <Lovelace>' });
    expect(JSON.stringify(row)).not.toContain('482916');
  });

  it('sends SMS to the webhook as { to, body } with the outbox id as idempotency key', async () => {
    const to = uniquePhone();
    const [id] = await enqueue(t, codeMessage(to, '730155', 'sms'));
    const received = await sms.waitFor(to);
    expect(received.body).toMatch(/^730155 is your Campus ID sign-up code/);
    expect(received.headers['idempotency-key']).toBe(id);
    await eventually(async () => (await rowsOf(t, [id]))[0].status === 'sent');
    expect(JSON.stringify(await rowsOf(t, [id]))).not.toContain('730155');
  });

  it('sends nothing for a change that rolled back', async () => {
    const to = uniqueEmail();
    const outbox = t.app.get(Outbox);
    await expect(
      t.app.get(TransactionRunner).run(async (manager) => {
        await outbox.enqueue(manager, codeMessage(to, '111111'));
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    outbox.wake();
    await enqueue(t, codeMessage(to, '222222'));
    expect(await mail.codeFor(to)).toBe('222222');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mail.count(to)).toBe(1);
  });

  it('keeps messages while SMTP is down and delivers each exactly once when it returns', async () => {
    await mail.down();
    try {
      const recipients = [uniqueEmail(), uniqueEmail(), uniqueEmail()];
      const ids = await enqueue(t, ...recipients.map((to, index) => codeMessage(to, `90000${index}`)));
      await eventually(async () => (await rowsOf(t, ids)).every((row) => row.attempts >= 2 && row.status === 'pending'));
      const waiting = await rowsOf(t, ids);
      expect(waiting.every((row) => row.lastError?.startsWith('smtp:'))).toBe(true);
      await mail.up();
      for (const [index, to] of recipients.entries()) expect(await mail.codeFor(to)).toBe(`90000${index}`);
      await eventually(async () => (await rowsOf(t, ids)).every((row) => row.status === 'sent'));
      // Give a duplicate every chance to show up.
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const to of recipients) expect(mail.count(to)).toBe(1);
      expect(JSON.stringify(await rowsOf(t, ids))).not.toMatch(/90000\d/);
    } finally {
      await mail.up().catch(() => undefined);
    }
  });

  it('prints the message in log mode, for a person running the service without a mail server', async () => {
    const local = await startTestApp({ MAIL_URL: 'log', SMS_URL: 'log' });
    try {
      const to = uniqueEmail();
      const [id] = await enqueue(local, codeMessage(to, '654321'));
      const dir = local.env.MESSAGE_LOG_DIR!;
      await eventually(() => readdirSync(dir).some((name) => name.includes(id)));
      const file = readdirSync(dir).find((name) => name.includes(id))!;
      const content = readFileSync(join(dir, file), 'utf8');
      expect(content).toContain(`To: ${to}`);
      expect(content).toContain('654321');
    } finally {
      await local.close();
    }
  });
});

describe('messaging: giving up, several instances, retention', () => {
  let sms: SmsReceiver;

  before(async () => {
    sms = await startSmsReceiver();
  });

  after(async () => {
    await sms?.stop();
  });

  it('gives up after OUTBOX_MAX_ATTEMPTS, audits it and drops the code', async () => {
    const t = await startTestApp({ SMS_URL: sms.url, OUTBOX_MAX_ATTEMPTS: '2', OUTBOX_RETRY_BASE_MS: '50', OUTBOX_RETRY_MAX_MS: '100' });
    sms.down();
    try {
      const [id] = await enqueue(t, codeMessage(uniquePhone(), '313131', 'sms'));
      await eventually(async () => (await rowsOf(t, [id]))[0].status === 'failed');
      const [row] = await rowsOf(t, [id]);
      expect(row.attempts).toBe(2);
      expect(row.lastError).toBe('sms gateway answered 503');
      expect(JSON.stringify(row)).not.toContain('313131');
      const events = await t.app.get(DataSource).getRepository(AuditLogEntity).findBy({ action: 'message.failed' });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ success: false, errorCode: 'delivery_attempts_exhausted' });
      expect(events[0].metadata).toMatchObject({ messageId: id, channel: 'sms', template: 'otp_code', attempts: 2 });
    } finally {
      sms.up();
      await t.close();
    }
  });

  it('a delivery that hangs holds up only itself: messages queued behind it still go out', async () => {
    const t = await startTestApp({ SMS_URL: sms.url });
    const stalled = uniquePhone();
    const release = sms.hold(stalled);
    try {
      await enqueue(t, codeMessage(stalled, '135791', 'sms'));
      // The gateway has the message and does not answer (the transport gives up after 10 s).
      await sms.waitFor(stalled);
      const others = Array.from({ length: 3 }, uniquePhone);
      await enqueue(t, ...others.map((to) => codeMessage(to, '246802', 'sms')));
      await eventually(() => others.every((phone) => sms.count(phone) === 1), 3000);
    } finally {
      release();
      await t.close();
    }
  });

  it('two instances on one database deliver every message exactly once', async () => {
    const database = await createScratchDatabase(dialect);
    const settings = { SMS_URL: sms.url, OUTBOX_POLL_INTERVAL_MS: '20', OUTBOX_BATCH: '5' };
    const first = await startTestApp(settings, database);
    const second = await startTestApp(settings, database);
    try {
      const phones = Array.from({ length: 30 }, uniquePhone);
      // Written while neither dispatcher is told, so both find them at their next poll.
      await first.app
        .get(TransactionRunner)
        .run((manager) => Promise.all(phones.map((to) => first.app.get(Outbox).enqueue(manager, codeMessage(to, '246810', 'sms')))));
      await eventually(() => phones.every((phone) => sms.count(phone) >= 1));
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const phone of phones) expect(sms.count(phone)).toBe(1);
    } finally {
      await first.close();
      await second.close();
      await database.drop();
    }
  });

  it('deletes sent messages once they are older than OUTBOX_RETENTION_DAYS', async () => {
    const t = await startTestApp({ SMS_URL: sms.url, OUTBOX_RETENTION_DAYS: '7' });
    try {
      const [id] = await enqueue(t, codeMessage(uniquePhone(), '999000', 'sms'));
      await eventually(async () => (await rowsOf(t, [id]))[0].status === 'sent');
      const retention = t.app.get(OutboxRetentionService);
      expect(await retention.deleteExpired()).toBe(0);
      t.app.get(Clock).offsetMs = 8 * 86_400_000;
      try {
        expect(await retention.deleteExpired()).toBe(1);
      } finally {
        t.app.get(Clock).offsetMs = 0;
      }
      expect(await t.app.get(DataSource).getRepository(OutboxMessageEntity).existsBy({ id })).toBe(false);
    } finally {
      await t.close();
    }
  });
});
