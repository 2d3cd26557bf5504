import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { INestApplication } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { generateSync } from 'otplib';
import type { Response } from 'supertest';
import type request from 'supertest';
import { DataSource } from 'typeorm';
import { Clock } from '@identity/common';
import { MfaService } from '@identity/mfa';
import { AuthProviderEntity } from '../src/auth-provider.entity';
import { UserAuthEntity } from '../src/user-auth.entity';
import { LoginMethod } from '../src/registry/login-method';
import { contractProblems } from '../src/registry/plugin-contract';

/** A running app as the contract suite needs it. */
export interface ContractApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * A route the provider mounts, as `METHOD /api/v1/...`; with a body when the route is shared with
 * a sibling method of the same module and only the body says which method a request is for.
 */
export type ContractRoute = string | { route: string; body: Record<string, unknown> };

/**
 * What a provider hands the shared contract suite. Every login method must pass it: adding a
 * provider means one folder, one line in the composition root, and one file calling this.
 */
export interface ProviderContractSubject {
  id: string;
  /**
   * Routes the provider mounts; they must answer 404 when it is disabled, also where a sibling
   * method that stays enabled keeps a shared route mounted.
   */
  routes: ContractRoute[];
  /** Boots the app; `env` overrides the environment (AUTH_PROVIDERS among others). */
  start(env?: Record<string, string>): Promise<ContractApp>;
  /** Seeds whatever a sign-in needs (an account, an upstream user) and signs in through HTTP. */
  signIn(app: ContractApp): Promise<Response>;
  /**
   * Signs in once more as the account the last `signIn` used (same credentials or upstream
   * user). When given, the suite turns two-step verification on for that account in between and
   * expects the sign-in to stop at `mfaRequired`, as every first factor must.
   */
  signInAgain?(app: ContractApp): Promise<Response>;
  /** A sign-in the provider must refuse (wrong secret, bad token). */
  failedSignIn(app: ContractApp): Promise<Response>;
  /** Another enabled provider id, to boot with this one disabled. */
  otherProviderId: string;
}

const SECRET_FIELD = /password|hash|secret/i;

function secretKeys(value: unknown, path = ''): string[] {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...(SECRET_FIELD.test(key) ? [`${path}${key}`] : []),
    ...secretKeys(child, `${path}${key}.`),
  ]);
}

async function countRows(app: ContractApp, table: string): Promise<number> {
  const [{ count }] = await app.app.get(DataSource).query(`SELECT COUNT(*) AS count FROM ${table}`);
  return Number(count);
}

export function describeProviderContract(subject: ProviderContractSubject): void {
  describe(`login method contract: ${subject.id}`, () => {
    describe('when enabled', () => {
      let app: ContractApp;
      before(async () => {
        app = await subject.start();
      });
      after(() => app?.close());

      it('declares a descriptor that satisfies the contract', () => {
        const discovery = app.app.get(DiscoveryService);
        const wrappers = discovery.getProviders({ metadataKey: LoginMethod.KEY });
        const descriptors = wrappers.map((wrapper) => discovery.getMetadataByDecorator(LoginMethod, wrapper)!);
        const own = descriptors.filter((descriptor) => descriptor.id === subject.id);
        expect(own).toHaveLength(1);
        expect(contractProblems(own[0])).toEqual([]);
      });

      it('is listed for clients and active in auth_providers', async () => {
        const listed = await app.http().get('/api/v1/auth/providers').expect(200);
        expect(listed.body.map((provider: { id: string }) => provider.id)).toContain(subject.id);
        const row = await app.app.get(DataSource).getRepository(AuthProviderEntity).findOneByOrFail({ name: subject.id });
        expect(row.isActive).toBe(true);
      });

      it('signs in through the core: token response, session and identity bookkeeping', async () => {
        const response = await subject.signIn(app);
        expect([200, 201]).toContain(response.status);
        const body = response.body;
        expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: expect.any(Number), refreshExpiresIn: expect.any(Number) });
        expect(typeof body.accessToken).toBe('string');
        expect(typeof body.refreshToken).toBe('string');
        expect(secretKeys(body.user)).toEqual([]);

        const me = await app.http().get('/api/v1/me').set('Authorization', `Bearer ${body.accessToken}`).expect(200);
        expect(me.body.id).toBe(body.user.id);
        const sessions = await app.http().get('/api/v1/me/sessions').set('Authorization', `Bearer ${body.accessToken}`).expect(200);
        const current = sessions.body.items.find((session: { id: string }) => session.id === body.sessionId);
        expect(current).toMatchObject({ current: true, provider: subject.id });

        const dataSource = app.app.get(DataSource);
        const providerRow = await dataSource.getRepository(AuthProviderEntity).findOneByOrFail({ name: subject.id });
        const identity = await dataSource
          .getRepository(UserAuthEntity)
          .findOneByOrFail({ userId: body.user.id, authProviderId: providerRow.id });
        expect(identity.lastUsedAt).not.toBeNull();
      });

      it('stops at mfaRequired, opening no session, for an account with two-step verification', async (context) => {
        if (!subject.signInAgain) return context.skip('the subject has no signInAgain');
        const userId = (await subject.signIn(app)).body.user.id as string;
        const mfa = app.app.get(MfaService);
        const { secret } = await mfa.beginEnrolment(userId, 'contract');
        await mfa.confirmEnrolment(userId, generateSync({ secret, epoch: Math.floor(app.app.get(Clock).now().getTime() / 1000) }));
        const sessionsOf = async () =>
          Number((await app.app.get(DataSource).query('SELECT COUNT(*) AS count FROM sessions WHERE user_id = ?', [userId]))[0].count);
        const before = await sessionsOf();
        const again = await subject.signInAgain(app);
        expect(again.status).toBe(200);
        expect(again.body).toEqual({
          mfaRequired: true,
          mfaToken: expect.any(String),
          methods: ['totp', 'recovery_code'],
          expiresIn: expect.any(Number),
        });
        expect(await sessionsOf()).toBe(before);
      });

      it('refuses a bad sign-in with problem+json and opens no session', async () => {
        const before = await countRows(app, 'sessions');
        const response = await subject.failedSignIn(app);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.body.code).toMatch(/^[a-z_]+$/);
        expect(await countRows(app, 'sessions')).toBe(before);
      });
    });

    describe('when disabled', () => {
      let app: ContractApp;
      before(async () => {
        app = await subject.start({ AUTH_PROVIDERS: subject.otherProviderId });
      });
      after(() => app?.close());

      it('serves none of its routes', async () => {
        for (const entry of subject.routes) {
          const { route, body } = typeof entry === 'string' ? { route: entry, body: {} } : entry;
          const [method, path] = route.split(' ');
          const response = await app.http()[method.toLowerCase() as 'get' | 'post'](path).send(body);
          expect({ route, status: response.status }).toEqual({ route, status: 404 });
        }
      });

      it('is neither listed nor active', async () => {
        const listed = await app.http().get('/api/v1/auth/providers').expect(200);
        expect(listed.body.map((provider: { id: string }) => provider.id)).not.toContain(subject.id);
        const row = await app.app.get(DataSource).getRepository(AuthProviderEntity).findOneBy({ name: subject.id });
        expect(row?.isActive ?? false).toBe(false);
      });
    });
  });
}
