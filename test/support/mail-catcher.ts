import { AddressInfo } from 'node:net';
import { simpleParser, ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { recordMessageCodes } from './log-canary';

export interface CaughtMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  headers: ParsedMail['headers'];
}

export interface MailCatcher {
  /** `smtp://127.0.0.1:<port>` for MAIL_URL. */
  url: string;
  mails: CaughtMail[];
  /** Waits for the next mail to `to` (after `skip` earlier ones), failing after `timeoutMs`. */
  waitFor(to: string, options?: { skip?: number; timeoutMs?: number }): Promise<CaughtMail>;
  /**
   * The six-digit code in mail number `skip` to `to` (0-based), waiting for it; without `skip`,
   * the code of the newest mail. Take `count(to)` before a request to wait for the mail it causes.
   */
  codeFor(to: string, options?: { skip?: number; timeoutMs?: number }): Promise<string>;
  count(to: string): number;
  /** Answers every connection with 421 "service not available" until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  /**
   * Stops listening, so connecting is refused as when the mail server is stopped; `listen()`
   * opens the same port again.
   */
  unlisten(): Promise<void>;
  listen(): Promise<void>;
  stop(): Promise<void>;
}

export const CODE_PATTERN = /\b(\d{6})\b/;

/** A real SMTP server on a free local port that keeps every delivered message in memory. */
export async function startMailCatcher(): Promise<MailCatcher> {
  const mails: CaughtMail[] = [];
  const waiters = new Set<() => void>();
  let refusing = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // While "down" every connection is turned away, as a mail server under maintenance does.
    onConnect(_session, callback) {
      if (!refusing) return callback();
      callback(Object.assign(new Error('Service not available'), { responseCode: 421 }));
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((list) =>
            list.value.map((address) => (address.address ?? '').toLowerCase()),
          );
          mails.push({
            to,
            from: parsed.from?.text ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            headers: parsed.headers,
          });
          recordMessageCodes(`${parsed.text ?? ''} ${parsed.subject ?? ''}`, 'code in a delivered mail');
          for (const wake of waiters) wake();
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  const to = (address: string) => mails.filter((mail) => mail.to.includes(address.toLowerCase()));
  const waitFor: MailCatcher['waitFor'] = async (address, options = {}) => {
    const skip = options.skip ?? 0;
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    for (;;) {
      const found = to(address)[skip];
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no mail #${skip} to ${address} within the timeout (have ${to(address).length})`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 200));
        waiters.add(wake);
      });
    }
  };
  /** The newest mail to `address`, waiting for a first one if none came yet. */
  const latest = async (address: string, timeoutMs?: number) => {
    await waitFor(address, { timeoutMs });
    return to(address).at(-1)!;
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    waitFor,
    async codeFor(address, options = {}) {
      const mail = options.skip === undefined ? await latest(address, options.timeoutMs) : await waitFor(address, options);
      const match = CODE_PATTERN.exec(mail.text);
      if (!match) throw new Error(`mail to ${address} has no code: ${mail.subject}`);
      return match[1];
    },
    count: (address) => to(address).length,
    down: async () => void (refusing = true),
    up: async () => void (refusing = false),
    unlisten: () => new Promise<void>((resolve) => server.server.close(() => resolve())),
    listen: () => new Promise<void>((resolve) => server.server.listen(port, '127.0.0.1', resolve)),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
