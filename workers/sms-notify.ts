import type { Knex } from 'knex';
import { enqueue, isHeld, releaseHeld, type EnqueueResult } from '../domain/notify/outbox';
import { maskPhonesInText } from '../domain/notify/mask';
import { TemplateError } from '../domain/notify/templates';

/**
 * Job worker for `sms.notify`: queues one SMS through the outbox and completes with
 * `{ smsId, smsStatus }`. It does not wait for delivery — the outbox owns retries, so a provider
 * outage never fails the process instance; the BPMN sees `queued` (or `capped`) and moves on.
 *
 * Input (BPMN):
 * - template: task header `template`, else variable `notification.template`;
 * - `notification.to` (mobile), `notification.params` (template parameters);
 * - `notification.key`: the business event's idempotency key. Default
 *   `${processInstanceKey}:${elementId}:${template}` — unique per task in an instance, so a
 *   re-delivered job never sends twice. A task inside a loop (reminders) must set its own key
 *   (e.g. `=caseId + ":reminder:" + string(loopCounter)`), or every round would reuse the first row;
 * - case id: `notification.caseId`, else variable `caseId`.
 *
 * The fire-lane notice (`caseId:notice`) is normally already in the outbox when this job runs: the
 * device service queues it in the transaction that opens the case and hands it to the dispatcher as
 * soon as the process instance exists (server/devices/device-event-service.ts). The job then finds
 * the row by its key and completes with it; if that hand-over did not happen, it releases the row.
 */
export const taskType = 'sms.notify';

export interface SmsNotifyJob {
  processInstanceKey: string;
  elementId: string;
  customHeaders?: Readonly<Record<string, unknown>>;
  variables: Readonly<Record<string, unknown>>;
}

export interface SmsNotifyDeps {
  db: Knex;
  /** Wakes the dispatcher right after a new row (fire-lane latency); omit to rely on polling. */
  wake?: () => void;
  dailyCapPerPhone?: number;
  now?: () => Date;
}

export interface SmsNotifyOutput {
  smsId: string;
  smsStatus: 'queued' | 'sending' | 'sent' | 'failed' | 'capped';
  [key: string]: string;
}

/** Invalid input from the model; retrying will not help, so the runner raises an incident at once. */
export class SmsNotifyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmsNotifyInputError';
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The engine-independent core: (db, job) → the variables to complete with. */
export async function handleSmsNotify(deps: SmsNotifyDeps, job: SmsNotifyJob): Promise<SmsNotifyOutput> {
  const n = asRecord(job.variables.notification);
  const template = String(job.customHeaders?.template ?? n.template ?? '');
  if (!template)
    throw new SmsNotifyInputError(
      `Expected a template (task header "template" or variable notification.template) on element ${job.elementId}, but got none`,
    );
  if (typeof n.to !== 'string' || !n.to.trim()) {
    throw new SmsNotifyInputError(
      `Expected variable notification.to (a mobile number) on element ${job.elementId}, but got none`,
    );
  }
  const key =
    typeof n.key === 'string' && n.key.trim() ? n.key.trim() : `${job.processInstanceKey}:${job.elementId}:${template}`;
  const caseId = n.caseId ?? job.variables.caseId;
  let result: EnqueueResult;
  try {
    result = await enqueue(
      deps.db,
      {
        idempotencyKey: key,
        to: n.to,
        template,
        params: asRecord(n.params),
        caseId: caseId == null ? null : String(caseId),
      },
      { dailyCapPerPhone: deps.dailyCapPerPhone, now: deps.now },
    );
  } catch (err) {
    if (err instanceof TemplateError || (err instanceof Error && /^Expected a mainland mobile/.test(err.message))) {
      throw new SmsNotifyInputError(`${maskPhonesInText(err.message)} (element ${job.elementId})`);
    }
    throw err;
  }
  if (result.created && result.row.status === 'queued') deps.wake?.();
  // A fire-lane notice the device service queued on hold and has not released (it died between
  // starting the process and handing the notice over): this task is the process asking for it, so
  // it goes out now. Normally the row is already sending or sent and this changes nothing.
  else if (!result.created && isHeld(result.row) && (await releaseHeld(deps.db, result.row.id, deps.now?.())))
    deps.wake?.();
  return { smsId: result.row.id, smsStatus: result.row.status };
}

/** What the SDK's job object offers that this worker uses (structurally a `ZeebeJob`). */
export interface CompletableJob extends SmsNotifyJob {
  complete(variables?: SmsNotifyOutput): Promise<unknown>;
  fail(failure: { errorMessage: string; retries?: number; retryBackOff?: number }): Promise<unknown>;
}

/**
 * The SDK handler: completes with the output; invalid input fails with no retries (an incident shows
 * the masked reason); anything else (database down) is thrown so the runner fails the job with retries.
 */
export function createSmsNotifyHandler(deps: SmsNotifyDeps) {
  return async (job: CompletableJob): Promise<unknown> => {
    try {
      return await job.complete(await handleSmsNotify(deps, job));
    } catch (err) {
      if (err instanceof SmsNotifyInputError) return job.fail({ errorMessage: err.message, retries: 0 });
      throw err;
    }
  };
}
