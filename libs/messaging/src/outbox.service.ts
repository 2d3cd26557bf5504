import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock, newId } from '@identity/common';
import { insertRow } from '@identity/database';
import { MessagePayload, OutboxMessageEntity } from './outbox-message.entity';
import { OutgoingMessage } from './outgoing-message';

/**
 * The only way the service sends mail or SMS: a message is a row written in the caller's
 * transaction, so it exists if and only if the change that needs it commits. The dispatcher
 * delivers it afterwards, with retries.
 */
@Injectable()
export class Outbox {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  async enqueue(manager: EntityManager, message: OutgoingMessage): Promise<string> {
    const id = newId();
    const row: Partial<OutboxMessageEntity> = {
      id,
      channel: message.channel,
      recipient: message.to,
      template: message.template,
      locale: message.locale ?? null,
      payload: { ...message.data } as MessagePayload,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: this.clock.now(),
      lastError: null,
      sentAt: null,
    };
    await insertRow(manager, OutboxMessageEntity, row);
    return id;
  }

  /**
   * Tells the dispatcher of this instance that new messages have committed, so they leave now
   * rather than at the next poll. Call after the transaction, never inside it.
   */
  wake(): void {
    for (const listener of this.listeners) listener();
  }

  onWake(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
