import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { DataSource } from 'typeorm';
import { ShutdownState } from '../apps/identity-api/src/graceful-shutdown';
import { freshEmail } from './support/code-flows';
import { eventually } from './support/eventually';
import { MailCatcher, startMailCatcher } from './support/mail-catcher';
import { sample } from './support/metrics-text';
import { startTestApp, TestApp } from './support/test-app';

describe('readiness reports the mail transport without failing on it', () => {
  let mail: MailCatcher;
  let t: TestApp;

  before(async () => {
    mail = await startMailCatcher();
    await mail.down();
    t = await startTestApp({ MAIL_URL: mail.url, RATE_LIMIT_OTP_IP: '1000/15m', OUTBOX_RETRY_BASE_MS: '60000' });
  });
  after(async () => {
    await t?.close();
    await mail?.stop();
  });

  it('mail server down: reported as down with the reason, readiness still 200', async () => {
    const started = Date.now();
    const ready = await t.http().get('/health/ready');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(ready.status).toBe(200);
    expect(ready.body.details.database.status).toBe('up');
    expect(ready.body.details.mail).toMatchObject({ status: 'down', transport: 'smtp', message: expect.any(String) });
  });

  it('probes in quick succession share one cached check', async () => {
    await mail.up();
    const first = (await t.http().get('/health/ready').expect(200)).body.details.mail;
    const second = (await t.http().get('/health/ready').expect(200)).body.details.mail;
    // Still the answer from before the server came back: no SMTP connection per probe.
    expect(second).toEqual(first);
    expect(second.status).toBe('down');
    await mail.down();
  });

  it('a failed send shows in the send-failure counter and the message waits in the outbox', async () => {
    const scrape = async () => (await t.http().get('/metrics').expect(200)).text;
    const labels = { channel: 'email', outcome: 'retry' };
    const failures = sample(await scrape(), 'identity_message_send_failures_total', labels);
    await t.http().post('/api/v1/auth/otp/request').send({ email: freshEmail() }).expect(202);
    await eventually(async () => sample(await scrape(), 'identity_message_send_failures_total', labels) === failures + 1);
    expect(sample(await scrape(), 'identity_outbox_messages', { status: 'pending' })).toBeGreaterThanOrEqual(1);
  });

  it('documents the mail check and the 503 in the OpenAPI document', async () => {
    const ready = (await t.http().get('/docs-json').expect(200)).body.paths['/health/ready'].get;
    expect(ready.responses).toHaveProperty('503');
    expect(JSON.stringify(ready)).toContain('mail');
  });
});

describe('readiness turns 503', () => {
  it('in log mode mail is up; when a shutdown begins readiness is 503 at once', async () => {
    const t = await startTestApp();
    try {
      const ready = await t.http().get('/health/ready').expect(200);
      expect(ready.body.details.mail).toMatchObject({ status: 'up', transport: 'log' });
      t.app.get(ShutdownState).stopping = true;
      const stopping = await t.http().get('/health/ready');
      expect(stopping.status).toBe(503);
      expect(stopping.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(stopping.body.details.shutdown.status).toBe('down');
      // Liveness stays cheap and up: the process is fine, it is only leaving.
      await t.http().get('/health').expect(200);
    } finally {
      await t.close();
    }
  });

  it('when the database is gone, with the mail transport still reported', async () => {
    const t = await startTestApp();
    try {
      await t.app.get(DataSource).destroy();
      const ready = await t.http().get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(ready.body.details.database.status).toBe('down');
      expect(ready.body.details.mail.status).toBe('up');
    } finally {
      await t.close();
    }
  });
});
