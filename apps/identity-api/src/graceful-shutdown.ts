import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyInstance } from 'fastify';
import { Server } from 'node:http';

/**
 * Set once a shutdown has begun: readiness answers 503 from that moment on, and every response
 * still going out asks the client to close its connection, so keep-alive clients move to another
 * instance instead of sending their next request into a closing one.
 */
@Injectable()
export class ShutdownState implements OnModuleInit {
  stopping = false;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', (_request, reply, payload, done) => {
      if (this.stopping) reply.header('Connection', 'close');
      done(null, payload);
    });
  }
}

/** How often connections left idle by finished requests are closed while draining. */
const IDLE_SWEEP_MS = 100;

/**
 * On SIGTERM or SIGINT: readiness turns 503, the listener closes (no new connections), requests
 * in flight finish, then Nest's shutdown runs (the outbox dispatcher completes its batch, scheduled
 * jobs stop, pools close) and the process exits 0. Whatever is still running after `graceSeconds`
 * is abandoned: an error is logged and the process exits 1.
 *
 * Nest's own signal handling is not used: it closes the HTTP server only after the shutdown hooks
 * (so new connections are accepted meanwhile) and ends the process by re-raising the signal
 * rather than with exit code 0.
 */
export function installGracefulShutdown(app: NestFastifyApplication, graceSeconds: number): void {
  const logger = new Logger('Shutdown');
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    logger.log(`${signal} received: draining for at most ${graceSeconds} s`);
    const finish = (code: number, failure?: string) => {
      clearTimeout(deadline);
      if (failure) logger.error(failure);
      else logger.log('stopped');
      process.exit(code);
    };
    const deadline = setTimeout(
      () => finish(1, `shutdown did not finish within SHUTDOWN_GRACE_PERIOD (${graceSeconds} s); exiting with work unfinished`),
      graceSeconds * 1000,
    );
    drain(app).then(
      () => finish(0),
      (error: Error) => finish(1, `shutdown failed: ${error.stack ?? error.message}`),
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

async function drain(app: NestFastifyApplication): Promise<void> {
  app.get(ShutdownState).stopping = true;
  await stopAccepting(app.getHttpServer() as Server);
  await app.close();
}

/** Closes the listener and resolves once every connection has ended (requests in flight finish first). */
function stopAccepting(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // A keep-alive connection whose request just finished would otherwise stay open until its
    // idle timeout; closing only idle ones never cuts a request short.
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
  });
}
