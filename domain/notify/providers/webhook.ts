import { maskPhonesInText } from '../mask';
import { ProviderError, type OutgoingSms, type SendResult, type SmsProvider } from '../provider';

export interface WebhookProviderOptions {
  url: string;
  /** Per-request timeout; a timeout is retried by the dispatcher. Default 5 s. */
  timeoutMs?: number;
  /** Extra headers, e.g. an `Authorization` for the receiving gateway. */
  headers?: Record<string, string>;
}

/**
 * `SMS_PROVIDER=webhook`: POSTs the message as JSON to `SMS_WEBHOOK_URL` (a district's own SMS
 * gateway). The `Idempotency-Key` header lets the receiver drop a duplicate if our process dies
 * between its 2xx and our bookkeeping. 2xx = accepted (an optional JSON `{ "messageId": "…" }` is
 * recorded); 408, 429, 5xx, timeouts and network errors are retryable; other 4xx are permanent.
 */
export class WebhookProvider implements SmsProvider {
  readonly name = 'webhook';
  constructor(private readonly options: WebhookProviderOptions) {}

  async send(sms: OutgoingSms): Promise<SendResult> {
    let res: Response;
    try {
      res = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': sms.idempotencyKey, ...this.options.headers },
        body: JSON.stringify({
          id: sms.id,
          idempotencyKey: sms.idempotencyKey,
          to: sms.to,
          template: sms.template,
          params: sms.params,
          text: sms.text,
          caseId: sms.caseId,
        }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch (err) {
      const e = err as Error;
      const what = e.name === 'TimeoutError' ? `timed out after ${this.options.timeoutMs ?? 5000} ms` : e.message;
      throw new ProviderError(`Expected the SMS webhook to answer, but ${what}`, true, e.name);
    }
    const body = await res.text().catch(() => '');
    if (res.ok) {
      let messageId: string | undefined;
      try {
        const parsed = JSON.parse(body) as { messageId?: unknown };
        if (typeof parsed.messageId === 'string' || typeof parsed.messageId === 'number')
          messageId = String(parsed.messageId);
      } catch {
        // a plain-text 2xx is still an acceptance
      }
      return { providerMessageId: messageId };
    }
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    throw new ProviderError(
      `Expected a 2xx from the SMS webhook, but got ${res.status}: ${maskPhonesInText(body.slice(0, 200))}`,
      retryable,
      `HTTP_${res.status}`,
    );
  }
}
