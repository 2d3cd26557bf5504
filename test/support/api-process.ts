import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FAST_HASHING } from './test-app';

/** See log-canary.ts: in an e2e run the process logs at `debug` and its output is kept for the check. */
const canaryDir = process.env.LOG_CANARY_DIR;

/** The compiled API entry point, as production starts it (`node dist/.../main.js`). */
const MAIN = join(__dirname, '..', '..', 'apps', 'identity-api', 'src', 'main.js');

export interface ApiProcess {
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far, one entry per line. */
  output: string[];
  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs`. Resolves with the exit code. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

/** A TCP port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the real service as its own OS process (not inside the test's process), with only the
 * environment given here plus test defaults, and waits until `GET /health/ready` answers 200.
 * Several of them on one database and one Redis make a cluster. The working directory is
 * `cwd` so no `.env` of the repository is read.
 */
export async function startApiProcess(env: Record<string, string>, options: { cwd: string; readyTimeoutMs?: number }): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--enable-source-maps', MAIN], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      RATE_LIMIT_ROUTES: 'false',
      ENUMERATION_MIN_RESPONSE_MS: '0',
      ...FAST_HASHING,
      ...env,
      ...(canaryDir ? { LOG_LEVEL: 'debug' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      output.push(...lines);
      if (canaryDir && lines.length) appendFileSync(join(canaryDir, `api-${process.pid}-${port}.out`), `${lines.join('\n')}\n`);
    });
  }
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const api: ApiProcess = {
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    output,
    stop: async (signal = 'SIGTERM', graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API process exited with ${child.exitCode} before it was ready:\n${output.join('\n')}`);
    try {
      const response = await fetch(`${api.url}/health/ready`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return api;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await api.stop('SIGKILL');
      throw new Error(`API process not ready within ${options.readyTimeoutMs ?? 30_000} ms:\n${output.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
