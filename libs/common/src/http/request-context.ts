import { AsyncLocalStorage } from 'node:async_hooks';
import { FastifyInstance, FastifyRequest } from 'fastify';
import { clientContextOf } from './client-context';

/** What is known about the HTTP request being served, for code far from the controller. */
export interface RequestContext {
  requestId: string;
  method: string;
  /** Route pattern when known (e.g. /api/v1/me/sessions/:id), else the path. */
  endpoint: string;
  ip: string | null;
  userAgent: string | null;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** Set by the access-token guard once the caller is known. */
  userId?: string;
  sessionId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();
const CONTEXT = Symbol('request-context');

type RequestWithContext = FastifyRequest & { [CONTEXT]?: RequestContext };

/**
 * Carries the request context through async calls, so the audit log can record the IP, user
 * agent, endpoint and duration of an event, and every log entry its request id, without every
 * service passing them along.
 */
export const requestContext = {
  current(): RequestContext | undefined {
    return storage.getStore();
  },
  /** Records who is calling, once a guard knows, for what runs later in the request. */
  identify(userId: string, sessionId: string): void {
    const context = storage.getStore();
    if (context) Object.assign(context, { userId, sessionId });
  },
};

/**
 * Serves every request inside its context, from its first hook to its response. The body is read
 * from socket events, which carry the socket's async context rather than the request's, so the
 * context is entered again before validation, the guards and the handler.
 */
export function serveRequestsInContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request: RequestWithContext, _reply, done) => {
    const client = clientContextOf(request);
    const context: RequestContext = {
      requestId: client.requestId,
      method: request.method,
      endpoint: request.routeOptions?.url ?? request.url.split('?')[0],
      ip: client.ip,
      userAgent: client.userAgent,
      startedAt: performance.now(),
    };
    request[CONTEXT] = context;
    storage.run(context, done);
  });
  fastify.addHook('preValidation', (request: RequestWithContext, _reply, done) => {
    const context = request[CONTEXT];
    if (context) storage.run(context, done);
    else done();
  });
}
