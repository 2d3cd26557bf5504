import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { freePort } from './api-process';

/** A Redis server of the test's own on a free port, without persistence, to stop and start at will. */
export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  output: string[];
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const BINARY = process.env.TEST_REDIS_SERVER ?? 'redis-server';

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const output: string[] = [];
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    output,
    start: async () => {
      child = spawn(BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      for (const stream of [child.stdout!, child.stderr!]) {
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => output.push(...chunk.split('\n').filter(Boolean)));
      }
      await untilItPongs(port, child, output);
    },
    stop: async (signal = 'SIGKILL') => {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = once(running, 'exit');
      running.kill(signal);
      await exited;
    },
  };
  await server.start();
  return server;
}

async function untilItPongs(port: number, child: ChildProcess, output: string[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pongs(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${output.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`redis-server did not answer within ${timeoutMs} ms:\n${output.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function pongs(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
