import { DynamicModule, LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, LoggerModule, Params, PinoLogger } from 'nestjs-pino';
import { Logger } from 'pino';

/**
 * nestjs-pino on the application's own pino logger. Its middleware binds the request id
 * (Fastify's, copied onto the raw request) to every entry logged while serving a request, and
 * nothing else of the request: the URL carries a query string. The line per completed request
 * comes from `logCompletedRequests`.
 */
function params(logger: Logger): Params {
  return { pinoHttp: { logger, quietReqLogger: true, quietResLogger: true, autoLogging: false } };
}

export function loggingModule(logger: Logger): DynamicModule {
  return LoggerModule.forRoot(params(logger));
}

/**
 * The same logger for Nest itself, given to NestFactory from the start rather than taken from the
 * container once it is built: entries of a boot that fails are then JSON lines too.
 */
export function nestLogger(logger: Logger): LoggerService {
  const settings = params(logger);
  return new NestPinoLogger(new PinoLogger(settings), settings);
}
