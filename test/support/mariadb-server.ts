import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { freePort } from './api-process';

/**
 * A MariaDB server of the test's own, on a free port and a temporary data directory, so a test
 * can kill and restart it without touching the shared server. Root has no password and may log
 * in from 127.0.0.1 only.
 */
export interface MariaDbServer {
  port: number;
  dataDir: string;
  /** `mariadb://root@127.0.0.1:<port>/<database>` */
  urlFor(database: string): string;
  /** Everything the server wrote, one entry per line. */
  output: string[];
  /** Runs a statement on a fresh connection (the test's view, independent of the service). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Ends the server with `signal` and waits for it to exit: SIGKILL is a crash, SIGTERM a shutdown. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Freezes the server (SIGSTOP): the kernel still accepts connections on its port, but nothing
   * answers, as with a hung server or a network that drops packets. `resume()` thaws it.
   */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port and data directory and waits until it answers. */
  start(): Promise<void>;
  /** Stops it (if running) and deletes the data directory. */
  remove(): Promise<void>;
}

const SERVER_BINARY = process.env.TEST_MARIADBD ?? 'mariadbd';
const INSTALL_BINARY = process.env.TEST_MARIADB_INSTALL_DB ?? 'mariadb-install-db';

export async function startMariaDbServer(): Promise<MariaDbServer> {
  const root = mkdtempSync(join(tmpdir(), 'identity-mariadb-'));
  const dataDir = join(root, 'data');
  const port = await freePort();
  const output: string[] = [];
  await promisify(execFile)(INSTALL_BINARY, [
    '--no-defaults',
    `--datadir=${dataDir}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    ...asRoot(),
  ]).catch((error: Error) => {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`could not create a MariaDB data directory with ${INSTALL_BINARY}: ${error.message}`, { cause: error });
  });
  let child: ChildProcess | undefined;

  const server: MariaDbServer = {
    port,
    dataDir,
    output,
    urlFor: (database) => `mariadb://root@127.0.0.1:${port}/${database}`,
    query: async <T>(sql: string, params: unknown[] = []) => {
      const connection = await createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 2000 });
      try {
        return (await connection.query(sql, params))[0] as T[];
      } finally {
        await connection.end();
      }
    },
    start: async () => {
      child = spawn(SERVER_BINARY, serverArguments(root, dataDir, port), { stdio: ['ignore', 'pipe', 'pipe'] });
      collectLines(child, output);
      await waitUntilAnswering(server, child);
    },
    stop: async (signal = 'SIGTERM') => {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = once(running, 'exit');
      running.kill(signal);
      await exited;
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    remove: async () => {
      server.resume();
      await server.stop('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
  };
  await server.start().catch(async (error: Error) => {
    await server.remove();
    throw error;
  });
  return server;
}

function serverArguments(root: string, dataDir: string, port: number): string[] {
  return [
    '--no-defaults',
    `--datadir=${dataDir}`,
    `--port=${port}`,
    `--socket=${join(root, 'mariadb.sock')}`,
    `--pid-file=${join(root, 'mariadb.pid')}`,
    '--bind-address=127.0.0.1',
    ...asRoot(),
    '--skip-name-resolve',
    // Small enough for a shared test machine; durability settings stay at their defaults, since
    // the test checks that every answered write survives a crash.
    '--innodb-buffer-pool-size=32M',
    '--max-connections=200',
  ];
}

/** The server refuses to run as root (as in a container) unless told to. */
function asRoot(): string[] {
  return process.getuid?.() === 0 ? ['--user=root'] : [];
}

function collectLines(child: ChildProcess, output: string[]): void {
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => output.push(...chunk.split('\n').filter(Boolean)));
  }
}

async function waitUntilAnswering(server: MariaDbServer, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`MariaDB exited with ${child.exitCode}:\n${server.output.join('\n')}`);
    try {
      await server.query('SELECT 1');
      return;
    } catch {
      // Still starting (or recovering after a crash).
    }
    if (Date.now() > deadline) throw new Error(`MariaDB did not answer within ${timeoutMs} ms:\n${server.output.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
