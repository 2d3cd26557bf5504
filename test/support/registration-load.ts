import { MailCatcher } from './mail-catcher';

/** One answered (or failed) request of the load. Status 0: no HTTP answer at all. */
export interface Outcome {
  route: 'register' | 'verify' | 'login' | 'ready';
  status: number;
  code?: string;
  startedAt: number;
  endedAt: number;
}

const PASSWORD = 'outage passphrase 123';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Steady sign-up and sign-in traffic against a running service: each registration worker asks
 * for a code, reads it from the mail catcher and verifies it (one transaction writing the user,
 * credential, roles, session, refresh token and audit row); the sign-in worker signs in the
 * accounts made so far. Every request is recorded with its timing.
 */
export class RegistrationLoad {
  readonly outcomes: Outcome[] = [];
  /** Addresses whose registration was answered 201: these accounts must exist. */
  readonly created: string[] = [];
  private running = false;
  private workers: Promise<void>[] = [];
  private sequence = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly mail: MailCatcher,
  ) {}

  start(registrationWorkers = 3): void {
    this.running = true;
    for (let i = 0; i < registrationWorkers; i++) this.workers.push(this.registerLoop());
    this.workers.push(this.signInLoop());
  }

  /** Stops starting new work and waits for what is in hand. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  async call(route: Outcome['route'], path: string, body?: object): Promise<Outcome> {
    const startedAt = Date.now();
    let outcome: Outcome;
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(10_000),
      });
      const json = (await response.json().catch(() => ({}))) as { code?: string };
      outcome = { route, status: response.status, code: json.code, startedAt, endedAt: Date.now() };
    } catch {
      outcome = { route, status: 0, startedAt, endedAt: Date.now() };
    }
    this.outcomes.push(outcome);
    return outcome;
  }

  private async registerLoop(): Promise<void> {
    while (this.running) {
      const email = `load${process.pid}-${++this.sequence}-${Date.now() % 1e6}@example.com`;
      const asked = await this.call('register', '/api/v1/auth/register', { email, password: PASSWORD, displayName: 'Load' });
      if (asked.status !== 202) {
        await pause(50);
        continue;
      }
      // The code leaves through the outbox, which waits out an outage; the code survives it.
      const code = await this.mail.codeFor(email, { timeoutMs: 30_000 }).catch(() => undefined);
      if (code) await this.verify(email, code);
    }
  }

  /** A failed transaction leaves the code usable, so a 503 is tried again like a client would. */
  private async verify(email: string, code: string): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const answer = await this.call('verify', '/api/v1/auth/register/verify', { email, code });
      if (answer.status === 201) this.created.push(email);
      if (answer.status !== 503) return;
      await pause(100);
    }
  }

  private async signInLoop(): Promise<void> {
    let next = 0;
    while (this.running) {
      if (this.created.length === 0) {
        await pause(50);
        continue;
      }
      const email = this.created[next++ % this.created.length];
      await this.call('login', '/api/v1/auth/login', { identifier: email, password: PASSWORD });
      // Steady rather than flat out: the machine is shared with the service and the database.
      await pause(20);
    }
  }
}
