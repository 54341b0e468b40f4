import type { Knex } from 'knex';
import { piiKeyring } from '../privacy/pii-crypto';
import { shanghaiDate } from '../sla/working-time';
import { maskDeep, maskPhone, maskPhonesInText, normalizeMobile } from './mask';
import { renderTemplate } from './templates';
import { applyDepartmentScope } from '../cases/case-queries';

export type NotificationStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'capped';

/** A `notification` row as read through {@link normalize} (phone opened in full — never return this from an API or log it). */
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
 *
 * Statements: a key look-up (a re-delivered job stops here), then BEGIN, the phone lock, one
 * insert that counts the day's messages and writes the row, COMMIT.
 */
export async function enqueue(db: Knex, input: EnqueueInput, options: EnqueueOptions = {}): Promise<EnqueueResult> {
  const key = checkKey(input.idempotencyKey);
  const existing = await findByKey(db, key);
  if (existing) return { row: existing, created: false };
  const prepared = prepareSms(input, options);
  return db.transaction((trx) => insertPrepared(trx, prepared));
}

/** A message rendered and checked, ready to be written (no database access). */
export interface PreparedSms {
  key: string;
  to: string;
  template: string;
  caseId: string | null;
  text: string;
  params: Record<string, string | number>;
  now: Date;
  localDay: string;
  cap: number;
}

function checkKey(raw: unknown): string {
  const key = String(raw ?? '').trim();
  if (!key || key.length > 300)
    throw new Error(`Expected an idempotency key of 1–300 characters, but got ${key.length}`);
  return key;
}

/** Renders and validates a message; throws `TemplateError` or a bad-phone error, writing nothing. */
export function prepareSms(input: EnqueueInput, options: EnqueueOptions = {}): PreparedSms {
  const key = checkKey(input.idempotencyKey);
  const to = normalizeMobile(input.to);
  const { text, params } = renderTemplate(input.template, input.params);
  const now = options.now?.() ?? new Date();
  return {
    key,
    to,
    template: input.template,
    caseId: input.caseId ?? null,
    text,
    params,
    now,
    localDay: shanghaiDate(now),
    cap: options.dailyCapPerPhone ?? DEFAULT_DAILY_CAP_PER_PHONE,
  };
}

/**
 * Writes a prepared message inside the caller's transaction (the device service queues a fire-lane
 * notice in the transaction that opens the case). `hold: true` records it as `queued` with no due
 * time: no dispatcher claims it until {@link releaseHeld} (or `Dispatcher.sendNow`) — the device
 * service releases it once the fire-lane process instance exists, so a case whose process never
 * started sends nothing.
 */
export async function queueInTransaction(
  trx: Knex.Transaction,
  prepared: PreparedSms,
  options: { hold?: boolean } = {},
): Promise<EnqueueResult> {
  return insertPrepared(trx, prepared, options);
}

/**
 * Serialises enqueues for one phone so two concurrent events cannot both slip under the cap.
 * Transaction-scoped advisory locks work on PostgreSQL and PGlite alike. Take it before the
 * statement that counts (READ COMMITTED: a statement sees what was committed when it began).
 */
export async function lockPhone(trx: Knex.Transaction, to: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`notification:${to}`]);
}

/**
 * The one statement that counts the phone's messages of the day and writes the row (`capped` over
 * the cap) — `insert … on conflict (idempotency_key) do nothing returning *`. Run it after
 * {@link lockPhone} in the same transaction; callers may embed it in a larger statement as a CTE.
 */
export function insertSql(p: PreparedSms, options: { hold?: boolean } = {}): { sql: string; bindings: unknown[] } {
  const reason = `daily cap of ${p.cap} SMS per phone reached for ${p.localDay} (Asia/Shanghai)`;
  const due = options.hold ? null : p.now;
  return {
    sql: `insert into notification (idempotency_key, case_id, channel, to_phone, to_phone_hash, template, params, text, status, status_reason,
                                    next_attempt_at, local_day, queued_at, created_at, updated_at)
          select ?, ?, 'sms', ?, ?, ?, ?::jsonb, ?,
                 case when day.n >= ? then 'capped' else 'queued' end,
                 case when day.n >= ? then ? end,
                 case when day.n >= ? then null else ?::timestamptz end,
                 ?::date, ?, ?, ?
            from (select count(*) as n from notification where to_phone_hash = ? and local_day = ?::date and status <> 'capped') day
          on conflict (idempotency_key) do nothing
          returning *`,
    bindings: [
      p.key,
      p.caseId,
      // The number is sealed at rest (domain/privacy); the cap counts by its keyed hash.
      piiKeyring().encrypt(p.to),
      piiKeyring().phoneHash(p.to),
      p.template,
      JSON.stringify(p.params),
      p.text,
      p.cap,
      p.cap,
      reason,
      p.cap,
      due,
      p.localDay,
      p.now,
      p.now,
      p.now,
      piiKeyring().phoneHash(p.to),
      p.localDay,
    ],
  };
}

async function insertPrepared(
  trx: Knex.Transaction,
  p: PreparedSms,
  options: { hold?: boolean } = {},
): Promise<EnqueueResult> {
  await lockPhone(trx, p.to);
  const { sql, bindings } = insertSql(p, options);
  const rows = (await trx.raw(sql, bindings as Knex.RawBinding[])).rows as NotificationRow[];
  if (rows.length) return { row: normalize(rows[0]), created: true };
  // The key exists: a re-delivery, or another connection inserted it between the look-up and now.
  return { row: (await findByKey(trx, p.key))!, created: false };
}

/** True for a row queued on hold (see {@link queueInTransaction}). */
export function isHeld(row: Pick<NotificationRow, 'status' | 'next_attempt_at'>): boolean {
  return row.status === 'queued' && row.next_attempt_at == null;
}

/** Makes a held row due now; false when it was not held (already released, claimed or sent). */
export async function releaseHeld(db: Knex, id: string, now: Date = new Date()): Promise<boolean> {
  const n = await db('notification')
    .where({ id, status: 'queued' })
    .whereNull('next_attempt_at')
    .update({ next_attempt_at: now, updated_at: now });
  return n === 1;
}

/** A held row whose business event fell through (its process never started): recorded as failed, never sent. */
export async function dropHeld(db: Knex, id: string, reason: string, now: Date = new Date()): Promise<boolean> {
  const n = await db('notification')
    .where({ id, status: 'queued' })
    .whereNull('next_attempt_at')
    .update({ status: 'failed', status_reason: reason, updated_at: now });
  return n === 1;
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
  filter: {
    caseId?: string;
    status?: NotificationStatus;
    limit?: number;
    /** Only messages of cases these departments work on (lead, collaborator, a task); unset: all. */
    departments?: readonly string[];
  } = {},
): Promise<PublicNotification[]> {
  const q = db('notification')
    .orderBy('queued_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(filter.limit ?? 100, 500));
  if (filter.caseId) q.where({ case_id: filter.caseId });
  if (filter.status) q.where({ status: filter.status });
  if (filter.departments)
    q.whereIn('case_id', applyDepartmentScope(db('case').select('case.id'), filter.departments, db));
  return (await q).map((r: NotificationRow) => toPublic(normalize(r)));
}

/** bigint ids arrive as strings from pg and numbers from PGlite; jsonb may arrive as text. */
export function normalize(row: NotificationRow): NotificationRow {
  return {
    ...row,
    id: String(row.id),
    to_phone: piiKeyring().decrypt(row.to_phone),
    attempts: Number(row.attempts),
    params: typeof row.params === 'string' ? JSON.parse(row.params) : row.params,
  };
}
