import type { OutgoingSms, SendResult, SmsProvider } from '../provider';

/**
 * `SMS_PROVIDER=outbox` (the default): nothing leaves the machine. The row is marked sent and the UI
 * shows the recorded text — the right mode for demos, tests and districts that send through another
 * system reading the outbox table.
 */
export class OutboxProvider implements SmsProvider {
  readonly name = 'outbox';
  async send(sms: OutgoingSms): Promise<SendResult> {
    return { providerMessageId: `outbox-${sms.id}` };
  }
}
