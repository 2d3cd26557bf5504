import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { bearer, countRows, createUser, signedIn } from './support/accounts';
import { startTestApp, TestApp } from './support/test-app';

describe('HTTP surface: problem+json, limits, headers, health, docs', () => {
  let t: TestApp;
  let token: string;

  before(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://app.example.com' });
    token = (await signedIn(t, await createUser(t, { displayName: 'Unchanged' }))).accessToken;
  });
  after(() => t?.close());

  const expectProblem = (
    response: { status: number; headers: Record<string, string>; body: Record<string, unknown> },
    status: number,
    code: string,
  ) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ type: 'about:blank', status, code, title: expect.any(String) });
    expect(JSON.stringify(response.body)).not.toMatch(/\bat \S+\.(ts|js):\d+/);
  };

  it('malformed JSON → 400 malformed_json, nothing written', async () => {
    const sessions = await countRows(t, 'sessions');
    const response = await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"identifier": "a@b.c", ');
    expectProblem(response, 400, 'malformed_json');
    expect(await countRows(t, 'sessions')).toBe(sessions);
  });

  it('wrong types and unknown fields → 400 with per-field errors', async () => {
    const response = await t.http().patch('/api/v1/me').set(bearer(token)).send({ displayName: 7, isAdmin: true });
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'isAdmin' }), expect.objectContaining({ field: 'displayName' })]),
    );
    const me = await t.http().get('/api/v1/me').set(bearer(token));
    expect(me.body.displayName).toBe('Unchanged');
  });

  it('a 1 MB body → 413, nothing written', async () => {
    const response = await t
      .http()
      .patch('/api/v1/me')
      .set(bearer(token))
      .send({ displayName: 'x'.repeat(1024 * 1024) });
    expectProblem(response, 413, 'payload_too_large');
    expect((await t.http().get('/api/v1/me').set(bearer(token))).body.displayName).toBe('Unchanged');
  });

  it('an unsupported content type → 415', async () => {
    const response = await t.http().post('/api/v1/auth/login').set('Content-Type', 'application/xml').send('<login/>');
    expectProblem(response, 415, 'unsupported_media_type');
  });

  it('a prototype-pollution key is refused as an unknown field', async () => {
    const response = await t
      .http()
      .patch('/api/v1/me')
      .set(bearer(token))
      .set('Content-Type', 'application/json')
      .send('{"__proto__": {"isAdmin": true}, "displayName": "P"}');
    expect(response.status).toBe(400);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('a member given twice in one JSON object → 400 naming it, nothing changed', async () => {
    const response = await t
      .http()
      .patch('/api/v1/me')
      .set(bearer(token))
      .set('Content-Type', 'application/json')
      .send('{"displayName": "First", "displayName": "Second"}');
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('validation_failed');
    expect(response.body.errors).toEqual([{ field: 'displayName', messages: ['displayName is given more than once'] }]);
    const me = await t.http().get('/api/v1/me').set(bearer(token)).expect(200);
    expect(['First', 'Second']).not.toContain(me.body.displayName);
  });

  it('a query parameter given twice → 400, not silently one of them', async () => {
    const admin = await signedIn(t, await createUser(t, { roles: ['admin'] }));
    const response = await t.http().get('/api/v1/admin/users?limit=5&limit=500').set(bearer(admin.accessToken));
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('validation_failed');
  });

  it('unknown routes → 404 problem+json', async () => {
    expectProblem(await t.http().get('/api/v1/nothing-here'), 404, 'not_found');
    expectProblem(await t.http().get('/nothing-here'), 404, 'not_found');
  });

  it('protected routes without a token → 401 problem+json', async () => {
    expectProblem(await t.http().get('/api/v1/me/sessions'), 401, 'unauthenticated');
  });

  it('echoes a well-formed X-Request-Id and generates one otherwise', async () => {
    const echoed = await t.http().get('/health').set('X-Request-Id', 'trace-abc_123');
    expect(echoed.headers['x-request-id']).toBe('trace-abc_123');
    const generated = await t.http().get('/health').set('X-Request-Id', 'bad id\twith spaces');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets security headers (HSTS only in production, see the configuration spec)', async () => {
    const response = await t.http().get('/health');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toBeUndefined();
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-powered-by']).toBeUndefined();
    // Problem answers carry them too.
    const refused = await t.http().get('/api/v1/me');
    expect(refused.status).toBe(401);
    expect(refused.headers['x-content-type-options']).toBe('nosniff');
    expect(refused.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(refused.headers['content-security-policy']).toContain("frame-ancestors 'self'");
  });

  it('allows CORS only for configured origins', async () => {
    const allowed = await t
      .http()
      .options('/api/v1/auth/login')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const denied = await t
      .http()
      .options('/api/v1/auth/login')
      .set('Origin', 'https://evil.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    // A sandboxed page or file sends Origin: null; it is never granted (credentials or not).
    const opaque = await t.http().post('/api/v1/auth/login').set('Origin', 'null').send({ identifier: 'a@example.com', password: 'x' });
    expect(opaque.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps every API answer out of caches, token responses included', async () => {
    const refused = await t.http().post('/api/v1/auth/login').send({ identifier: 'nobody@example.com', password: 'wrong password' });
    expect(refused.headers['cache-control']).toBe('no-store');
    const user = await createUser(t);
    const accepted = await t.http().post('/api/v1/auth/login').send({ identifier: user.email, password: user.password });
    expect(accepted.status).toBe(200);
    expect(accepted.headers['cache-control']).toBe('no-store');
    expect((await t.http().post('/api/v1/auth/refresh').send({ refreshToken: accepted.body.refreshToken })).headers['cache-control']).toBe(
      'no-store',
    );
  });

  it('reports liveness and readiness', async () => {
    expect((await t.http().get('/health').expect(200)).body).toEqual({ status: 'ok' });
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.details.database.status).toBe('up');
  });

  it('serves the OpenAPI document with every route, its auth and its errors', async () => {
    const response = await t.http().get('/docs-json').expect(200);
    const paths = response.body.paths as Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/auth/refresh',
      '/api/v1/auth/logout',
      '/api/v1/auth/providers',
      '/api/v1/me',
      '/api/v1/me/password',
      '/api/v1/me/sessions',
      '/api/v1/me/sessions/{id}',
      '/.well-known/jwks.json',
      '/health/ready',
    ]) {
      expect(Object.keys(paths)).toContain(path);
    }
    expect(paths['/api/v1/auth/login'].post.responses).toHaveProperty('401');
    expect(paths['/api/v1/auth/login'].post.security).toBeUndefined();
    expect(paths['/api/v1/me'].get.security).toEqual([{ bearer: [] }]);
    expect(paths['/api/v1/me'].patch.responses).toHaveProperty('400');
    expect(response.body.components.schemas.ProblemDto).toBeDefined();
  });
});

describe('readiness with Redis configured', () => {
  it('reports Redis up when it answers', async () => {
    const t = await startTestApp({ REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' });
    try {
      const ready = await t.http().get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.details.redis.status).toBe('up');
    } finally {
      await t.close();
    }
  });

  it('reports Redis unreachable quickly, without failing readiness (limits fall back to memory)', async () => {
    const t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const started = Date.now();
      const ready = await t.http().get('/health/ready');
      expect(Date.now() - started).toBeLessThan(2000);
      expect(ready.status).toBe(200);
      expect(ready.body.details.redis.status).toBe('down');
      expect(ready.body.details.database.status).toBe('up');
    } finally {
      await t.close();
    }
  });
});
