import { MailCatcher, startMailCatcher } from './mail-catcher';
import { SmsReceiver, startSmsReceiver } from './sms-receiver';
import { startTestApp, TestApp } from './test-app';

export interface MessagingApp {
  t: TestApp;
  mail: MailCatcher;
  sms: SmsReceiver;
  close(): Promise<void>;
}

/**
 * An app whose messages leave through a real SMTP server and a local SMS webhook, both started
 * here. Every request of a suite comes from 127.0.0.1, so the per-IP send limit is raised.
 */
export async function startMessagingApp(env: Record<string, string> = {}): Promise<MessagingApp> {
  const mail = await startMailCatcher();
  const sms = await startSmsReceiver();
  const t = await startTestApp({ MAIL_URL: mail.url, SMS_URL: sms.url, RATE_LIMIT_OTP_IP: '1000/15m', ...env });
  return {
    t,
    mail,
    sms,
    close: async () => {
      await t.close();
      await mail.stop();
      await sms.stop();
    },
  };
}
