import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { MESSAGE_DELIVERY_EVENT, MessageDeliveryEvent } from '@identity/messaging';
import { ServiceMetrics } from './service-metrics';

/** Counts sends and send failures from the dispatcher's delivery events. */
@Injectable()
export class DeliveryMetricsListener {
  constructor(private readonly metrics: ServiceMetrics) {}

  @OnEvent(MESSAGE_DELIVERY_EVENT)
  count(event: MessageDeliveryEvent): void {
    if (event.outcome === 'sent') this.metrics.messagesSent.inc({ channel: event.channel });
    else this.metrics.sendFailures.inc({ channel: event.channel, outcome: event.outcome });
  }
}
