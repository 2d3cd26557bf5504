import { Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailerModule, MailerService } from '@nestjs-modules/mailer';
import { MailTransportHealth } from './mail-transport-health';
import { MessageDispatcher } from './message-dispatcher.service';
import { messagingConfig } from './messaging.config';
import { OutboxMessageEntity } from './outbox-message.entity';
import { OutboxRetentionService } from './outbox-retention.service';
import { OutboxRetryService } from './outbox-retry.service';
import { Outbox } from './outbox.service';
import { LogEmailTransport, LogSmsTransport, MessageLogWriter } from './transports/log.transport';
import { SmtpEmailTransport } from './transports/smtp-email.transport';
import { EmailTransport, SmsTransport } from './transports/transport';
import { WebhookSmsTransport } from './transports/webhook-sms.transport';

type Config = ConfigType<typeof messagingConfig>;

const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

/** The domain part of Message-IDs: the sender's, so they are unique to this service. */
const messageIdDomain = (from: string) => /@([^>\s]+)/.exec(from)?.[1] ?? 'localhost';

/** Email and SMS: the outbox, its dispatcher, templates and transports. */
@Module({
  imports: [
    TypeOrmModule.forFeature([OutboxMessageEntity]),
    ConfigModule.forFeature(messagingConfig),
    MailerModule.forRootAsync({
      imports: [ConfigModule.forFeature(messagingConfig)],
      inject: [messagingConfig.KEY],
      // In log mode nothing uses the mailer; it still needs a transport to construct.
      useFactory: (config: Config) => ({
        transport: config.mailUrl === 'log' ? { jsonTransport: true } : { url: config.mailUrl, ...SMTP_TIMEOUTS },
        defaults: { from: config.mailFrom },
      }),
    }),
  ],
  providers: [
    Outbox,
    MessageDispatcher,
    OutboxRetentionService,
    OutboxRetryService,
    MailTransportHealth,
    { provide: MessageLogWriter, inject: [messagingConfig.KEY], useFactory: (config: Config) => new MessageLogWriter(config.logDir) },
    {
      provide: EmailTransport,
      inject: [messagingConfig.KEY, MailerService, MessageLogWriter],
      useFactory: (config: Config, mailer: MailerService, writer: MessageLogWriter) =>
        config.mailUrl === 'log' ? new LogEmailTransport(writer) : new SmtpEmailTransport(mailer, messageIdDomain(config.mailFrom)),
    },
    {
      provide: SmsTransport,
      inject: [messagingConfig.KEY, MessageLogWriter],
      useFactory: (config: Config, writer: MessageLogWriter) =>
        config.smsUrl === 'log' ? new LogSmsTransport(writer) : new WebhookSmsTransport(config.smsUrl),
    },
  ],
  exports: [Outbox, MessageDispatcher, OutboxRetentionService, OutboxRetryService, MailTransportHealth],
})
export class MessagingModule {}
