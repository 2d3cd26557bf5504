import { AsyncLocalStorage } from 'node:async_hooks';

/** What is known about the HTTP request being served, for code far from the controller. */
export interface RequestContext {
  requestId: string;
  method: string;
  /** Route pattern when known (e.g. /api/v1/me/sessions/:id), else the path. */
  endpoint: string;
  ip: string | null;
  userAgent: string | null;
  startedAt: number;
  /** Set by the access-token guard once the caller is known. */
  userId?: string;
  sessionId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * Carries the request context through async calls, so the audit log can record the IP, user
 * agent, endpoint and duration of an event without every service passing them along.
 */
export const requestContext = {
  run<T>(context: RequestContext, work: () => T): T {
    return storage.run(context, work);
  },
  current(): RequestContext | undefined {
    return storage.getStore();
  },
};
