import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createTransport } from 'nodemailer';
import { messagingConfig } from './messaging.config';

/** A readiness probe waits at most this long for the mail server's greeting. */
export const MAIL_CHECK_TIMEOUT_MS = 1000;
/** Probes arrive every few seconds; one SMTP connection per this period is enough. */
export const MAIL_CHECK_CACHE_MS = 15_000;

export interface MailTransportStatus {
  status: 'up' | 'down';
  transport: 'smtp' | 'log';
  message?: string;
  /** When the answer was obtained (it may be cached for MAIL_CHECK_CACHE_MS). */
  checkedAt: string;
}

/**
 * Whether the mail server accepts a connection and our credentials (nodemailer's `verify`: greeting,
 * EHLO, AUTH, no message). The answer is cached and concurrent probes share one check; `log` mode
 * has nothing to reach and is always up.
 */
@Injectable()
export class MailTransportHealth {
  private cached?: { status: MailTransportStatus; at: number };
  private checking?: Promise<MailTransportStatus>;

  constructor(@Inject(messagingConfig.KEY) private readonly config: ConfigType<typeof messagingConfig>) {}

  async check(now = Date.now()): Promise<MailTransportStatus> {
    if (this.config.mailUrl === 'log') return { status: 'up', transport: 'log', checkedAt: new Date(now).toISOString() };
    if (this.cached && now - this.cached.at < MAIL_CHECK_CACHE_MS) return this.cached.status;
    this.checking ??= this.verify().finally(() => (this.checking = undefined));
    const status = await this.checking;
    this.cached = { status, at: now };
    return status;
  }

  private async verify(): Promise<MailTransportStatus> {
    const timeouts = {
      connectionTimeout: MAIL_CHECK_TIMEOUT_MS,
      greetingTimeout: MAIL_CHECK_TIMEOUT_MS,
      socketTimeout: MAIL_CHECK_TIMEOUT_MS,
    };
    const transport = createTransport({ url: this.config.mailUrl, ...timeouts });
    const checkedAt = () => new Date().toISOString();
    let timer: NodeJS.Timeout | undefined;
    try {
      // The transport's own timeouts apply per phase; this bounds the whole check.
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${MAIL_CHECK_TIMEOUT_MS} ms`)), MAIL_CHECK_TIMEOUT_MS);
      });
      await Promise.race([transport.verify(), deadline]);
      return { status: 'up', transport: 'smtp', checkedAt: checkedAt() };
    } catch (error) {
      return { status: 'down', transport: 'smtp', message: (error as Error).message.slice(0, 200), checkedAt: checkedAt() };
    } finally {
      clearTimeout(timer);
      transport.close();
    }
  }
}
