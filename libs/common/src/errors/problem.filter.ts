import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { isDatabaseUnavailable } from './unavailable';

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  [extension: string]: unknown;
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  503: 'service_unavailable',
};

/** Fastify's own error codes for malformed requests, mapped to our stable codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
};

const logger = new Logger('Problem');

/** Builds the problem document for any thrown value; unknown errors become an opaque 500. */
export function toProblem(error: unknown, instance?: string): { body: ProblemBody; headers: Record<string, string> } {
  if (error instanceof AppError) {
    return {
      body: {
        type: 'about:blank',
        title: error.title,
        status: error.status,
        detail: error.detail,
        code: error.code,
        instance,
        ...error.extensions,
      },
      headers: error.headers,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const detail = typeof response === 'string' ? response : ((response as { message?: unknown }).message as string | undefined);
    const headers: Record<string, string> = {};
    if (status === HttpStatus.TOO_MANY_REQUESTS) headers['Retry-After'] = '60';
    return {
      body: {
        ...extraMembers(response),
        type: 'about:blank',
        title: titleFor(status),
        status,
        detail: Array.isArray(detail) ? detail.join('; ') : detail,
        code: fastifyCode(error.cause) ?? STATUS_CODES[status] ?? (status >= 500 ? 'internal_error' : 'bad_request'),
        instance,
      },
      headers,
    };
  }
  if (isDatabaseUnavailable(error)) {
    warnUnavailable(error);
    return {
      body: {
        type: 'about:blank',
        title: 'Service unavailable',
        status: 503,
        detail: 'A dependency of the service is unavailable. Try again shortly.',
        code: 'service_unavailable',
        instance,
      },
      headers: { 'Retry-After': '5' },
    };
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return {
    body: {
      type: 'about:blank',
      title: 'Internal server error',
      status: 500,
      detail: 'An unexpected error occurred.',
      code: 'internal_error',
      instance,
    },
    headers: {},
  };
}

/**
 * Members of an HttpException body worth keeping as problem extensions (e.g. the per-dependency
 * `details` of a failed health check); Nest's own `message`/`statusCode`/`error` strings are not.
 */
function extraMembers(response: string | object): Record<string, unknown> {
  if (typeof response !== 'object') return {};
  const members: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(response)) {
    if (['message', 'statusCode', 'status'].includes(key) || (key === 'error' && typeof value === 'string')) continue;
    members[key] = value;
  }
  return members;
}

/** Nest wraps Fastify's request errors (bad JSON, body too large) and keeps them as the cause. */
function fastifyCode(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? FASTIFY_CODES[code] : undefined;
}

function titleFor(status: number): string {
  const code = STATUS_CODES[status];
  if (!code) return status >= 500 ? 'Internal server error' : 'Bad request';
  const words = code.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** While the database is down every request fails alike: one warning per interval, with a count. */
const UNAVAILABLE_WARNING_INTERVAL_MS = 10_000;
let unavailableWarnings = { warnedAt: 0, suppressed: 0 };

function warnUnavailable(error: unknown): void {
  const now = Date.now();
  if (now - unavailableWarnings.warnedAt < UNAVAILABLE_WARNING_INTERVAL_MS) {
    unavailableWarnings.suppressed++;
    return;
  }
  const more = unavailableWarnings.suppressed ? ` (and ${unavailableWarnings.suppressed} more since the last warning)` : '';
  unavailableWarnings = { warnedAt: now, suppressed: 0 };
  logger.warn(`database unavailable, answering 503: ${(error as Error).message}${more}`);
}

export function sendProblem(reply: FastifyReply, error: unknown, instance?: string): void {
  const { body, headers } = toProblem(error, instance);
  void reply.status(body.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** Renders every error that reaches Nest as RFC 9457 problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    sendProblem(http.getResponse<FastifyReply>(), exception, request.url?.split('?')[0]);
  }
}
