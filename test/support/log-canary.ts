import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pino, { DestinationStream } from 'pino';
import type { LogOutput } from '../../apps/identity-api/src/bootstrap';

/**
 * The log canary of an e2e run (see scripts/check-log-canary.ts). The runner names a fresh
 * directory in LOG_CANARY_DIR; every app started by the specs then logs everything at `debug`
 * there, and the secrets its traffic carried are written beside the logs, so that after the run
 * each secret can be looked for in each log line.
 */
const canaryDir = process.env.LOG_CANARY_DIR;

/** Request body (and query) fields whose values a log must never show. */
const REQUEST_SECRETS = new Set([
  'password',
  'currentPassword',
  'newPassword',
  'code',
  'recoveryCode',
  'idToken',
  'id_token',
  'refreshToken',
  'mfaToken',
  'accessToken',
  'token',
]);
/** Response body fields that hand out a secret (`code` only on success: errors carry a `code` too). */
const RESPONSE_SECRETS = new Set(['accessToken', 'refreshToken', 'mfaToken', 'code', 'recoveryCodes', 'secret', 'otpauthUrl', 'idToken']);

/** Every spec file runs in its own process: one log file and one secrets file per process. */
const fileStem = () => `${basename(process.argv[1] ?? 'spec').replace(/\.js$/, '')}-${process.pid}`;

let destination: DestinationStream | undefined;
const recorded = new Set<string>();

/**
 * Where startTestApp sends the logs: the canary file at `debug` whatever LOG_LEVEL the suite
 * chose, plus `extra` when a spec reads the entries itself. Every app of a spec process shares
 * the one file.
 */
export function testLogOutput(extra?: DestinationStream): LogOutput | undefined {
  if (!canaryDir) return extra && { destination: extra, level: 'debug' };
  if (!destination) {
    mkdirSync(canaryDir, { recursive: true });
    destination = pino.destination({ dest: join(canaryDir, `${fileStem()}.log`), sync: true });
  }
  if (!extra) return { destination, level: 'debug' };
  const streams = [destination, extra].map((stream) => ({ stream, level: 'debug' as const }));
  return { destination: pino.multistream(streams), level: 'debug' };
}

/** Notes a secret seen in traffic (or in a delivered message) for the check after the run. */
export function recordSecret(value: unknown, source: string): void {
  if (!canaryDir || typeof value !== 'string' || recorded.has(value)) return;
  recorded.add(value);
  mkdirSync(canaryDir, { recursive: true });
  appendFileSync(join(canaryDir, `${fileStem()}.secrets.jsonl`), `${JSON.stringify({ source, value })}\n`);
}

/** Records the values of `fields` anywhere in a parsed JSON value. */
function recordFields(value: unknown, fields: Set<string>, source: string): void {
  if (Array.isArray(value)) return value.forEach((item) => recordFields(item, fields, source));
  if (!value || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    if (fields.has(key)) [inner].flat().forEach((item) => recordSecret(item, `${source} ${key}`));
    else recordFields(inner, fields, source);
  }
}

function recordResponse(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
  const location = reply.getHeader('location');
  if (typeof location === 'string') recordSecret(new URL(location, 'http://x').searchParams.get('code'), 'redirect code');
  const type = String(reply.getHeader('content-type') ?? '');
  if (typeof payload !== 'string' || !type.startsWith('application/json') || reply.statusCode >= 400) return;
  try {
    recordFields(JSON.parse(payload), RESPONSE_SECRETS, `response of ${request.method} ${request.routeOptions?.url}`);
  } catch {
    // Not JSON after all: nothing to collect.
  }
}

/** Test-only hooks that note the secrets of every request and response of this app. */
export function collectSecrets(fastify: FastifyInstance): void {
  if (!canaryDir) return;
  fastify.addHook('preHandler', async (request) => {
    const source = `request to ${request.method} ${request.routeOptions?.url}`;
    recordFields(request.body, REQUEST_SECRETS, source);
    recordFields(request.query, REQUEST_SECRETS, source);
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    recordResponse(request, reply, payload);
    return payload;
  });
}

/** The six-digit codes of a delivered mail or SMS. */
export function recordMessageCodes(text: string, source: string): void {
  for (const [code] of text.matchAll(/\b\d{6}\b/g)) recordSecret(code, source);
}
