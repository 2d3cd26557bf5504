import { DynamicModule, Logger, RequestMethod, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { FastifyRequest } from 'fastify';
import { DestinationStream } from 'pino';
import {
  createAppLogger,
  createValidationPipe,
  firstDuplicateKey,
  loadAppConfig,
  logCompletedRequests,
  PinoNestLogger,
  ProblemDto,
  ProblemFilter,
  serializeReply,
  serveRequestsInContext,
  ValidationError,
} from '@identity/common';
import { PasswordHasher } from '@identity/auth-core';
import { AppModule } from './app.module';
import { assertValidConfig } from './config-check';
import { installGracefulShutdown } from './graceful-shutdown';
import { lowerWorkerThreadPriority } from './thread-priority';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Routes served at the root rather than under /api/v1. */
const ROOT_ROUTES = ['health', 'health/ready', 'metrics', '.well-known/jwks.json', '.well-known/openid-configuration'];

/** Sends every log entry, as JSON lines at `level`, to `destination` instead of the configured output. */
export interface LogOutput {
  destination: DestinationStream;
  level: string;
}

/**
 * Builds the HTTP application (not listening yet). Shared by main.ts, the e2e tests and the
 * benchmark so all of them run exactly the same stack.
 */
export async function createApp(
  env: NodeJS.ProcessEnv = process.env,
  extraModules: (Type | DynamicModule)[] = [],
  logOutput?: LogOutput,
): Promise<NestFastifyApplication> {
  assertValidConfig(env);
  const config = loadAppConfig(env);
  const logger = logOutput
    ? createAppLogger({ ...logOutput, format: 'json' })
    : createAppLogger({ level: config.logLevel, format: config.logFormat });
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimit,
    // TRUST_PROXY hops are believed: the peer and the (n-1) addresses before it in
    // X-Forwarded-For. Fastify refuses a bare hop count (it can't check the peer is a proxy), so
    // the count is given as a trust function; deploy so only the proxy can reach the service.
    trustProxy: config.trustProxy > 0 ? (_address: string, hop: number) => hop < config.trustProxy : false,
    // A client-supplied request id is kept (for tracing across services) only when well-formed.
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
  });
  const nestLogger = new PinoNestLogger(logger);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(env, extraModules, nestLogger), adapter, {
    logger: nestLogger,
    // Throw boot errors to the caller (main.ts prints them and exits; tests assert on them).
    abortOnError: false,
  });

  const fastify = app.getHttpAdapter().getInstance();
  fastify.setReplySerializer(serializeReply);
  serveRequestsInContext(fastify);
  logCompletedRequests(fastify, logger);
  refuseDuplicateJsonKeys(app, config.bodyLimit);
  const securityHeaders = securityHeadersFor(config.env === 'production');
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(securityHeaders);
    reply.header('X-Request-Id', request.id);
    // Tokens, codes' answers and account data must never sit in a shared or browser cache.
    if (request.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
    done();
  });
  app.enableCors({
    origin: config.corsOrigins.length ? config.corsOrigins : false,
    credentials: true,
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy'],
  });
  app.setGlobalPrefix('api/v1', { exclude: ROOT_ROUTES.map((path) => ({ path, method: RequestMethod.GET })) });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  setUpSwagger(app, config.appName, config.publicUrl);
  return app;
}

/**
 * Helmet's headers, which are the same for every response with this configuration, read once by
 * running its middleware against a recording response. Set per request as one object: running
 * the middleware for each request cost a few percent of an authenticated GET.
 */
function securityHeadersFor(production: boolean): Record<string, string> {
  const middleware = helmet({
    // Browsers keep HSTS for a year: sent only where the service is meant to be reached over TLS.
    hsts: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  const headers: Record<string, string> = {};
  const recorder = { setHeader: (name: string, value: string) => (headers[name] = value), removeHeader: () => undefined };
  let outcome: { error?: unknown } | undefined;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => (outcome = { error }));
  if (!outcome || outcome.error) throw new Error('helmet did not set its headers synchronously', { cause: outcome?.error });
  return headers;
}

function setUpSwagger(app: NestFastifyApplication, appName: string, publicUrl: string): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(`${appName} API`)
      .setDescription(
        'Sign-in, sessions and accounts. Errors are RFC 9457 problem+json with a stable `code`. Access tokens are short-lived JWTs; verify them offline with `/.well-known/jwks.json`.',
      )
      .setVersion('1')
      .addServer(publicUrl)
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
    { extraModels: [ProblemDto] },
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', customSiteTitle: `${appName} API` });
}

/**
 * JSON bodies go through Fastify's own parser (prototype-poisoning checks included) after a scan
 * that refuses a member name given twice in one object: JSON.parse would keep the last one.
 */
function refuseDuplicateJsonKeys(app: NestFastifyApplication, bodyLimit: number): void {
  const parse = app.getHttpAdapter().getInstance().getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit }, (request, body, done) => {
    const text = body.toString('utf8');
    const duplicate = firstDuplicateKey(text);
    if (!duplicate) return parse(request as FastifyRequest, text, done);
    const problem = [{ field: duplicate, messages: [`${duplicate} is given more than once`] }];
    done(new ValidationError(problem, 'The JSON body gives a member twice.'), undefined);
  });
}

export async function start(): Promise<void> {
  const app = await createApp();
  const { port, shutdownGraceSeconds, workerThreadNice } = loadAppConfig();
  installGracefulShutdown(app, shutdownGraceSeconds);
  await lowerWorkerThreadPriority(workerThreadNice);
  await app.get(PasswordHasher).warmUp();
  await app.listen(port, '0.0.0.0');
  new Logger('Bootstrap').log(`listening on port ${port}; docs at /docs`);
}
