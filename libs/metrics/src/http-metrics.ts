import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceMetrics } from './service-metrics';

/** Requests that matched no route share one label, so probing random URLs can't grow the series. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The route pattern (`/api/v1/me/sessions/:id`), never the URL with its ids and query. */
export function routeLabel(request: Pick<FastifyRequest, 'routeOptions'>): string {
  return request.routeOptions?.url ?? UNMATCHED_ROUTE;
}

/** Times every request from Fastify's onResponse hook, which runs after the reply has been sent. */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Callback hooks, not async ones: a promise per request is measurable on the hot path.
    fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
      this.metrics.httpDuration.observe(
        { method: request.method, route: routeLabel(request), status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }
}
