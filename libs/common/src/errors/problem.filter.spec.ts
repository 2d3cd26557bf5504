import { describe, it } from 'node:test';
import { expect } from 'expect';
import { BadRequestException, HttpException } from '@nestjs/common';
import { AppError, Errors, ValidationError } from './app-error';
import { toProblem } from './problem.filter';

describe('problem documents', () => {
  it('renders an AppError with its code, headers and extensions', () => {
    const { body, headers } = toProblem(Errors.unauthenticated(), '/api/v1/me');
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Authentication required',
      status: 401,
      detail: 'A valid access token is required.',
      code: 'unauthenticated',
      instance: '/api/v1/me',
    });
    expect(headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
  });

  it('lists field errors for validation failures', () => {
    const { body } = toProblem(new ValidationError([{ field: 'identifier', messages: ['identifier must be a string'] }]));
    expect(body).toMatchObject({
      status: 400,
      code: 'validation_failed',
      errors: [{ field: 'identifier', messages: ['identifier must be a string'] }],
    });
  });

  it('maps framework HTTP exceptions to stable codes', () => {
    expect(toProblem(new BadRequestException('nope')).body).toMatchObject({ status: 400, code: 'bad_request', detail: 'nope' });
    expect(toProblem(new HttpException('gone', 404)).body).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('keeps the cause code of Fastify request errors', () => {
    const cause = Object.assign(new Error('Body is not valid JSON'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 });
    expect(toProblem(new HttpException('Body is not valid JSON', 400, { cause })).body.code).toBe('malformed_json');
  });

  it('hides unexpected errors behind an opaque 500', () => {
    const { body } = toProblem(new Error('SELECT * FROM users WHERE password_hash = ...'));
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Internal server error',
      status: 500,
      detail: 'An unexpected error occurred.',
      code: 'internal_error',
      instance: undefined,
    });
  });

  it('answers 503 with Retry-After when the database is unreachable', () => {
    const { body, headers } = toProblem(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(body).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(headers['Retry-After']).toBe('5');
  });

  it('never lets an extension override the standard members', () => {
    const error = new AppError(418, 'teapot', 'Teapot', 'short and stout', { extra: 1 });
    expect(toProblem(error).body).toMatchObject({ status: 418, code: 'teapot', extra: 1 });
  });
});
