import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AUDIT_ACTIONS, SECURITY_EVENT, SecurityEvent } from '@identity/common';
import { ServiceMetrics } from './service-metrics';

/** Login method ids are short snake_case names; anything else must not become a label value. */
const PROVIDER_ID = /^[a-z][a-z0-9_]{0,31}$/;

/** The login method an event names, as a label value of bounded cardinality. */
export function providerLabel(event: SecurityEvent): string {
  const provider = event.metadata?.provider;
  return typeof provider === 'string' && PROVIDER_ID.test(provider) ? provider : 'unknown';
}

/**
 * Counts sign-ins (and every security event by action) from the security events the sign-in paths already publish, so no login method
 * knows about metrics. A sign-in published inside a transaction that is later retried (a MySQL
 * deadlock victim) is counted per attempt.
 */
@Injectable()
export class SecurityMetricsListener {
  constructor(private readonly metrics: ServiceMetrics) {}

  @OnEvent(SECURITY_EVENT)
  count(event: SecurityEvent): void {
    const outcome = event.success ? 'success' : 'failure';
    // The action list is fixed, so the label stays bounded.
    if (AUDIT_ACTIONS.includes(event.action)) this.metrics.securityEvents.inc({ action: event.action, outcome });
    if (event.action === 'login.succeeded' || event.action === 'login.failed')
      this.metrics.signIns.inc({ provider: providerLabel(event), outcome });
  }
}
