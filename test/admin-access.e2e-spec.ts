import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { generateSync } from 'otplib';
import { Clock } from '@identity/common';
import { MfaService } from '@identity/mfa';
import { bearer, createUser, signedIn } from './support/accounts';
import { startTestApp, TestApp } from './support/test-app';

interface SampleRequest {
  path: string;
  body?: object;
}

interface Fixtures {
  /** A fresh user that a request may change or delete. */
  user(): Promise<string>;
  /** A fresh custom role that a request may change or delete. */
  role(): Promise<string>;
  /** A fresh user with two-step verification on. */
  userWithMfa(): Promise<string>;
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${++counter}`;

/**
 * One valid request per admin operation. The suite fails when the API documents an admin
 * operation that has no sample here, so a new admin route cannot ship without its access check.
 */
const SAMPLES: Record<string, (fixtures: Fixtures) => Promise<SampleRequest>> = {
  'GET /api/v1/roles': async () => ({ path: '/api/v1/roles' }),
  'POST /api/v1/roles': async () => ({ path: '/api/v1/roles', body: { name: `role-${unique()}`, permissions: ['users:read'] } }),
  'GET /api/v1/roles/{id}': async (f) => ({ path: `/api/v1/roles/${await f.role()}` }),
  'PUT /api/v1/roles/{id}': async (f) => ({ path: `/api/v1/roles/${await f.role()}`, body: { description: 'changed' } }),
  'DELETE /api/v1/roles/{id}': async (f) => ({ path: `/api/v1/roles/${await f.role()}` }),
  'GET /api/v1/admin/auth-providers': async () => ({ path: '/api/v1/admin/auth-providers' }),
  'PATCH /api/v1/admin/auth-providers/{name}': async () => ({ path: '/api/v1/admin/auth-providers/local', body: { enabled: true } }),
  'GET /api/v1/admin/users': async () => ({ path: '/api/v1/admin/users?limit=5' }),
  'POST /api/v1/admin/users': async () => ({
    path: '/api/v1/admin/users',
    body: { email: `new-${unique()}@example.com`, displayName: 'New' },
  }),
  'GET /api/v1/admin/users/{id}': async (f) => ({ path: `/api/v1/admin/users/${await f.user()}` }),
  'PATCH /api/v1/admin/users/{id}': async (f) => ({ path: `/api/v1/admin/users/${await f.user()}`, body: { displayName: 'Renamed' } }),
  'DELETE /api/v1/admin/users/{id}': async (f) => ({ path: `/api/v1/admin/users/${await f.user()}` }),
  'PUT /api/v1/admin/users/{id}/roles': async (f) => ({ path: `/api/v1/admin/users/${await f.user()}/roles`, body: { roles: ['user'] } }),
  'POST /api/v1/admin/users/{id}/unlock': async (f) => ({ path: `/api/v1/admin/users/${await f.user()}/unlock` }),
  'DELETE /api/v1/admin/users/{id}/sessions': async (f) => ({ path: `/api/v1/admin/users/${await f.user()}/sessions` }),
  'DELETE /api/v1/admin/users/{id}/mfa': async (f) => ({ path: `/api/v1/admin/users/${await f.userWithMfa()}/mfa` }),
  'GET /api/v1/admin/audit-logs': async () => ({ path: '/api/v1/admin/audit-logs?limit=5' }),
  'GET /api/v1/admin/reports/failed-logins': async () => ({ path: '/api/v1/admin/reports/failed-logins?days=7' }),
  'GET /api/v1/admin/reports/active-sessions': async () => ({ path: '/api/v1/admin/reports/active-sessions' }),
};

const isAdminPath = (path: string) => path.startsWith('/api/v1/admin') || path.startsWith('/api/v1/roles');

describe('every admin operation: 401 without a token, 403 without the permission, 2xx with it', () => {
  let t: TestApp;
  let adminToken: string;
  let userToken: string;
  let operations: string[];

  before(async () => {
    t = await startTestApp();
    adminToken = (await signedIn(t, await createUser(t, { roles: ['admin'] }))).accessToken;
    userToken = (await signedIn(t, await createUser(t))).accessToken;
    const document = (await t.http().get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(document.paths)
      .filter(([path]) => isAdminPath(path))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
  });
  after(() => t?.close());

  const fixtures: Fixtures = {
    user: async () => (await createUser(t)).id,
    role: async () => {
      const response = await t
        .http()
        .post('/api/v1/roles')
        .set(bearer(adminToken))
        .send({ name: `fixture-${unique()}`, permissions: [] });
      return response.body.id;
    },
    userWithMfa: async () => {
      const { id } = await createUser(t);
      const mfa = t.app.get(MfaService);
      const { secret } = await mfa.beginEnrolment(id, 'fixture');
      await mfa.confirmEnrolment(id, generateSync({ secret, epoch: Math.floor(t.app.get(Clock).now().getTime() / 1000) }));
      return id;
    },
  };

  const send = (operation: string, request: SampleRequest, token?: string) => {
    const method = operation.split(' ')[0].toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    const call = t.http()[method](request.path);
    if (token) call.set(bearer(token));
    return request.body ? call.send(request.body) : call;
  };

  it('has a sample request for every documented admin operation', () => {
    expect(operations.length).toBeGreaterThan(10);
    expect(operations.filter((operation) => !SAMPLES[operation])).toEqual([]);
    expect(Object.keys(SAMPLES).filter((operation) => !operations.includes(operation))).toEqual([]);
  });

  it('checks each operation', async () => {
    const failures: string[] = [];
    for (const operation of operations.filter((candidate) => SAMPLES[candidate])) {
      const anonymous = await send(operation, await SAMPLES[operation](fixtures));
      const plain = await send(operation, await SAMPLES[operation](fixtures), userToken);
      const admin = await send(operation, await SAMPLES[operation](fixtures), adminToken);
      if (anonymous.status !== 401) failures.push(`${operation}: ${anonymous.status} without a token`);
      if (plain.status !== 403) failures.push(`${operation}: ${plain.status} for a plain user`);
      if (admin.status < 200 || admin.status > 299)
        failures.push(`${operation}: ${admin.status} for an admin ${JSON.stringify(admin.body)}`);
    }
    expect(failures).toEqual([]);
  });
});
