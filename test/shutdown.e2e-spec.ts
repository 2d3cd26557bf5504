import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';
import { ApiProcess, startApiProcess } from './support/api-process';
import { freshPhone } from './support/code-flows';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { dialect } from './support/test-app';

const ADMIN = { email: 'shutdown-admin@example.com', password: 'a long and slow passphrase 42' };
/** About a second of argon2 per sign-in here, so requests are surely in flight at the signal. */
const SLOW_HASHING = { ARGON2_MEMORY_KIB: '65536', ARGON2_TIME_COST: '16' };
const SMS_DELAY_MS = 3000;

interface SlowGateway {
  url: string;
  /** Requests that arrived (the send has started). */
  arrived: string[];
  /** Requests answered 202 (the send completed). */
  accepted: string[];
  stop(): Promise<void>;
}

/** An SMS webhook that takes SMS_DELAY_MS to accept each message, so a send is caught mid-way. */
async function startSlowGateway(): Promise<SlowGateway> {
  const arrived: string[] = [];
  const accepted: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { to } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to: string };
      arrived.push(to);
      setTimeout(() => {
        accepted.push(to);
        response.writeHead(202, { 'content-type': 'application/json' }).end('{}');
      }, SMS_DELAY_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`,
    arrived,
    accepted,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Outbox rows (status by recipient) read straight from the database after the process is gone. */
async function outboxRows(url: string): Promise<{ recipient: string; status: string }[]> {
  const sql = 'SELECT recipient, status FROM message_outbox';
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length), { readonly: true });
    try {
      return db.prepare(sql).all() as { recipient: string; status: string }[];
    } finally {
      db.close();
    }
  }
  const connection = await createConnection({ uri: url.replace(/^mariadb:/, 'mysql:') });
  try {
    const [rows] = await connection.query(sql);
    return rows as { recipient: string; status: string }[];
  } finally {
    await connection.end();
  }
}

const until = async (check: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** Whether a new TCP connection to the port is refused. */
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });

describe(`graceful shutdown of the real process (${dialect})`, () => {
  let database: ScratchDatabase;
  let cwd: string;
  let gateway: SlowGateway;
  const baseEnv = () => ({
    DATABASE_URL: database.url,
    JWT_KEYS_DIR: join(cwd, 'keys'),
    MESSAGE_LOG_DIR: join(cwd, 'outbox'),
    SMS_URL: gateway.url,
    OUTBOX_POLL_INTERVAL_MS: '50',
    RATE_LIMIT_OTP_IP: '1000/15m',
  });

  before(async () => {
    database = await createScratchDatabase(dialect);
    cwd = mkdtempSync(join(tmpdir(), 'identity-shutdown-'));
    gateway = await startSlowGateway();
  });
  after(async () => {
    await gateway?.stop();
    await database?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('SIGTERM: in-flight requests finish 200, new connections are refused, the send in hand completes, exit 0', async () => {
    const api = await startApiProcess(
      {
        ...baseEnv(),
        ...SLOW_HASHING,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        SHUTDOWN_GRACE_PERIOD: '10',
        LOG_LEVEL: 'log',
      },
      { cwd, readyTimeoutMs: 60_000 },
    );
    try {
      const phone = freshPhone();
      await post(api, '/api/v1/auth/otp/request', { phone }).then((response) => expect(response.status).toBe(202));
      await until(() => gateway.arrived.includes(phone), 10_000);
      const logins = [1, 2, 3].map(() => post(api, '/api/v1/auth/login', { identifier: ADMIN.email, password: ADMIN.password }));
      // Let the requests reach the server before the signal.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const signalled = Date.now();
      const exit = api.stop('SIGTERM', 30_000);

      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await refused(api.port)).toBe(true);
      const answers = await Promise.all(logins);
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.body.accessToken).toEqual(expect.any(String));
        // Keep-alive clients are told to go elsewhere for their next request.
        expect(answer.connection).toBe('close');
      }
      expect(await exit).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(10_000);
      const log = api.output.join('\n');
      expect(log).toMatch(/SIGTERM received/);
      expect(log).toMatch(/"context":"Shutdown","msg":"stopped"/);
      expect(log).not.toMatch(/did not finish within/);

      // The message that was being sent at the signal was delivered once and recorded as sent.
      expect(gateway.accepted.filter((to) => to === phone)).toHaveLength(1);
      const rows = await outboxRows(database.url);
      expect(rows.filter((row) => row.status === 'sending')).toEqual([]);
      expect(rows.find((row) => row.recipient === phone)?.status).toBe('sent');
    } finally {
      await api.stop('SIGKILL');
    }
  });

  it('a request still hanging after SHUTDOWN_GRACE_PERIOD does not keep the process: exit 1 with an error', async () => {
    const api = await startApiProcess({ ...baseEnv(), SHUTDOWN_GRACE_PERIOD: '1' }, { cwd });
    const socket = connect(api.port, '127.0.0.1');
    try {
      // A body announced but never sent: the request stays in flight for as long as the client wants.
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(
        'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"identifier":',
      );
      socket.on('error', () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const signalled = Date.now();
      const code = await api.stop('SIGTERM', 10_000);
      const elapsed = Date.now() - signalled;
      expect(code).toBe(1);
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(3000);
      expect(api.output.join('\n')).toMatch(/did not finish within SHUTDOWN_GRACE_PERIOD \(1 s\)/);
    } finally {
      socket.destroy();
      await api.stop('SIGKILL');
    }
  });

  it('SIGINT with nothing in flight stops at once with exit 0', async () => {
    const api = await startApiProcess({ ...baseEnv() }, { cwd });
    const signalled = Date.now();
    expect(await api.stop('SIGINT', 10_000)).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(3000);
  });
});

async function post(api: ApiProcess, path: string, body: unknown) {
  const response = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    connection: response.headers.get('connection'),
    body: (await response.json()) as Record<string, unknown>,
  };
}
