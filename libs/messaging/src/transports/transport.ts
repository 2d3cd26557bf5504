/** An email ready to leave: rendered, addressed, with a stable id for de-duplication. */
export interface OutgoingEmail {
  /** The outbox row id; sent as the Message-ID so a resend after a crash can be recognised. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface OutgoingSms {
  /** The outbox row id; gateways that honour an idempotency key drop a repeat. */
  messageId: string;
  to: string;
  body: string;
}

/** Where email goes. Implementations throw DeliveryError (or any error, taken as temporary). */
export abstract class EmailTransport {
  abstract send(email: OutgoingEmail): Promise<void>;
}

/** Where SMS goes. Adding a gateway is one class implementing this. */
export abstract class SmsTransport {
  abstract send(sms: OutgoingSms): Promise<void>;
}

/** A failed delivery; `permanent` ones are not retried (bad address, refused by the gateway). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
