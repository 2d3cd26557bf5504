import { DeliveryError, OutgoingSms, SmsTransport } from './transport';

const TIMEOUT_MS = 10_000;

/**
 * SMS through any gateway that accepts `POST { to, body }` as JSON (SMS_URL). The outbox id goes
 * in an `Idempotency-Key` header so a gateway that honours it drops a repeat after a crash.
 */
export class WebhookSmsTransport extends SmsTransport {
  constructor(private readonly url: string) {
    super();
  }

  async send(sms: OutgoingSms): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': sms.messageId },
        body: JSON.stringify({ to: sms.to, body: sms.body }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new DeliveryError(`sms gateway unreachable: ${(error as Error).message}`, false);
    }
    await response.body?.cancel();
    if (response.ok) return;
    // A 4xx is the gateway refusing this message for good, except "too early" kinds of answer.
    const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
    throw new DeliveryError(`sms gateway answered ${response.status}`, permanent);
  }
}
