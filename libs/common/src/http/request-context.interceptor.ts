import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { RequestWithPrincipal } from '../auth/auth.decorators';
import { clientContextOf } from './client-context';
import { requestContext } from './request-context';

export interface TimedRequest {
  /** performance.now() when the request arrived (set by an onRequest hook). */
  receivedAt?: number;
}

/** Runs each handler inside its request context (see requestContext). */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & RequestWithPrincipal & TimedRequest>();
    const client = clientContextOf(request);
    const store = {
      requestId: client.requestId,
      method: request.method,
      endpoint: request.routeOptions?.url ?? request.url.split('?')[0],
      ip: client.ip,
      userAgent: client.userAgent,
      startedAt: request.receivedAt ?? performance.now(),
      userId: request.principal?.userId,
      sessionId: request.principal?.sessionId,
    };
    return new Observable((subscriber) => requestContext.run(store, () => next.handle().subscribe(subscriber)));
  }
}
