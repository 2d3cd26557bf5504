import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { SECURITY_EVENT, SecurityEvent } from './security-events';

/**
 * Publishes security events. Listeners (the audit log) run before `publish` resolves, so an
 * event is written before the response leaves, inside the caller's transaction when one is given.
 */
@Injectable()
export class SecurityEvents {
  constructor(private readonly emitter: EventEmitter2) {}

  async publish(event: SecurityEvent): Promise<void> {
    await this.emitter.emitAsync(SECURITY_EVENT, event);
  }
}
