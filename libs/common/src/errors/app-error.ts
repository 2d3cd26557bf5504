import { HttpStatus } from '@nestjs/common';

/** A field-level validation failure, rendered in the `errors[]` member of a problem document. */
export interface FieldError {
  field: string;
  messages: string[];
}

/**
 * An error the service means to show the client. Everything else that is thrown is rendered
 * as an opaque 500 so internals never leak.
 *
 * `code` is a stable snake_case identifier clients may branch on; `title` is its short human
 * summary and `detail` explains this occurrence.
 */
export class AppError extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'AppError';
  }
}

export class ValidationError extends AppError {
  constructor(
    readonly errors: FieldError[],
    detail = 'The request has invalid fields.',
  ) {
    super(HttpStatus.BAD_REQUEST, 'validation_failed', 'Validation failed', detail, { errors });
  }
}

export const Errors = {
  unauthenticated: (detail = 'A valid access token is required.') =>
    new AppError(
      HttpStatus.UNAUTHORIZED,
      'unauthenticated',
      'Authentication required',
      detail,
      {},
      {
        'WWW-Authenticate': 'Bearer',
      },
    ),
  invalidToken: (detail = 'The access token is invalid or expired.') =>
    new AppError(
      HttpStatus.UNAUTHORIZED,
      'invalid_token',
      'Invalid access token',
      detail,
      {},
      {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      },
    ),
  forbidden: (detail = 'You do not have permission to do this.') => new AppError(HttpStatus.FORBIDDEN, 'forbidden', 'Forbidden', detail),
  notFound: (what = 'resource') => new AppError(HttpStatus.NOT_FOUND, 'not_found', 'Not found', `The ${what} was not found.`),
  badRequest: (code: string, detail: string) => new AppError(HttpStatus.BAD_REQUEST, code, 'Bad request', detail),
};
