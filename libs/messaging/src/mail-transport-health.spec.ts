import { describe, it } from 'node:test';
import { expect } from 'expect';
import { createServer, Server, Socket } from 'node:net';
import { MAIL_CHECK_CACHE_MS, MailTransportHealth } from './mail-transport-health';
import { MessagingConfig } from './messaging.config';

const health = (mailUrl: string) => new MailTransportHealth({ mailUrl } as MessagingConfig);

/** A TCP server that accepts connections and never says a word (a hung mail server). */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('mail transport health', () => {
  it('log mode has nothing to reach and is up', async () => {
    expect(await health('log').check()).toMatchObject({ status: 'up', transport: 'log' });
  });

  it('a server that never greets is down within about a second', async () => {
    const server = await silentServer();
    try {
      const started = Date.now();
      const status = await health(`smtp://127.0.0.1:${server.port}`).check();
      expect(Date.now() - started).toBeLessThan(1500);
      expect(status).toMatchObject({ status: 'down', transport: 'smtp', message: expect.any(String) });
    } finally {
      await server.close();
    }
  });

  it('answers from its cache until MAIL_CHECK_CACHE_MS has passed, and shares a check in progress', async () => {
    const server = await silentServer();
    const check = health(`smtp://127.0.0.1:${server.port}`);
    try {
      const now = Date.now();
      const [first, concurrent] = await Promise.all([check.check(now), check.check(now)]);
      expect(concurrent).toBe(first);
      expect(await check.check(now + MAIL_CHECK_CACHE_MS - 1)).toBe(first);
      await server.close();
      const fresh = await check.check(now + MAIL_CHECK_CACHE_MS);
      expect(fresh).not.toBe(first);
      expect(fresh.status).toBe('down');
    } finally {
      await server.close().catch(() => undefined);
    }
  });
});
