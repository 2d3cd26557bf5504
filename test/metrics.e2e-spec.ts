import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { dialect, startTestApp, TestApp } from './support/test-app';
import { bearer, createUser, login, signedIn } from './support/accounts';
import { freshEmail } from './support/code-flows';
import { eventually } from './support/eventually';
import { sample } from './support/metrics-text';

const TOKEN = 'scrape-token-0123456789abcdef';

describe('GET /metrics', () => {
  let t: TestApp;
  const scrape = async () => {
    const response = await t.http().get('/metrics').set(bearer(TOKEN)).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    return response.text;
  };

  before(async () => {
    t = await startTestApp({ METRICS_TOKEN: TOKEN });
    // Before the first scrape: the active-session count is cached from then on.
    await signedIn(t, await createUser(t));
  });
  after(() => t?.close());

  it('needs the configured token: 401 problem+json without it or with another one', async () => {
    for (const headers of [{}, bearer('scrape-token-0123456789abcdeX'), { Authorization: `Basic ${TOKEN}` }]) {
      const response = await t.http().get('/metrics').set(headers);
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 401, code: 'metrics_token_invalid' });
      expect(response.text).not.toContain('identity_');
    }
  });

  it('counts a failed password sign-in for provider local, and the login.failed event', async () => {
    const labels = { provider: 'local', outcome: 'failure' };
    const event = { action: 'login.failed', outcome: 'failure' };
    const text = await scrape();
    const [attempts, events] = [
      sample(text, 'identity_sign_in_attempts_total', labels),
      sample(text, 'identity_security_events_total', event),
    ];
    expect((await login(t, 'nobody@example.com', 'not the password')).status).toBe(401);
    const after = await scrape();
    expect(sample(after, 'identity_sign_in_attempts_total', labels)).toBe(attempts + 1);
    expect(sample(after, 'identity_security_events_total', event)).toBe(events + 1);
  });

  it('counts a successful sign-in for its provider', async () => {
    const labels = { provider: 'local', outcome: 'success' };
    const before = sample(await scrape(), 'identity_sign_in_attempts_total', labels);
    await signedIn(t, await createUser(t));
    expect(sample(await scrape(), 'identity_sign_in_attempts_total', labels)).toBe(before + 1);
  });

  it('times requests by route pattern, never by the raw URL', async () => {
    const { accessToken } = await signedIn(t, await createUser(t));
    const id = '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee';
    expect((await t.http().delete(`/api/v1/me/sessions/${id}?probe=1`).set(bearer(accessToken))).status).toBe(404);
    const text = await scrape();
    const labels = { method: 'DELETE', route: '/api/v1/me/sessions/:id', status_code: '404' };
    expect(sample(text, 'identity_http_request_duration_seconds_count', labels)).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'identity_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(id);
    expect(text).not.toContain('probe=1');
  });

  it('puts every unknown path under one label', async () => {
    // A segment no metric value can contain by chance (a fixed number once matched process_start_time_seconds).
    const segment = `zz${randomBytes(8).toString('hex')}`;
    await t.http().get(`/no/such/path/${segment}`).expect(404);
    const text = await scrape();
    expect(sample(text, 'identity_http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(text).not.toContain(segment);
  });

  it('counts messages handed to the transport by channel, and shows the outbox depth', async () => {
    const sent = sample(await scrape(), 'identity_messages_sent_total', { channel: 'email' });
    await t.http().post('/api/v1/auth/otp/request').send({ email: freshEmail() }).expect(202);
    await eventually(async () => sample(await scrape(), 'identity_messages_sent_total', { channel: 'email' }) === sent + 1);
    const text = await scrape();
    expect(text).toMatch(/^identity_outbox_messages\{status="pending"\} \d+$/m);
    expect(text).toMatch(/^identity_outbox_messages\{status="sending"\} \d+$/m);
  });

  it('reports active sessions (a figure cached for 15 s), event-loop lag and process metrics', async () => {
    const text = await scrape();
    const active = sample(text, 'identity_active_sessions');
    expect(active).toBeGreaterThanOrEqual(1);
    await signedIn(t, await createUser(t));
    expect(sample(await scrape(), 'identity_active_sessions')).toBe(active);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
  });

  it(`reports the connection pool on MySQL only (running on ${dialect})`, async () => {
    const text = await scrape();
    if (dialect === 'mysql') {
      expect(sample(text, 'identity_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'identity_db_pool_connections', { state: 'max' })).toBe(10);
      expect(text).toMatch(/^identity_db_pool_connections\{state="free"\} \d+$/m);
      expect(text).toMatch(/^identity_db_pool_connections\{state="queued"\} \d+$/m);
    } else {
      expect(text).not.toMatch(/^identity_db_pool_connections\{/m);
    }
  });

  it('is documented in the OpenAPI document as text/plain with its 401', async () => {
    const paths = (await t.http().get('/docs-json').expect(200)).body.paths;
    expect(Object.keys(paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
    expect(paths['/metrics'].get.responses['401'].content).toHaveProperty(['application/problem+json']);
  });
});

describe('GET /metrics switched off', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ METRICS_ENABLED: 'false' });
  });
  after(() => t?.close());

  it('answers 404 like any unknown path', async () => {
    const response = await t.http().get('/metrics');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await t.http().get('/docs-json').expect(200)).body.paths['/metrics']).toBeUndefined();
  });
});
