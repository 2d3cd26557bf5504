import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Level, Logger } from 'pino';
import { RequestWithPrincipal } from '../auth/auth.decorators';

/**
 * Probes called every few seconds by an orchestrator or a scraper: their successful lines go to
 * `debug`, so `info` carries the traffic of people and clients. A failing probe still shows.
 */
const PROBE_ROUTES = new Set(['/health', '/health/ready', '/metrics']);

export interface RequestLine {
  reqId: string;
  method: string;
  /** The route pattern (`/api/v1/admin/users/:id`), or null when no route matched. */
  route: string | null;
  /** The path without its query string: a query can carry codes and tokens. */
  path: string;
  status: number;
  durationMs: number;
  userId?: string;
}

export function requestLine(request: FastifyRequest & RequestWithPrincipal, reply: FastifyReply): RequestLine {
  return {
    reqId: String(request.id),
    method: request.method,
    route: request.routeOptions?.url ?? null,
    path: request.url.split('?')[0],
    status: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 10) / 10,
    userId: request.principal?.userId,
  };
}

export function requestLineLevel(line: Pick<RequestLine, 'status' | 'route' | 'path'>): Level {
  if (line.status >= 500) return 'error';
  return PROBE_ROUTES.has(line.route ?? line.path) ? 'debug' : 'info';
}

/**
 * One line per completed request. Written from a Fastify hook rather than by pino-http, which
 * sees only the raw Node request: the route pattern and the authenticated user are known here.
 * Bodies and headers are never part of it.
 */
export function logCompletedRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    // The line is built only when its level is logged (not at LOG_LEVEL=warn, say).
    const route = request.routeOptions?.url ?? null;
    const level = requestLineLevel({ status: reply.statusCode, route, path: route ?? request.url.split('?')[0] });
    if (logger.isLevelEnabled(level)) logger[level](requestLine(request, reply), 'request completed');
    done();
  });
}
