import type { Knex } from 'knex';
import type { NotifyConfig } from './config';
import { Dispatcher, type DispatchLog } from './dispatcher';
import { enqueue, type EnqueueInput, type EnqueueResult } from './outbox';
import type { SmsProvider } from './provider';
import { AliyunSmsProvider } from './providers/aliyun';
import { OutboxProvider } from './providers/outbox';
import { TencentSmsProvider } from './providers/tencent';
import { WebhookProvider } from './providers/webhook';

export { loadNotifyConfig, type NotifyConfig } from './config';
export { Dispatcher, type DispatcherOptions, type RoundResult } from './dispatcher';
export { maskPhone, maskPhonesInText } from './mask';
export {
  enqueue,
  listNotifications,
  toPublic,
  type EnqueueInput,
  type NotificationRow,
  type PublicNotification,
} from './outbox';
export { ProviderError, type SmsProvider } from './provider';
export { renderTemplate, SMS_TEMPLATES, TemplateError } from './templates';

/** The provider selected by `SMS_PROVIDER`. */
export function createSmsProvider(config: NotifyConfig): SmsProvider {
  switch (config.provider) {
    case 'outbox':
      return new OutboxProvider();
    case 'webhook':
      return new WebhookProvider({ url: config.webhookUrl!, timeoutMs: config.webhookTimeoutMs });
    case 'aliyun':
      return new AliyunSmsProvider(config.aliyun!);
    case 'tencent':
      return new TencentSmsProvider(config.tencent!);
  }
}

/**
 * The outbox plus its dispatcher: `enqueue` records the message and wakes the dispatcher at once, so
 * a fire-lane notice reaches the provider without waiting for a poll.
 */
export class Notifier {
  readonly dispatcher: Dispatcher;
  constructor(
    private readonly db: Knex,
    private readonly config: Pick<NotifyConfig, 'dailyCapPerPhone' | 'maxPermanentAttempts' | 'pollIntervalMs'>,
    provider: SmsProvider,
    log?: DispatchLog,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.dispatcher = new Dispatcher({
      db,
      provider,
      log,
      now,
      pollIntervalMs: config.pollIntervalMs,
      maxPermanentAttempts: config.maxPermanentAttempts,
    });
  }

  async enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    const result = await enqueue(this.db, input, { dailyCapPerPhone: this.config.dailyCapPerPhone, now: this.now });
    if (result.created && result.row.status === 'queued') this.dispatcher.wake();
    return result;
  }

  start(): void {
    this.dispatcher.start();
  }

  stop(): Promise<void> {
    return this.dispatcher.stop();
  }
}
