/**
 * Intake that never loses a report nor hangs on the engine (docs/intake.md).
 *
 * {@link fileCase} writes the case, its `reported` event, a `case_pending_start` row (the process to
 * start and its variables) and, when the client sent one, its idempotency key — in one transaction.
 * The request then makes one bounded attempt ({@link attemptStart}); when the engine does not answer
 * in time the case stays pending and the {@link CaseStarter} loop starts it later, with exponential
 * back-off while the engine is down.
 *
 * Exactly one instance per case:
 * - one attempt at a time per case: an attempt claims the row for {@link START_LEASE_MS}
 *   (`claimed_until`); the request and the loop never call the engine for the same case at once;
 * - the row is deleted only in the transaction that records the instance key on the case, with the
 *   `process.started` timeline event;
 * - an attempt whose outcome is unknown (no answer within the deadline, or the process died between
 *   the engine's answer and that transaction) leaves the claim in place: the case is not tried again
 *   before the lease ends. The instance, if it was created, runs `case.accept` meanwhile, and that
 *   worker records its key on the case (workers/case-accept.ts); the next attempt sees the key and
 *   finishes without creating another instance.
 * - The window left: the outcome was unknown, and that instance's `case.accept` job had not run when
 *   the lease ended (its job workers down for the whole {@link START_LEASE_MS}). Then a second
 *   instance is created; both carry `caseId`, and the second `case.accept` finds the key of the
 *   first one already on the case.
 */
import crypto from 'node:crypto';
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { certainlyNotProcessed, withDeadline } from '../processes/engine-call';
import { createCase, type CreatedCase, type NewCase } from './case-service';
import { appendCaseEvent } from './timeline';

type ZeebeGrpcClient = Zeebe.ZeebeGrpcClient;

/** The one window every report goes through. */
export const CASE_INTAKE_PROCESS = 'case-intake';
/** How long a request waits for the engine to start the instance before answering 202. */
export const INTAKE_START_DEADLINE_MS = 2000;
/** How long the starter loop waits for one start. */
export const STARTER_CALL_DEADLINE_MS = 10_000;
/** An attempt's claim on a case: an unknown outcome is not retried before it ends. */
export const START_LEASE_MS = 60_000;
/** Back-off after a start the engine certainly did not make: 1 s, 2 s, 4 s … at most 5 min. */
export const START_BACKOFF_MIN_MS = 1000;
export const START_BACKOFF_MAX_MS = 5 * 60_000;
/** Idempotency keys are kept this long. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/** Session advisory lock (PostgreSQL): one starter loop per database. */
const STARTER_LOCK = 'onematter:case-starter';

export interface IdempotencyInput {
  /** `api`, or `open311:<client>`. */
  scope: string;
  key: string;
  /** A hash of the request's meaning (the body), to tell a retry from a different request. */
  requestHash: string;
}

export type FileOutcome =
  | { kind: 'created'; created: CreatedCase }
  /** The key was used before with the same request: that case. */
  | { kind: 'replay'; caseId: string }
  /** The key was used before with a different request. */
  | { kind: 'mismatch' };

/** SHA-256 over a canonical JSON of the value (keys sorted), for {@link IdempotencyInput.requestHash}. */
export function requestHash(value: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
  return crypto
    .createHash('sha256')
    .update(JSON.stringify(canon(value)))
    .digest('hex');
}

async function findKey(db: Knex, k: IdempotencyInput, now: Date): Promise<FileOutcome | undefined> {
  const row = await db('intake_idempotency')
    .where({ scope: k.scope, key: k.key })
    .where('expires_at', '>', now)
    .first('request_hash', 'case_id');
  if (!row) return undefined;
  return row.request_hash === k.requestHash ? { kind: 'replay', caseId: row.case_id } : { kind: 'mismatch' };
}

/**
 * Files a case for `process` in one transaction: the case (createCase), `extra` writes of the
 * caller (Open311's details), the pending start and the idempotency key. Nothing is asked of the
 * engine here.
 */
export async function fileCase(
  db: Knex,
  input: NewCase,
  options: {
    process?: string;
    variables?: Record<string, unknown>;
    idempotency?: IdempotencyInput;
    extra?: (trx: Knex.Transaction, created: CreatedCase) => Promise<void>;
    /** The loop leaves the case to the request's own first attempt this long (default the request's deadline). */
    holdMs?: number;
  },
  now: Date,
): Promise<FileOutcome> {
  const k = options.idempotency;
  if (k) {
    const seen = await findKey(db, k, now);
    if (seen) return seen;
  }
  try {
    return await db.transaction(async (trx) => {
      const created = await createCase(trx, input, now);
      if (options.extra) await options.extra(trx, created);
      await trx('case_pending_start').insert({
        case_id: created.id,
        bpmn_process_id: options.process ?? CASE_INTAKE_PROCESS,
        variables: JSON.stringify({ caseId: created.id, caseNo: created.caseNo, ...options.variables }),
        attempts: 0,
        // The request makes the first attempt itself; the loop steps in if that process dies.
        next_attempt_at: new Date(now.getTime() + (options.holdMs ?? INTAKE_START_DEADLINE_MS)),
        created_at: now,
      });
      if (k) {
        // An expired key may be used again; a live one of another request is the conflict below.
        await trx('intake_idempotency').where({ scope: k.scope, key: k.key }).where('expires_at', '<=', now).del();
        await trx('intake_idempotency').insert({
          scope: k.scope,
          key: k.key,
          request_hash: k.requestHash,
          case_id: created.id,
          created_at: now,
          expires_at: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
        });
      }
      return { kind: 'created' as const, created };
    });
  } catch (err) {
    // The same key sent twice at once: the other request's transaction won; answer as it did.
    if (k && (err as { code?: string }).code === '23505') {
      const seen = await findKey(db, k, now);
      if (seen) return seen;
    }
    throw err;
  }
}

/** Deletes expired idempotency keys, at most `limit` at a time; returns how many. */
export async function purgeIdempotencyKeys(db: Knex, now: Date, limit = 500): Promise<number> {
  const r = await db.raw(
    `delete from intake_idempotency where ctid in (select ctid from intake_idempotency where expires_at <= ? limit ?)`,
    [now, limit],
  );
  return r.rowCount ?? 0;
}

export type StartOutcome =
  | { kind: 'started'; processInstanceKey: string }
  /** Not started now; the starter loop tries again (`retryAt`). */
  | { kind: 'pending'; error?: string }
  /** Another attempt holds the case, or it has no pending start. */
  | { kind: 'busy' };

function backoff(attempts: number): number {
  return Math.min(START_BACKOFF_MAX_MS, START_BACKOFF_MIN_MS * 2 ** Math.max(0, attempts - 1));
}

/** Records the key, drops the pending row and appends `process.started`, in one transaction. */
async function finishStart(
  db: Knex,
  caseId: string,
  process: string,
  processInstanceKey: string,
  attempts: number,
  recovered: boolean,
  now: Date,
): Promise<void> {
  await db.transaction(async (trx) => {
    const gone = await trx('case_pending_start').where({ case_id: caseId }).del();
    if (!gone) return; // finished by someone else meanwhile
    await trx('case')
      .where({ id: caseId })
      .update({ process_instance_key: trx.raw('coalesce(process_instance_key, ?)', [processInstanceKey]) });
    await appendCaseEvent(trx, caseId, {
      at: now,
      type: 'process.started',
      actor: 'system',
      data: { process, processInstanceKey, attempts, ...(recovered ? { recovered: true } : {}) },
    });
  });
}

/**
 * One bounded attempt to start the pending process of a case: claim → create the instance (at most
 * `deadlineMs`) → record. Never throws for engine trouble: the case stays pending.
 */
export async function attemptStart(
  db: Knex,
  zbc: ZeebeGrpcClient,
  caseId: string,
  options: { deadlineMs: number; now: () => Date; log?: Logger },
): Promise<StartOutcome> {
  const at = options.now();
  const claimed = await db('case_pending_start')
    .where({ case_id: caseId })
    .where((q) => q.whereNull('claimed_until').orWhere('claimed_until', '<=', at))
    .update({ claimed_until: new Date(at.getTime() + START_LEASE_MS), attempts: db.raw('attempts + 1') })
    .returning(['bpmn_process_id', 'variables', 'attempts']);
  if (claimed.length === 0) return { kind: 'busy' };
  const { bpmn_process_id: process, attempts } = claimed[0];
  const variables = typeof claimed[0].variables === 'string' ? JSON.parse(claimed[0].variables) : claimed[0].variables;
  // An earlier attempt whose outcome was unknown may have created the instance: its case.accept
  // recorded the key on the case. Then nothing is created again.
  const c = await db('case').where({ id: caseId }).first('process_instance_key');
  if (c?.process_instance_key) {
    await finishStart(db, caseId, process, c.process_instance_key, attempts, true, options.now());
    return { kind: 'started', processInstanceKey: c.process_instance_key };
  }
  try {
    const r = await withDeadline(
      zbc.createProcessInstance({ bpmnProcessId: process, variables }),
      options.deadlineMs,
      `CreateProcessInstance ${process}`,
    );
    await finishStart(db, caseId, process, r.processInstanceKey, attempts, false, options.now());
    return { kind: 'started', processInstanceKey: r.processInstanceKey };
  } catch (err) {
    const error = String((err as Error)?.message ?? err).slice(0, 1000);
    const now = options.now();
    if (certainlyNotProcessed(err)) {
      // Nothing was created: free the claim and back off.
      await db('case_pending_start')
        .where({ case_id: caseId })
        .update({
          claimed_until: null,
          last_error: error,
          next_attempt_at: new Date(now.getTime() + backoff(attempts)),
        });
    } else {
      // Unknown outcome: keep the claim; the next attempt comes when the lease ends.
      await db('case_pending_start')
        .where({ case_id: caseId })
        .update({ last_error: error, next_attempt_at: new Date(at.getTime() + START_LEASE_MS) });
    }
    options.log?.warn({ caseId, process, attempts, err: { message: error } }, 'process start deferred');
    return { kind: 'pending', error };
  }
}

/** Whether a case still waits for its process to start (the tracking page says 正在分拨). */
export async function isStartPending(db: Knex, caseId: string): Promise<boolean> {
  return !!(await db('case_pending_start').where({ case_id: caseId }).first('case_id'));
}

/** The backlog for /healthz: how many cases wait, since when, and the last engine error. */
export async function pendingStartBacklog(
  db: Knex,
): Promise<{ pending: number; oldestSince: string | null; lastError: string | null }> {
  const row = await db('case_pending_start').count<{ n: string }[]>({ n: '*' }).min({ oldest: 'created_at' }).first();
  const last = await db('case_pending_start').whereNotNull('last_error').orderBy('created_at').first('last_error');
  const oldest = (row as { oldest?: Date | string | null } | undefined)?.oldest;
  return {
    pending: Number((row as { n?: string } | undefined)?.n ?? 0),
    oldestSince: oldest ? new Date(oldest).toISOString() : null,
    lastError: last?.last_error ?? null,
  };
}

export interface CaseStarterOptions {
  db: Knex;
  /** A client without retries (engine-call.ts): the deadline must really end the attempt. */
  zbc: ZeebeGrpcClient;
  log: Logger;
  now?: () => Date;
  /** Hold a PostgreSQL session advisory lock so one process runs the loop (the platform: on PostgreSQL). */
  advisoryLock?: boolean;
  /** How often the loop looks for due starts (default 1000 ms). */
  pollMs?: number;
  /** Starts per round (default 20). */
  batch?: number;
}

/**
 * The starter loop: every `pollMs` it starts the due pending cases, oldest first. On PostgreSQL a
 * session advisory lock on its own connection makes it one loop per database; a process that does
 * not get the lock tries again each round (and takes over when the holder's connection ends).
 */
export class CaseStarter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private lockConnection: unknown;
  private lastPurge = 0;

  constructor(private readonly o: CaseStarterOptions) {}

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  private get useLock(): boolean {
    return this.o.advisoryLock ?? false;
  }

  /** Whether this process holds the starter lock (always true without one). */
  async holdsLock(): Promise<boolean> {
    if (!this.useLock) return true;
    if (this.lockConnection) return true;
    const client = this.o.db.client as {
      acquireConnection(): Promise<unknown>;
      releaseConnection(c: unknown): Promise<void>;
    };
    const conn = await client.acquireConnection();
    try {
      const r = await this.o.db.raw('select pg_try_advisory_lock(hashtext(?)) as ok', [STARTER_LOCK]).connection(conn);
      if (r.rows[0]?.ok) {
        this.lockConnection = conn;
        return true;
      }
    } catch (err) {
      this.o.log.warn({ err }, 'case starter: advisory lock failed');
    }
    await client.releaseConnection(conn);
    return false;
  }

  /** One round: starts the due pending cases; returns how many started and how many are still pending. */
  async runOnce(): Promise<{ started: number; deferred: number }> {
    if (!(await this.holdsLock())) return { started: 0, deferred: 0 };
    const now = this.now();
    const due = await this.o
      .db('case_pending_start')
      .where('next_attempt_at', '<=', now)
      .where((q) => q.whereNull('claimed_until').orWhere('claimed_until', '<=', now))
      .orderBy('created_at')
      .limit(this.o.batch ?? 20)
      .pluck('case_id');
    let started = 0;
    let deferred = 0;
    for (const caseId of due) {
      const r = await attemptStart(this.o.db, this.o.zbc, caseId, {
        deadlineMs: STARTER_CALL_DEADLINE_MS,
        now: () => this.now(),
        log: this.o.log,
      });
      if (r.kind === 'started') started += 1;
      else if (r.kind === 'pending') {
        deferred += 1;
        break; // the engine is down: the rest wait for the next round
      }
    }
    if (now.getTime() - this.lastPurge > 3600_000) {
      this.lastPurge = now.getTime();
      await purgeIdempotencyKeys(this.o.db, now);
    }
    if (started) this.o.log.info({ started }, 'pending process starts made');
    return { started, deferred };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = () => {
      this.running = this.runOnce()
        .catch((err) => this.o.log.error({ err }, 'case starter round failed'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) {
            this.timer = setTimeout(tick, this.o.pollMs ?? 1000);
            this.timer.unref();
          }
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.lockConnection) {
      const conn = this.lockConnection;
      this.lockConnection = undefined;
      await this.o.db
        .raw('select pg_advisory_unlock(hashtext(?))', [STARTER_LOCK])
        .connection(conn)
        .catch(() => undefined);
      await (this.o.db.client as { releaseConnection(c: unknown): Promise<void> }).releaseConnection(conn);
    }
  }
}
