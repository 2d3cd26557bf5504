import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { recordMessageCodes } from './log-canary';
import { CODE_PATTERN } from './mail-catcher';

export interface ReceivedSms {
  to: string;
  body: string;
  headers: IncomingMessage['headers'];
}

export interface SmsReceiver {
  /** The webhook address for SMS_URL. */
  url: string;
  messages: ReceivedSms[];
  waitFor(to: string, options?: { skip?: number; timeoutMs?: number }): Promise<ReceivedSms>;
  /** The code of SMS number `skip` to `to`, waiting for it; without `skip`, of the newest one. */
  codeFor(to: string, options?: { skip?: number; timeoutMs?: number }): Promise<string>;
  count(to: string): number;
  /** Answers 503 to every request until `up()`. */
  down(): void;
  /** Leaves requests for `to` unanswered (as a hung gateway does) until the returned release is called. */
  hold(to: string): () => void;
  up(): void;
  stop(): Promise<void>;
}

/** A local HTTP endpoint that accepts `{ to, body }` like an SMS gateway's webhook. */
export async function startSmsReceiver(): Promise<SmsReceiver> {
  const messages: ReceivedSms[] = [];
  const held = new Map<string, Promise<void>>();
  let failing = false;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (failing) {
        response.writeHead(503).end();
        return;
      }
      try {
        const { to, body } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to: string; body: string };
        messages.push({ to, body, headers: request.headers });
        recordMessageCodes(body, 'code in a delivered SMS');
        const accept = () => response.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
        const hold = held.get(to);
        if (hold) void hold.then(accept);
        else accept();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const to = (phone: string) => messages.filter((message) => message.to === phone);
  const waitFor: SmsReceiver['waitFor'] = async (phone, options = {}) => {
    const skip = options.skip ?? 0;
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    for (;;) {
      const found = to(phone)[skip];
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no SMS #${skip} to ${phone} within the timeout (have ${to(phone).length})`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const latest = async (phone: string, timeoutMs?: number) => {
    await waitFor(phone, { timeoutMs });
    return to(phone).at(-1)!;
  };
  return {
    url: `http://127.0.0.1:${port}/sms`,
    messages,
    waitFor,
    async codeFor(phone, options = {}) {
      const sms = options.skip === undefined ? await latest(phone, options.timeoutMs) : await waitFor(phone, options);
      const match = CODE_PATTERN.exec(sms.body);
      if (!match) throw new Error(`SMS to ${phone} has no code: ${sms.body}`);
      return match[1];
    },
    count: (phone) => to(phone).length,
    down: () => void (failing = true),
    up: () => void (failing = false),
    hold(phone) {
      let release!: () => void;
      held.set(phone, new Promise<void>((resolve) => (release = resolve)));
      return () => {
        held.delete(phone);
        release();
      };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
