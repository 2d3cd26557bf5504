import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { EmailTransport, OutgoingEmail, OutgoingSms, SmsTransport } from './transport';

/**
 * The development default (MAIL_URL / SMS_URL `log`): nothing leaves the machine; each message
 * is written to a file under MESSAGE_LOG_DIR, so a person running `npm start` can read their code
 * and finish every flow. The log names the file but never quotes it: messages carry one-time
 * codes, and logs travel further than a local directory. Refused in production by the config.
 */
export class MessageLogWriter {
  private readonly logger = new Logger('Outbox');

  constructor(private readonly dir: string) {}

  async write(messageId: string, extension: string, content: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${messageId}.${extension}`);
    await writeFile(file, content, 'utf8');
    this.logger.log(`message written to ${file}`);
  }
}

export class LogEmailTransport extends EmailTransport {
  constructor(private readonly writer: MessageLogWriter) {
    super();
  }

  send(email: OutgoingEmail): Promise<void> {
    return this.writer.write(email.messageId, 'txt', `To: ${email.to}\nSubject: ${email.subject}\n\n${email.text}\n`);
  }
}

export class LogSmsTransport extends SmsTransport {
  constructor(private readonly writer: MessageLogWriter) {
    super();
  }

  send(sms: OutgoingSms): Promise<void> {
    return this.writer.write(sms.messageId, 'sms.txt', `To: ${sms.to}\n\n${sms.body}\n`);
  }
}
