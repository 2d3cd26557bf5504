import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, Repository } from 'typeorm';
import { Clock, SecurityEvents } from '@identity/common';
import { DeliveryOutcome, MESSAGE_DELIVERY_EVENT, MessageDeliveryEvent } from './delivery-events';
import { messagingConfig } from './messaging.config';
import { MessagePayload, OutboxMessageEntity } from './outbox-message.entity';
import { Outbox } from './outbox.service';
import { MessageTemplate, SECRET_FIELDS } from './outgoing-message';
import { renderEmail, renderSms } from './templates/render';
import { DeliveryError, EmailTransport, SmsTransport } from './transports/transport';

const CLAIMABLE = ['pending', 'sending'] as const;
/** Failures are logged at most this often while a transport stays down. */
const QUIET_MS = 30_000;

/**
 * Sends what the outbox holds. Each due row is claimed with a conditional update keyed on the
 * attempt count it was read with, so of several instances exactly one wins it; a claim is a lease
 * (`next_attempt_at`), so a row whose sender died becomes due again. Failures are retried with
 * exponential backoff and jitter up to OUTBOX_MAX_ATTEMPTS; secrets leave the row once it is
 * sent or given up.
 *
 * Exactly once holds except for one window: a crash after the transport accepted a message and
 * before the row was marked sent. The Message-ID / Idempotency-Key carry the row id for that case.
 */
@Injectable()
export class MessageDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MessageDispatcher.name);
  private timer?: NodeJS.Timeout;
  /** The claim round under way, if any; rounds never overlap. */
  private claiming?: Promise<void>;
  /** Messages being sent: at most OUTBOX_BATCH. */
  private readonly sending = new Set<Promise<void>>();
  private active = false;
  /** Something may have become due while a round ran (a wake, a slot freed). */
  private claimAgain = false;
  /** The last round claimed as many messages as it had room for: more may be waiting. */
  private backlog = false;
  private stopListening?: () => void;
  private lastWarning = 0;

  constructor(
    @Inject(messagingConfig.KEY) private readonly config: ConfigType<typeof messagingConfig>,
    @InjectRepository(OutboxMessageEntity) private readonly messages: Repository<OutboxMessageEntity>,
    private readonly email: EmailTransport,
    private readonly sms: SmsTransport,
    private readonly outbox: Outbox,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
    private readonly emitter: EventEmitter2,
    // Present only where ScheduleModule is registered: the API dispatches, CLI commands don't.
    @Optional() private readonly scheduler?: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.scheduler) return;
    this.active = true;
    this.stopListening = this.outbox.onWake(() => this.pump());
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.active = false;
    this.stopListening?.();
    clearTimeout(this.timer);
    // Let the messages in hand finish, so none is left claimed until its lease runs out.
    await this.claiming;
    await Promise.all(this.sending);
  }

  /**
   * Starts a claim round, or asks for another once the one under way ends. Sending is a pipeline,
   * not a batch: a message is claimed as soon as a sending slot is free, so one slow delivery (a
   * relay that takes seconds to answer) holds up only its own slot, not every code behind it.
   */
  private pump(): void {
    if (!this.active) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claimAgain = false;
    clearTimeout(this.timer);
    this.claiming = this.claimForFreeSlots().then(
      (filled) => this.roundEnded(filled),
      (error: Error) => {
        this.warn(`outbox poll failed: ${error.message}`);
        this.roundEnded(false);
      },
    );
  }

  private roundEnded(filled: boolean): void {
    this.claiming = undefined;
    this.backlog = filled;
    // With free slots left, a full round means more may be due now; otherwise a freed slot or a
    // wake asks again, and the poll catches what becomes due later (retries, expired leases).
    if (this.claimAgain || (filled && this.sending.size < this.config.batchSize)) this.pump();
    else this.schedule(this.config.pollIntervalMs);
  }

  /** Claims due messages for the free sending slots and starts each; true when it filled them all. */
  private async claimForFreeSlots(): Promise<boolean> {
    const free = this.config.batchSize - this.sending.size;
    if (free <= 0) return true;
    const now = this.clock.now();
    const due = await this.messages.find({
      where: { status: In([...CLAIMABLE]), nextAttemptAt: LessThanOrEqual(now) },
      order: { nextAttemptAt: 'ASC' },
      take: free,
    });
    let claimed = 0;
    for (const message of due) {
      if (!(await this.claim(message, now))) continue;
      claimed++;
      this.startSending(message);
    }
    return claimed === free;
  }

  private startSending(message: OutboxMessageEntity): void {
    const sending = this.deliver(message).finally(() => {
      this.sending.delete(sending);
      // Claimed in rounds of at least half the slots: a round per freed slot costs a query each.
      if (this.backlog && this.sending.size <= this.config.batchSize / 2) this.pump();
    });
    this.sending.add(sending);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (!this.active) return;
    this.timer = setTimeout(() => this.pump(), delayMs);
  }

  private async claim(message: OutboxMessageEntity, now: Date): Promise<boolean> {
    const leaseEnd = new Date(now.getTime() + this.config.leaseSeconds * 1000);
    const result = await this.messages
      .createQueryBuilder()
      .update(OutboxMessageEntity)
      .set({ status: 'sending', attempts: message.attempts + 1, nextAttemptAt: leaseEnd })
      .where('id = :id AND attempts = :attempts AND status IN (:...claimable) AND next_attempt_at <= :now', {
        id: message.id,
        attempts: message.attempts,
        claimable: CLAIMABLE,
        now,
      })
      .execute();
    if (result.affected !== 1) return false;
    message.attempts += 1;
    return true;
  }

  private async deliver(message: OutboxMessageEntity): Promise<void> {
    try {
      await this.send(message);
    } catch (error) {
      await this.recordFailure(message, error as Error).catch((failure: Error) => this.warn(`outbox update failed: ${failure.message}`));
      return;
    }
    this.announce(message, 'sent');
    await this.settle(message, { status: 'sent', sentAt: this.clock.now(), lastError: null }).catch((failure: Error) =>
      // Sent but not marked: the lease will expire and the message go again (see class comment).
      this.warn(`message ${message.id} was sent but could not be marked: ${failure.message}`),
    );
  }

  private async send(message: OutboxMessageEntity): Promise<void> {
    const template = message.template as MessageTemplate;
    const payload = message.payload ?? {};
    const { appName } = this.config;
    if (message.channel === 'email') {
      const rendered = renderEmail(template, payload, appName, message.locale);
      await this.email.send({ messageId: message.id, to: message.recipient, ...rendered });
    } else {
      await this.sms.send({ messageId: message.id, to: message.recipient, body: renderSms(template, payload, appName, message.locale) });
    }
  }

  private async recordFailure(message: OutboxMessageEntity, error: Error): Promise<void> {
    const permanent = error instanceof DeliveryError ? error.permanent : false;
    const lastError = error.message.slice(0, 500);
    if (permanent || message.attempts >= this.config.maxAttempts) {
      this.announce(message, 'given_up');
      await this.settle(message, { status: 'failed', lastError });
      this.logger.error(
        `message ${message.id} (${message.template} by ${message.channel}) given up after ${message.attempts} attempts: ${lastError}`,
      );
      await this.events.publish({
        action: 'message.failed',
        success: false,
        errorCode: permanent ? 'delivery_refused' : 'delivery_attempts_exhausted',
        metadata: { messageId: message.id, channel: message.channel, template: message.template, attempts: message.attempts },
      });
      return;
    }
    this.announce(message, 'retry');
    const retryAt = new Date(this.clock.now().getTime() + this.backoffMs(message.attempts));
    await this.messages.update(
      { id: message.id, attempts: message.attempts, status: 'sending' },
      { status: 'pending', nextAttemptAt: retryAt, lastError },
    );
    this.warn(
      `message ${message.id} (${message.template} by ${message.channel}) attempt ${message.attempts} failed, retrying: ${lastError}`,
    );
  }

  /** Ends a message's life (sent or failed) and drops its secrets. Only the claim holder may. */
  private settle(message: OutboxMessageEntity, outcome: Partial<Pick<OutboxMessageEntity, 'status' | 'sentAt' | 'lastError'>>) {
    return this.messages.update(
      { id: message.id, attempts: message.attempts, status: 'sending' },
      { ...outcome, payload: withoutSecrets(message.payload) },
    );
  }

  /** Tells observers (metrics) what the attempt came to; a failing observer never fails a send. */
  private announce(message: OutboxMessageEntity, outcome: DeliveryOutcome): void {
    const event: MessageDeliveryEvent = { channel: message.channel, template: message.template, outcome };
    try {
      this.emitter.emit(MESSAGE_DELIVERY_EVENT, event);
    } catch (error) {
      this.warn(`delivery observer failed: ${(error as Error).message}`);
    }
  }

  /** base·2^(n−1), capped, with ±20 % jitter so instances retrying together spread out. */
  private backoffMs(attempts: number): number {
    const exponential = Math.min(this.config.retryMaxMs, this.config.retryBaseMs * 2 ** (attempts - 1));
    return Math.round(exponential * (0.8 + Math.random() * 0.4));
  }

  private warn(text: string): void {
    const now = Date.now();
    if (now - this.lastWarning < QUIET_MS) return;
    this.lastWarning = now;
    this.logger.warn(text);
  }
}

export function withoutSecrets(payload: MessagePayload | null): MessagePayload | null {
  if (!payload) return payload;
  const kept = { ...payload };
  for (const field of SECRET_FIELDS) delete kept[field];
  return kept;
}
