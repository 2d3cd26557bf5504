import { describe, it } from 'node:test';
import { expect } from 'expect';
import { Controller, Get, Injectable, Module, Post } from '@nestjs/common';
import { LoginMethod, LoginMethodRequest } from './login-method';
import { assertPluginContract, contractProblems, routesOf } from './plugin-contract';

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

  it('demands that methods sharing the routes of a module each recognise their own requests', () => {
    @Controller('auth/code')
    class SharedRoutes {
      @Post('request')
      request() {}
    }
    @Injectable()
    @LoginMethod({ id: 'by_mail', displayName: 'Mail', kind: 'otp', supports: ['sign-in'] })
    class ByMail {
      isConfigured() {
        return true;
      }
      handles(request: LoginMethodRequest) {
        return typeof (request.body as { email?: unknown })?.email === 'string';
      }
    }
    @Injectable()
    @LoginMethod({ id: 'by_text', displayName: 'Text', kind: 'otp', supports: ['sign-in'] })
    class ByText {
      isConfigured() {
        return true;
      }
    }
    @Module({ controllers: [SharedRoutes], providers: [ByMail, ByText] })
    class Shared {}
    expect(() => assertPluginContract([Shared])).toThrow(
      /login method by_text: shares its module's routes with another method but does not implement handles\(request\)/,
    );
    expect(() => assertPluginContract([Shared])).not.toThrow(/login method by_mail/);
  });
});
