import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, FindOptionsWhere, In, MoreThanOrEqual, Repository } from 'typeorm';
import { Clock, SecurityEvents } from '@identity/common';
import { TransactionRunner } from '@identity/database';
import { OutboxMessageEntity } from './outbox-message.entity';
import { MessageTemplate, TEMPLATE_SECRETS } from './outgoing-message';

export interface RetryFilter {
  /** One message. */
  id?: string;
  /** Messages created at or after this time. */
  since?: Date;
}

export interface RetryResult {
  /** Failed messages the filter matched. */
  matched: number;
  /** Put back to pending; the dispatcher sends them at its next poll. */
  requeued: number;
  /** Not requeued: their secret (a code) was removed when they were given up. */
  skippedWithoutSecret: number;
}

const UPDATE_CHUNK = 500;

/**
 * Puts messages the dispatcher gave up on back in the queue, after the cause (a mail server or
 * SMS gateway outage) is fixed. A message whose secret was removed is left failed: sending a code
 * mail without the code would help nobody, and the person can ask for a new code.
 */
@Injectable()
export class OutboxRetryService {
  constructor(
    @InjectRepository(OutboxMessageEntity) private readonly messages: Repository<OutboxMessageEntity>,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
  ) {}

  async requeueFailed(filter: RetryFilter = {}): Promise<RetryResult> {
    const failed = await this.messages.find({ select: { id: true, template: true, payload: true }, where: failedMatching(filter) });
    const resendable = failed.filter(hasItsSecrets).map((message) => message.id);
    return this.transactions.run(async (manager) => {
      const requeued = await this.requeue(manager, resendable);
      const result = { matched: failed.length, requeued, skippedWithoutSecret: failed.length - resendable.length };
      await this.events.publish({
        action: 'message.requeued',
        success: true,
        metadata: { ...result, id: filter.id ?? null, since: filter.since?.toISOString() ?? null },
        manager,
      });
      return result;
    });
  }

  /** Only rows still failed change, so two runs at once requeue each message once. */
  private async requeue(manager: EntityManager, ids: string[]): Promise<number> {
    let requeued = 0;
    for (let start = 0; start < ids.length; start += UPDATE_CHUNK) {
      const result = await manager.update(
        OutboxMessageEntity,
        { id: In(ids.slice(start, start + UPDATE_CHUNK)), status: 'failed' },
        // A fresh attempt budget; last_error stays until the next attempt replaces it.
        { status: 'pending', attempts: 0, nextAttemptAt: this.clock.now() },
      );
      requeued += result.affected ?? 0;
    }
    return requeued;
  }
}

function failedMatching(filter: RetryFilter): FindOptionsWhere<OutboxMessageEntity> {
  return {
    status: 'failed',
    ...(filter.id ? { id: filter.id } : {}),
    ...(filter.since ? { createdAt: MoreThanOrEqual(filter.since) } : {}),
  };
}

function hasItsSecrets(message: Pick<OutboxMessageEntity, 'template' | 'payload'>): boolean {
  const needed = TEMPLATE_SECRETS[message.template as MessageTemplate] ?? [];
  return needed.every((field) => typeof message.payload?.[field] === 'string' && message.payload[field] !== '');
}
