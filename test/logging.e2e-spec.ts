import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { Body, Controller, Logger, Module, Post } from '@nestjs/common';
import { expect } from 'expect';
import { LOG_CENSOR, Public } from '@identity/common';
import { bearer, createUser, signedIn } from './support/accounts';
import { startTestApp, TestApp } from './support/test-app';

/** A test-only route that logs what it is given, as careless code might. */
@Public()
@Controller('log-probe')
class LogProbeController {
  private readonly logger = new Logger('LogProbe');

  @Post()
  probe(@Body() body: Record<string, unknown>) {
    this.logger.log(`note: ${String(body.note)}`);
    this.logger.log({ msg: 'fields', password: body.password, body: { code: body.code } });
    return {};
  }
}

@Module({ controllers: [LogProbeController] })
class LogProbeModule {}

interface Entry {
  level: string;
  msg: string;
  reqId?: string;
  [field: string]: unknown;
}

describe('structured logs', () => {
  let t: TestApp;
  const lines: string[] = [];
  const entries = () => lines.map((line) => JSON.parse(line) as Entry);
  const requestLine = (reqId: string) => entries().find((entry) => entry.msg === 'request completed' && entry.reqId === reqId);

  before(async () => {
    const memory = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        callback();
      },
    });
    // Without validation: the probe takes any body, as a handler that forgot its DTO would.
    t = await startTestApp({}, undefined, [LogProbeModule], memory);
  });
  after(() => t?.close());

  it('writes one line per request: id, method, route pattern, status, duration and the user', async () => {
    const user = await createUser(t);
    const { accessToken, sessionId, user: account } = await signedIn(t, user);
    const response = await t.http().delete(`/api/v1/me/sessions/${sessionId}`).set(bearer(accessToken)).set('X-Request-Id', 'log-spec-1');
    expect(response.headers['x-request-id']).toBe('log-spec-1');
    expect(requestLine('log-spec-1')).toMatchObject({
      level: 'info',
      method: 'DELETE',
      route: '/api/v1/me/sessions/:id',
      path: `/api/v1/me/sessions/${sessionId}`,
      status: response.status,
      durationMs: expect.any(Number),
      userId: account.id,
    });
  });

  it('never logs a query string, a body or a credential header', async () => {
    await t
      .http()
      .post('/api/v1/auth/login?code=query-secret-123&token=query-secret-456')
      .set('X-Request-Id', 'log-spec-2')
      .set('Cookie', 'sid=cookie-secret-789')
      .send({ identifier: 'nobody@example.com', password: 'body-secret-password' });
    expect(requestLine('log-spec-2')).toMatchObject({ route: '/api/v1/auth/login', path: '/api/v1/auth/login', status: 401 });
    expect(requestLine('log-spec-2')!.userId).toBeUndefined();
    for (const secret of ['query-secret', 'cookie-secret', 'body-secret']) expect(lines.join('\n')).not.toContain(secret);
  });

  it('logs probes at debug, so info carries only real traffic', async () => {
    await t.http().get('/health').set('X-Request-Id', 'log-spec-3');
    await t.http().get('/health/ready').set('X-Request-Id', 'log-spec-4');
    await t.http().get('/api/v1/nowhere').set('X-Request-Id', 'log-spec-5');
    expect(requestLine('log-spec-3')).toMatchObject({ level: 'debug', route: '/health', status: 200 });
    expect(requestLine('log-spec-4')).toMatchObject({ level: 'debug', route: '/health/ready', status: 200 });
    expect(requestLine('log-spec-5')).toMatchObject({ level: 'info', route: null, path: '/api/v1/nowhere', status: 404 });
  });

  it('ties what the code logs during a request to the request id, one line per entry whatever the input', async () => {
    const forged = 'hi\n{"level":"info","msg":"forged entry"}\r\n[Nest] 1 - LOG forged\u2028entry';
    await t.http().post('/api/v1/log-probe').set('X-Request-Id', 'log-spec-6').send({ note: forged });
    const notes = entries().filter((entry) => entry.context === 'LogProbe' && String(entry.msg).startsWith('note:'));
    expect(notes).toEqual([expect.objectContaining({ level: 'info', reqId: 'log-spec-6', msg: `note: ${forged}` })]);
    expect(entries().filter((entry) => entry.msg === 'forged entry')).toEqual([]);
  });

  it('redacts secrets the code passes to a logger', async () => {
    await t.http().post('/api/v1/log-probe').set('X-Request-Id', 'log-spec-7').send({ password: 'probe-password-1', code: '246813' });
    const fields = entries().find((entry) => entry.context === 'LogProbe' && entry.msg === 'fields' && entry.reqId === 'log-spec-7');
    expect(fields).toMatchObject({ password: LOG_CENSOR, body: { code: LOG_CENSOR } });
    expect(lines.join('\n')).not.toContain('probe-password-1');
  });
});
