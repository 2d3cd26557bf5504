import { describe, it } from 'node:test';
import { expect } from 'expect';
import { Controller, Injectable, Module, Post } from '@nestjs/common';
import { LoginMethod, LoginMethodDescriptor } from '@identity/auth-core';
import { Public } from '@identity/common';
import { startTestApp } from './support/test-app';

/** A one-off provider module for boot-time refusal tests. */
function providerModule(descriptor: LoginMethodDescriptor, path = `auth/${descriptor.id}`) {
  @Injectable()
  @LoginMethod(descriptor)
  class Method {
    isConfigured() {
      return true;
    }
  }

  @Controller()
  class Routes {
    @Public()
    @Post(path)
    signIn() {
      return {};
    }
  }

  @Module({ providers: [Method], controllers: [Routes] })
  class ProviderModule {}
  return ProviderModule;
}

const valid = (id: string): LoginMethodDescriptor => ({ id, displayName: id, kind: 'id-token', supports: ['sign-in'] });

describe('provider registry refuses a broken plug-in at boot', () => {
  it('two providers with the same id', async () => {
    await expect(
      startTestApp({}, undefined, [providerModule(valid('twin')), providerModule(valid('twin'), 'auth/twin-2')]),
    ).rejects.toThrow(/provider id "twin" is declared twice/);
  });

  it('two routes that collide, naming both owners', async () => {
    await expect(startTestApp({}, undefined, [providerModule(valid('clash'), 'auth/login')])).rejects.toThrow(
      /route POST \/auth\/login is declared by both/,
    );
  });

  it('a route outside /auth and /me', async () => {
    await expect(startTestApp({}, undefined, [providerModule(valid('stray'), 'admin/stray')])).rejects.toThrow(/outside \/auth and \/me/);
  });

  it('a descriptor that breaks the contract', async () => {
    await expect(
      startTestApp({}, undefined, [providerModule({ id: 'Bad-Id', displayName: '', kind: 'magic' as never, supports: [] })]),
    ).rejects.toThrow(/must be snake_case.*displayName is required.*kind "magic".*supports must list/);
  });

  it('but boots with a valid extra provider', async () => {
    const t = await startTestApp({}, undefined, [providerModule(valid('extra_idp'))]);
    try {
      const listed = await t.http().get('/api/v1/auth/providers').expect(200);
      expect(listed.body.map((provider: { id: string }) => provider.id).sort()).toEqual(['email_otp', 'extra_idp', 'local', 'mobile_otp']);
    } finally {
      await t.close();
    }
  });

  it('upserts a row for each provider of the normalized design, active only where mounted and configured', async () => {
    const t = await startTestApp();
    try {
      const { DataSource } = await import('typeorm');
      const rows = await t.app.get(DataSource).query('SELECT name, is_active AS active FROM auth_providers ORDER BY name');
      expect(rows.map((row: { name: string; active: unknown }) => [row.name, Boolean(Number(row.active))])).toEqual([
        ['apple', false],
        ['email_otp', true],
        ['facebook', false],
        // Mounted but not configured: no FIREBASE_PROJECT_ID here.
        ['firebase', false],
        ['google', false],
        ['local', true],
        ['mobile_otp', true],
      ]);
    } finally {
      await t.close();
    }
  });
});
