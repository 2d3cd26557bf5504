import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { DataSource } from 'typeorm';
import { bearer } from './support/accounts';
import { captureLogs } from './support/log-capture';
import { eventually } from './support/eventually';
import { MailCatcher, startMailCatcher } from './support/mail-catcher';
import { SmsReceiver, startSmsReceiver } from './support/sms-receiver';
import { startTestApp, TestApp } from './support/test-app';

let sequence = 0;
const freshEmail = () => `vault${process.pid}-${++sequence}-${Date.now() % 1e6}@example.com`;
const freshPhone = () => `+49152${String((process.pid * 997 + ++sequence * 31 + (Date.now() % 1e4)) % 1e8).padStart(8, '0')}`;

describe('secrets stay out of logs, responses and tables; mail outages lose nothing', () => {
  let t: TestApp;
  let mail: MailCatcher;
  let sms: SmsReceiver;

  before(async () => {
    mail = await startMailCatcher();
    sms = await startSmsReceiver();
    t = await startTestApp({
      MAIL_URL: mail.url,
      SMS_URL: sms.url,
      // Everything the service can say, so a secret in any log line is caught.
      LOG_LEVEL: 'verbose',
      RATE_LIMIT_OTP_IP: '1000/15m',
      OTP_RESEND_COOLDOWN: '0',
      OUTBOX_RETRY_BASE_MS: '50',
      OUTBOX_RETRY_MAX_MS: '200',
    });
  });

  after(async () => {
    await t?.close();
    await mail?.stop();
    await sms?.stop();
  });

  it('no code, password or token appears in any log line, response or stored row but the message itself', async () => {
    const log = captureLogs(t);
    // Codes and passwords must appear in no response; a token only in the one that issued it.
    const secrets: { value: string; issuedInResponses: number }[] = [];
    const responses: string[] = [];
    const secret = (value: string, issuedInResponses = 0) => secrets.push({ value, issuedInResponses });
    const tokensOf = (body: { accessToken: string; refreshToken: string }) => {
      secret(body.accessToken, 1);
      secret(body.refreshToken, 1);
    };
    const call = async (method: 'post' | 'get', path: string, body?: object, token?: string) => {
      let request = t.http()[method](`/api/v1${path}`);
      if (token) request = request.set(bearer(token));
      const response = await request.send(body);
      responses.push(JSON.stringify({ headers: response.headers, body: response.body }));
      return response;
    };
    const email = freshEmail();
    const password = 'first secret passphrase 1';
    const newPassword = 'second secret passphrase 2';
    secret(password);
    secret(newPassword);

    expect((await call('post', '/auth/register', { email, password, displayName: 'Vault' })).status).toBe(202);
    const registrationCode = await mail.codeFor(email);
    const wrong = registrationCode === '000000' ? '111111' : '000000';
    expect((await call('post', '/auth/register/verify', { email, code: wrong })).status).toBe(400);
    const registered = await call('post', '/auth/register/verify', { email, code: registrationCode });
    expect(registered.status).toBe(201);
    secret(registrationCode);
    tokensOf(registered.body);

    expect((await call('post', '/auth/otp/request', { email })).status).toBe(202);
    const loginCode = await mail.codeFor(email, { skip: 1 });
    const signedIn = await call('post', '/auth/otp/verify', { email, code: loginCode });
    expect(signedIn.status).toBe(200);
    secret(loginCode);
    tokensOf(signedIn.body);

    // The reset code waits out a mail outage, so the dispatcher's failure reports are in the log too.
    await mail.down();
    expect((await call('post', '/auth/password/forgot', { email })).status).toBe(202);
    await eventually(() => log.lines.some((line) => line.includes('retrying')));
    await mail.up();
    const resetCode = await mail.codeFor(email, { skip: 2 });
    const reset = await call('post', '/auth/password/reset', { email, code: resetCode, newPassword });
    expect(reset.status).toBe(200);
    secret(resetCode);
    tokensOf(reset.body);

    const phone = freshPhone();
    expect((await call('post', '/me/phone', { phone, currentPassword: newPassword }, reset.body.accessToken)).status).toBe(202);
    const phoneCode = await sms.codeFor(phone);
    expect((await call('post', '/me/phone/verify', { phone, code: phoneCode }, reset.body.accessToken)).status).toBe(200);
    secret(phoneCode);

    // Every message has left and been scrubbed before the tables are read.
    const dataSource = t.app.get(DataSource);
    await eventually(
      async () => Number((await dataSource.query(`SELECT COUNT(*) AS n FROM message_outbox WHERE status <> 'sent'`))[0].n) === 0,
    );
    const tables: string[] = [];
    for (const table of [
      'users',
      'user_auth',
      'sessions',
      'refresh_tokens',
      'otp_challenges',
      'pending_registrations',
      'message_outbox',
      'audit_logs',
    ]) {
      tables.push(JSON.stringify(await dataSource.query(`SELECT * FROM ${table}`)));
    }

    const logs = log.lines.join('\n');
    expect(logs).toContain('smtp:');
    for (const { value, issuedInResponses } of secrets) {
      // Standing alone, so a code is not "found" among the hex digits of an id or a hash.
      const alone = new RegExp(`(?<![0-9A-Za-z])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![0-9A-Za-z])`);
      const found = {
        inLogs: alone.test(logs),
        responses: responses.filter((text) => alone.test(text)).length,
        inTables: tables.some((text) => alone.test(text)),
      };
      expect({ value, ...found }).toEqual({ value, inLogs: false, responses: issuedInResponses, inTables: false });
    }
  });

  it('accepts code requests while SMTP is down and delivers each queued message exactly once when it returns', async () => {
    const emails = Array.from({ length: 5 }, freshEmail);
    await mail.down();
    try {
      for (const email of emails) {
        const response = await t
          .http()
          .post('/api/v1/auth/register')
          .send({ email, password: 'outage passphrase 123', displayName: 'Outage' });
        expect(response.status).toBe(202);
      }
      const dataSource = t.app.get(DataSource);
      await eventually(async () => {
        const rows: { attempts: number }[] = await dataSource.query(
          `SELECT attempts FROM message_outbox WHERE recipient IN (${emails.map(() => '?').join(',')})`,
          emails,
        );
        return rows.length === emails.length && rows.every((row) => Number(row.attempts) >= 2);
      });
      expect(emails.every((email) => mail.count(email) === 0)).toBe(true);
    } finally {
      await mail.up();
    }
    for (const email of emails) {
      const code = await mail.codeFor(email, { timeoutMs: 10_000 });
      expect((await t.http().post('/api/v1/auth/register/verify').send({ email, code })).status).toBe(201);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const email of emails) expect(mail.count(email)).toBe(1);
  });
});
