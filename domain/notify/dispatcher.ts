import type { Knex } from 'knex';
import { backoffDelayMs, type BackoffOptions } from './backoff';
import { maskPhonesInText } from './mask';
import { normalize, toPublic, type NotificationRow } from './outbox';
import { ProviderError, type SmsProvider } from './provider';

/** The subset of a pino logger the dispatcher uses. */
export interface DispatchLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DispatcherOptions {
  db: Knex;
  provider: SmsProvider;
  log?: DispatchLog;
  /** Injected clock (tests advance it instead of sleeping). */
  now?: () => Date;
  random?: () => number;
  /** Rows claimed per round; also the number of concurrent provider calls. Default 20. */
  batchSize?: number;
  /** How long a claim is held; a dispatcher that dies mid-send frees its rows after this. Default 60 s. */
  leaseMs?: number;
  /** Fallback poll when nothing wakes the dispatcher. Default 5 s. */
  pollIntervalMs?: number;
  backoff?: BackoffOptions;
  /** Attempts after which a permanent (4xx-type) error marks the row failed. Default 3. */
  maxPermanentAttempts?: number;
}

export interface RoundResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

const silent: DispatchLog = { info() {}, warn() {}, error() {} };

/**
 * The started dispatcher of each database handle in this process. The device service hands a
 * fire-lane notice straight to it (`sendNow`) without being wired to the notifier; with none
 * started here (the dispatcher runs in another process, or a test drives it by hand) the notice is
 * released for the next round instead.
 */
const started = new WeakMap<Knex, Dispatcher>();

/** The dispatcher started in this process on `db`, if any. */
export function dispatcherFor(db: Knex): Dispatcher | undefined {
  return started.get(db);
}

/** Log fields for a row: masked, never the full phone. */
function logFields(row: NotificationRow) {
  const p = toPublic(row);
  return {
    notification: {
      id: p.id,
      to: p.to,
      template: p.template,
      caseId: p.caseId,
      attempts: p.attempts,
      status: p.status,
    },
  };
}

/**
 * Sends queued notifications through one provider. Rows are claimed with `FOR UPDATE SKIP LOCKED`
 * in a single statement (no transaction is held across the provider call — PGlite has one
 * connection), so any number of dispatchers, in one process or many, never send a row twice while
 * its lease holds. `wake()` after an enqueue starts a round immediately (the fire-lane budget is
 * detection → SMS handed to the provider in ≤ 50 ms at p50); the poll timer is only a fallback for
 * retries that come due and for rows queued by other processes.
 *
 * `sendNow(id)` hands one known row over at once (the fire-lane notice, right after its process
 * instance exists): the same atomic claim, for that row only, then the provider.
 *
 * Delivery to the provider is at-least-once in one case only: a process dying after the provider
 * accepted but before the row was marked sent. The row's lease then expires and it is sent again —
 * that is why webhook calls carry `Idempotency-Key` and Aliyun calls carry `OutId`.
 */
export class Dispatcher {
  private readonly db: Knex;
  private readonly provider: SmsProvider;
  private readonly log: DispatchLog;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly maxPermanentAttempts: number;
  private running: Promise<void> | undefined;
  private wanted = false;
  private started = false;
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = Infinity;
  /** Deliveries in flight (provider call + outcome update), awaited by `idle()` and `stop()`. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: DispatcherOptions) {
    this.db = options.db;
    this.provider = options.provider;
    this.log = options.log ?? silent;
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.batchSize = options.batchSize ?? 20;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
    this.maxPermanentAttempts = options.maxPermanentAttempts ?? 3;
  }

  /** Starts the fallback poll and runs a first round. */
  start(): void {
    this.started = true;
    started.set(this.db, this);
    this.wake();
  }

  /** Stops polling and waits for the round in flight. */
  async stop(): Promise<void> {
    this.started = false;
    if (started.get(this.db) === this) started.delete(this.db);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueAt = Infinity;
    await this.idle();
  }

  /** Runs rounds now until nothing is due; calls made while a round runs are coalesced into one more. */
  wake(): void {
    this.wanted = true;
    if (!this.running) this.running = this.loop();
  }

  /** Resolves when no round and no delivery is in flight (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running || this.inFlight.size) {
      await this.running;
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /**
   * Claims one queued row by id — due, held (`queueInTransaction(…, {hold: true})`) or not yet due —
   * and hands it to the provider now, without waiting for a round. The claim is the same atomic
   * `queued → sending` update as a round's, so a row is sent once however many dispatchers race for
   * it. Resolves with the outcome, or undefined when the row was no longer queued.
   */
  sendNow(id: string): Promise<'sent' | 'retried' | 'failed' | undefined> {
    const now = this.now();
    const lease = new Date(now.getTime() + this.leaseMs);
    const p = this.db
      .raw(
        `update notification set status = 'sending', attempts = attempts + 1, locked_until = ?, updated_at = ?
          where id = ? and status = 'queued' returning *`,
        [lease, now, id],
      )
      .then((res: { rows: NotificationRow[] }) => (res.rows.length ? this.deliver(normalize(res.rows[0])) : undefined));
    return this.track(p);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    const tracked = p.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return tracked;
  }

  /**
   * Rounds while woken: each claims a batch and starts its deliveries without waiting for them, so a
   * wake during a slow provider call claims the new row at once rather than after that call. At
   * most two batches' worth of deliveries are in flight; past that a round waits for one to finish.
   */
  private async loop(): Promise<void> {
    try {
      while (this.wanted) {
        this.wanted = false;
        while (this.inFlight.size >= this.batchSize * 2)
          await Promise.race([...this.inFlight].map((p) => p.catch(() => undefined)));
        const rows = await this.claim();
        for (const row of rows) {
          this.track(this.deliver(row)).catch((err: Error) =>
            this.log.error(
              { ...logFields(row), err: { message: maskPhonesInText(err.message) } },
              'recording an SMS outcome failed; the row is reclaimed when its lease expires',
            ),
          );
        }
        if (rows.length === this.batchSize) this.wanted = true;
      }
    } catch (err) {
      this.log.error(
        { err: { message: maskPhonesInText((err as Error).message) } },
        'notification dispatch round failed; retrying on the next poll',
      );
    } finally {
      this.running = undefined;
    }
    if (this.started) await this.schedule();
  }

  /** Arms the fallback timer for the next due retry or lease expiry, at most one poll interval away. */
  private async schedule(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    let delay = this.pollIntervalMs;
    try {
      const next = await this.db('notification')
        .whereIn('status', ['queued', 'sending'])
        .select(this.db.raw(`min(case when status = 'queued' then next_attempt_at else locked_until end) as at`))
        .first();
      if (next?.at) delay = Math.min(delay, Math.max(10, new Date(next.at).getTime() - this.now().getTime()));
    } catch {
      // the database may be going away at shutdown; the poll interval still applies
    }
    if (!this.started) return;
    this.arm(delay);
  }

  private arm(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerDueAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDueAt = Infinity;
      this.wake();
    }, delayMs);
    this.timer.unref?.();
  }

  /** A retry came due earlier than the armed timer (deliveries finish after their round). */
  private armBy(delayMs: number): void {
    if (this.started && Date.now() + delayMs < this.timerDueAt) this.arm(Math.max(10, delayMs));
  }

  /** Claims one batch of due rows, sends them concurrently and records each outcome. */
  async runOnce(): Promise<RoundResult> {
    const rows = await this.claim();
    const result: RoundResult = { claimed: rows.length, sent: 0, retried: 0, failed: 0 };
    await Promise.all(
      rows.map(async (row) => {
        const outcome = await this.deliver(row);
        result[outcome] += 1;
      }),
    );
    return result;
  }

  private async claim(): Promise<NotificationRow[]> {
    const now = this.now();
    const lease = new Date(now.getTime() + this.leaseMs);
    const res = await this.db.raw(
      `update notification n
          set status = 'sending', attempts = n.attempts + 1, locked_until = ?, updated_at = ?
        where n.id in (
          select id from notification
           where (status = 'queued' and next_attempt_at <= ?)
              or (status = 'sending' and locked_until < ?)
           order by next_attempt_at, id
           limit ?
           for update skip locked)
        returning n.*`,
      [lease, now, now, now, this.batchSize],
    );
    return (res.rows as NotificationRow[]).map(normalize);
  }

  private async deliver(row: NotificationRow): Promise<'sent' | 'retried' | 'failed'> {
    try {
      const result = await this.provider.send({
        id: row.id,
        idempotencyKey: row.idempotency_key,
        to: row.to_phone,
        template: row.template,
        params: row.params,
        text: row.text,
        caseId: row.case_id,
      });
      const now = this.now();
      await this.db('notification')
        .where({ id: row.id, status: 'sending' })
        .update({
          status: 'sent',
          sent_at: now,
          provider: this.provider.name,
          provider_message_id: result.providerMessageId ?? null,
          last_error: null,
          locked_until: null,
          next_attempt_at: null,
          updated_at: now,
        });
      this.log.info(
        { ...logFields({ ...row, status: 'sent' }), provider: this.provider.name },
        'SMS handed to provider',
      );
      return 'sent';
    } catch (err) {
      return this.recordFailure(row, err);
    }
  }

  private async recordFailure(row: NotificationRow, err: unknown): Promise<'retried' | 'failed'> {
    const now = this.now();
    const providerError = err instanceof ProviderError ? err : undefined;
    // Unknown exceptions (a provider bug) are treated as transient: delayed, never lost.
    const retryable = providerError ? providerError.retryable : true;
    const message = maskPhonesInText(err instanceof Error ? err.message : String(err)).slice(0, 1000);
    if (!retryable && row.attempts >= this.maxPermanentAttempts) {
      await this.db('notification')
        .where({ id: row.id, status: 'sending' })
        .update({
          status: 'failed',
          status_reason: `permanent provider error after ${row.attempts} attempts`,
          last_error: message,
          provider: this.provider.name,
          locked_until: null,
          next_attempt_at: null,
          updated_at: now,
        });
      this.log.error(
        { ...logFields({ ...row, status: 'failed' }), err: { message, code: providerError?.code } },
        'SMS failed permanently',
      );
      return 'failed';
    }
    const delay = backoffDelayMs(row.attempts, this.random, this.options.backoff);
    const nextAttemptAt = new Date(now.getTime() + delay);
    await this.db('notification').where({ id: row.id, status: 'sending' }).update({
      status: 'queued',
      next_attempt_at: nextAttemptAt,
      last_error: message,
      provider: this.provider.name,
      locked_until: null,
      updated_at: now,
    });
    this.armBy(delay);
    this.log.warn(
      {
        ...logFields({ ...row, status: 'queued' }),
        err: { message, code: providerError?.code, retryable },
        retryInMs: delay,
      },
      'SMS send failed; retry scheduled',
    );
    return 'retried';
  }
}
