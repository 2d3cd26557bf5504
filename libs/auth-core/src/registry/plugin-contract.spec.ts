import { describe, it } from 'node:test';
import { expect } from 'expect';
import { Controller, Get, Module, Post } from '@nestjs/common';
import { contractProblems, routesOf } from './plugin-contract';

describe('login method contract', () => {
  it('accepts a complete descriptor', () => {
    expect(contractProblems({ id: 'email_otp', displayName: 'Email code', kind: 'otp', supports: ['sign-in', 'sign-up'] })).toEqual([]);
  });

  it('names each problem of a broken descriptor', () => {
    expect(contractProblems({ id: 'Email-OTP', displayName: ' ', kind: 'sms' as never, supports: ['recover' as never] })).toEqual([
      'id "Email-OTP" must be snake_case',
      'displayName is required',
      'kind "sms" is not one of password, otp, oauth, id-token',
      'supports has an unknown capability: recover',
    ]);
    expect(contractProblems(undefined)).toEqual(['missing @LoginMethod descriptor']);
  });

  it('reads the routes a controller declares', () => {
    @Controller('auth')
    class Routes {
      @Post('google')
      start() {}

      @Get(['google/url', 'google/link'])
      url() {}
    }
    @Module({ controllers: [Routes] })
    class Holder {}
    void Holder;
    expect(routesOf(Routes).map((route) => `${route.method} /${route.path}`)).toEqual([
      'POST /auth/google',
      'GET /auth/google/url',
      'GET /auth/google/link',
    ]);
  });
});
