import type { Knex } from 'knex';
import { shanghaiDate } from '../../workers/sla/working-time';
import { maskDeep, maskPhone, maskPhonesInText, normalizeMobile } from './mask';
import { renderTemplate } from './templates';

export type NotificationStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'capped';

/** A `notification` row as stored (phone in full — never return this from an API or log it). */
export interface NotificationRow {
  id: string;
  idempotency_key: string;
  case_id: string | null;
  channel: 'sms';
  to_phone: string;
  template: string;
  params: Record<string, string | number>;
  text: string;
  status: NotificationStatus;
  status_reason: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  locked_until: Date | null;
  last_error: string | null;
  provider: string | null;
  provider_message_id: string | null;
  local_day: string | Date;
  queued_at: Date;
  sent_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** What APIs and logs may show of a notification: phones masked everywhere. */
export interface PublicNotification {
  id: string;
  idempotencyKey: string;
  caseId: string | null;
  channel: 'sms';
  to: string;
  template: string;
  params: Record<string, string | number>;
  text: string;
  status: NotificationStatus;
  statusReason: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  provider: string | null;
  providerMessageId: string | null;
  queuedAt: string;
  sentAt: string | null;
}

const isoOrNull = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());

/** The only shape of a notification that may leave the service (API responses, log lines, UI). */
export function toPublic(row: NotificationRow): PublicNotification {
  return {
    id: String(row.id),
    idempotencyKey: maskPhonesInText(row.idempotency_key),
    caseId: row.case_id,
    channel: row.channel,
    to: maskPhone(row.to_phone),
    template: row.template,
    params: maskDeep(row.params),
    text: maskPhonesInText(row.text),
    status: row.status,
    statusReason: row.status_reason == null ? null : maskPhonesInText(row.status_reason),
    attempts: row.attempts,
    nextAttemptAt: isoOrNull(row.next_attempt_at),
    lastError: row.last_error == null ? null : maskPhonesInText(row.last_error),
    provider: row.provider,
    providerMessageId: row.provider_message_id,
    queuedAt: new Date(row.queued_at).toISOString(),
    sentAt: isoOrNull(row.sent_at),
  };
}

export interface EnqueueInput {
  /** One key per business event: the same key never produces a second message. */
  idempotencyKey: string;
  to: string;
  template: string;
  params: Record<string, unknown>;
  caseId?: string | null;
}

export interface EnqueueOptions {
  /** Messages per phone per Asia/Shanghai day before new ones are `capped` (default 10). */
  dailyCapPerPhone?: number;
  now?: () => Date;
}

export interface EnqueueResult {
  row: NotificationRow;
  /** False when the key already existed (a re-delivered job): nothing new was queued. */
  created: boolean;
}

export const DEFAULT_DAILY_CAP_PER_PHONE = 10;

/**
 * Queues one SMS for a business event, exactly once per `idempotencyKey`. Renders and validates the
 * template first (a bad template throws `TemplateError` and queues nothing). Over the per-phone daily
 * cap the row is still recorded — as `capped`, with the reason — so the case timeline shows that a
 * notice was due but withheld. Wake the dispatcher afterwards for low latency (`Notifier.enqueue`
 * does both).
 */
export async function enqueue(db: Knex, input: EnqueueInput, options: EnqueueOptions = {}): Promise<EnqueueResult> {
  const key = String(input.idempotencyKey ?? '').trim();
  if (!key || key.length > 300) throw new Error(`Expected an idempotency key of 1–300 characters, but got ${key.length}`);
  const existing = await findByKey(db, key);
  if (existing) return { row: existing, created: false };

  const to = normalizeMobile(input.to);
  const { text, params } = renderTemplate(input.template, input.params);
  const now = options.now?.() ?? new Date();
  const cap = options.dailyCapPerPhone ?? DEFAULT_DAILY_CAP_PER_PHONE;
  const localDay = shanghaiDate(now);

  return db.transaction(async (trx) => {
    // Serialise enqueues for one phone so two concurrent events cannot both slip under the cap.
    // Transaction-scoped advisory locks work on PostgreSQL and PGlite alike.
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`notification:${to}`]);
    const again = await findByKey(trx, key);
    if (again) return { row: again, created: false };
    const [{ n }] = await trx('notification')
      .where({ to_phone: to, local_day: localDay })
      .whereNot('status', 'capped')
      .count<{ n: string }[]>({ n: '*' });
    const capped = Number(n) >= cap;
    const inserted = await trx('notification')
      .insert({
        idempotency_key: key,
        case_id: input.caseId ?? null,
        channel: 'sms',
        to_phone: to,
        template: input.template,
        params: JSON.stringify(params),
        text,
        status: capped ? 'capped' : 'queued',
        status_reason: capped ? `daily cap of ${cap} SMS per phone reached for ${localDay} (Asia/Shanghai)` : null,
        next_attempt_at: capped ? null : now,
        local_day: localDay,
        queued_at: now,
        created_at: now,
        updated_at: now,
      })
      .onConflict('idempotency_key')
      .ignore()
      .returning('*');
    if (inserted.length) return { row: normalize(inserted[0]), created: true };
    // Another connection inserted the same key between our check and insert (different phone lock).
    return { row: (await findByKey(trx, key))!, created: false };
  });
}

export async function findByKey(db: Knex, key: string): Promise<NotificationRow | undefined> {
  const row = await db('notification').where({ idempotency_key: key }).first();
  return row ? normalize(row) : undefined;
}

export async function findById(db: Knex, id: string): Promise<NotificationRow | undefined> {
  const row = await db('notification').where({ id }).first();
  return row ? normalize(row) : undefined;
}

/** Newest first, for the outbox UI; returns public (masked) objects only. */
export async function listNotifications(
  db: Knex,
  filter: { caseId?: string; status?: NotificationStatus; limit?: number } = {},
): Promise<PublicNotification[]> {
  const q = db('notification').orderBy('queued_at', 'desc').orderBy('id', 'desc').limit(Math.min(filter.limit ?? 100, 500));
  if (filter.caseId) q.where({ case_id: filter.caseId });
  if (filter.status) q.where({ status: filter.status });
  return (await q).map((r: NotificationRow) => toPublic(normalize(r)));
}

/** bigint ids arrive as strings from pg and numbers from PGlite; jsonb may arrive as text. */
export function normalize(row: NotificationRow): NotificationRow {
  return {
    ...row,
    id: String(row.id),
    attempts: Number(row.attempts),
    params: typeof row.params === 'string' ? JSON.parse(row.params) : row.params,
  };
}
