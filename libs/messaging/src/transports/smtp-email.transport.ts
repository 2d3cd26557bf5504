import { MailerService } from '@nestjs-modules/mailer';
import { DeliveryError, EmailTransport, OutgoingEmail } from './transport';

interface SmtpFailure extends Error {
  responseCode?: number;
}

/** Email over SMTP (MAIL_URL) through the Nest mailer module and nodemailer. */
export class SmtpEmailTransport extends EmailTransport {
  constructor(
    private readonly mailer: MailerService,
    private readonly messageIdDomain: string,
  ) {
    super();
  }

  async send(email: OutgoingEmail): Promise<void> {
    try {
      await this.mailer.sendMail({
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: `<${email.messageId}@${this.messageIdDomain}>`,
      });
    } catch (error) {
      const failure = error as SmtpFailure;
      // 5xx replies are final (unknown mailbox, refused); anything else may pass on a retry.
      const permanent = typeof failure.responseCode === 'number' && failure.responseCode >= 500;
      throw new DeliveryError(`smtp: ${failure.responseCode ?? ''} ${failure.message}`.trim(), permanent);
    }
  }
}
