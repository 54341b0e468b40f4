/** What the dispatcher hands a provider, and what a provider answers. */
export interface OutgoingSms {
  /** Outbox row id; providers pass it on as their trace id (Aliyun `OutId`). */
  id: string;
  idempotencyKey: string;
  /** Full number: only providers see it. */
  to: string;
  template: string;
  params: Record<string, string | number>;
  text: string;
  caseId: string | null;
}

export interface SendResult {
  /** The provider's id for the message (Aliyun `BizId`), if it returns one. */
  providerMessageId?: string;
}

export interface SmsProvider {
  /** Recorded on the row (`outbox`, `webhook`, `aliyun`). */
  readonly name: string;
  send(sms: OutgoingSms): Promise<SendResult>;
}

/**
 * A failed send. `retryable` errors (timeouts, 5xx, throttling) only delay the message; permanent ones
 * (a rejected number, a bad template) fail it after the dispatcher's permanent-attempt limit.
 * Messages must not contain full phone numbers.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}
