import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; spans a cached GET (ms) to a slow argon2 sign-in or a stalled dependency. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Every metric the service exposes, in a registry of its own rather than prom-client's global
 * one: several applications can live in one process (the e2e suites boot one per test), and a
 * global registry refuses the second registration and would mix their numbers.
 */
@Injectable()
export class ServiceMetrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'identity_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly signIns = new Counter({
    name: 'identity_sign_in_attempts_total',
    help: 'Sign-in attempts by login method and outcome (success or failure).',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly securityEvents = new Counter({
    name: 'identity_security_events_total',
    help: 'Security events (the audit actions) by action and outcome, e.g. otp.failed, token.reuse_detected.',
    labelNames: ['action', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly messagesSent = new Counter({
    name: 'identity_messages_sent_total',
    help: 'Messages (codes, notices) handed to their transport, by channel.',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  readonly sendFailures = new Counter({
    name: 'identity_message_send_failures_total',
    help: 'Failed send attempts by channel; outcome "retry" will be tried again, "given_up" will not.',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Process CPU, memory, handles, GC and event-loop lag (nodejs_eventloop_lag_*).
    collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge whose value is computed at scrape time (database counts, pool state). */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect: (gauge: Gauge<L>) => Promise<void> | void) {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        return collect(this);
      },
    });
  }
}
