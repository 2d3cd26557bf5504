import { MessageChannel } from './outbox-message.entity';

/** What became of one send attempt: delivered, failed and due again, or failed for good. */
export type DeliveryOutcome = 'sent' | 'retry' | 'given_up';

/**
 * Published by the dispatcher after every send attempt, for observers such as metrics; the
 * dispatcher neither waits for nor depends on anyone listening.
 */
export interface MessageDeliveryEvent {
  channel: MessageChannel;
  template: string;
  outcome: DeliveryOutcome;
}

export const MESSAGE_DELIVERY_EVENT = 'messaging.delivery';
