import 'reflect-metadata';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamicModule, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DestinationStream } from 'pino';
import request from 'supertest';
import { createApp } from '../../apps/identity-api/src/bootstrap';
import { collectSecrets, recordMessageCodes, testLogOutput } from './log-canary';
import { createScratchDatabase, ScratchDatabase, TestDialect } from './scratch-database';

export const dialect = (process.env.TEST_DB ?? 'sqlite') as TestDialect;

/** Cheap argon2 parameters: the tests check behaviour, not hashing cost. */
export const FAST_HASHING = { ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1' };

export interface TestApp {
  app: NestFastifyApplication;
  http: () => ReturnType<typeof request>;
  env: NodeJS.ProcessEnv;
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * Boots the real application (same bootstrap as production) on a fresh scratch database of the
 * dialect this run is for, with its own key directory. `overrides` are extra environment values;
 * `extraModules` mounts test-only modules (a fixture login method); `logTo` also receives every
 * log entry, at `debug`, as JSON lines. In an e2e run the logs and the secrets of the traffic go
 * to the log canary as well (see log-canary.ts).
 */
export async function startTestApp(
  overrides: Record<string, string | undefined> = {},
  database?: ScratchDatabase,
  extraModules: (Type | DynamicModule)[] = [],
  logTo?: DestinationStream,
): Promise<TestApp> {
  const scratch = database ?? (await createScratchDatabase(dialect));
  const keysDir = mkdtempSync(join(tmpdir(), 'identity-keys-'));
  const messagesDir = mkdtempSync(join(tmpdir(), 'identity-messages-'));
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    PUBLIC_URL: 'http://identity.test',
    DATABASE_URL: scratch.url,
    JWT_KEYS_DIR: keysDir,
    // Suites that read messages pass MAIL_URL / SMS_URL of their own receivers.
    MESSAGE_LOG_DIR: messagesDir,
    OUTBOX_POLL_INTERVAL_MS: '100',
    // Every suite talks from 127.0.0.1; the abuse suite switches route limits back on.
    RATE_LIMIT_ROUTES: 'false',
    // Code requests answer at once; the timing suite measures the production floor.
    ENUMERATION_MIN_RESPONSE_MS: '0',
    ...FAST_HASHING,
    ...overrides,
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
  let app: NestFastifyApplication;
  try {
    app = await createApp(process.env, extraModules, testLogOutput(logTo));
    collectSecrets(app.getHttpAdapter().getInstance());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  } catch (error) {
    restoreEnv(saved);
    for (const dir of [keysDir, messagesDir]) rmSync(dir, { recursive: true, force: true });
    if (!database) await scratch.drop();
    throw error;
  }
  return {
    app,
    env,
    databaseUrl: scratch.url,
    http: () => request(app.getHttpServer()),
    close: async () => {
      await app.close();
      restoreEnv(saved);
      recordLoggedMessages(messagesDir);
      for (const dir of [keysDir, messagesDir]) rmSync(dir, { recursive: true, force: true });
      if (!database) await scratch.drop();
    },
  };
}

/** Messages of the `log` transport are delivered messages too: their codes count as secrets. */
function recordLoggedMessages(dir: string): void {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  for (const file of files) recordMessageCodes(readFileSync(join(file.parentPath, file.name), 'utf8'), 'code in a logged message');
}

function restoreEnv(saved: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
}
