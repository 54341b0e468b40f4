import type { Knex } from 'knex';
import type { EngineLogger } from '../index';
import type { BatchEffects, EngineCore } from './EngineCore';
import type { JobBroker, Delivery } from './JobBroker';
import { Rejection } from './Rejection';
import { FencedOut, type SealedBatch } from '../state/Store';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Executed {
  outcome: Outcome;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Waiting {
  run: (core: EngineCore) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * The single writer.
 *
 * - A command runs the moment it is submitted, against the in-memory state, and joins the *open*
 *   batch. A rejected command's changes are undone at once, so a batch never carries half a command.
 * - The open batch is sealed — turned into one SQL statement (Store.seal) — as soon as no commit is
 *   in flight, and committed; every command of it is acknowledged only after that commit
 *   (*acknowledged means committed*). While a commit is in flight, arriving commands run and build
 *   the next batch on top of the uncommitted one (group commit, pipelined: the engine's work for
 *   batch N+1 overlaps the database's work for batch N).
 * - If a commit fails, memory is rolled back to before that batch — which also removes the open
 *   batch built on top of it — and every command of both fails.
 * - At most `maxBatch` commands join one batch; further ones wait (unexecuted) for the next.
 * - After a failed commit, `recover` runs before any further command (a commit can fail after the
 *   database committed it; the runtime then reloads the state from the database).
 */
export class Processor {
  private open: Executed[] = [];
  /** Undo mark where the open batch began. */
  private openStart = 0;
  private waiting: Waiting[] = [];
  private committing = false;
  private scheduled = false;
  private executing = false;
  /** Recovering after a failed commit: commands wait. */
  private paused = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  /** Called after every commit with what the batch did. */
  afterCommit: (effects: BatchEffects) => void = () => undefined;
  maxBatch = 500;
  /**
   * Ownership fencing: the epoch each commit must still find in the database (throws if this engine
   * already knows it lost ownership), and what to do when a commit was fenced out.
   */
  fence?: { epoch(): number; fencedOut(): void };
  /** Runs after a failed commit was rolled back, before any further command (see EngineRuntime). */
  recover?: () => Promise<void>;

  constructor(
    private readonly core: EngineCore,
    private readonly db: Knex,
    private readonly broker: JobBroker,
    private readonly log: EngineLogger,
  ) {}

  submit<T>(run: (core: EngineCore) => T): Promise<T> {
    if (this.stopped) return Promise.reject(new Error('The engine is shutting down'));
    return new Promise<T>((resolve, reject) => {
      const w: Waiting = { run, resolve: resolve as (v: unknown) => void, reject };
      // Commands run in submission order; one submitted from inside a running command waits.
      if (this.executing || this.paused || this.waiting.length || this.open.length >= this.maxBatch)
        this.waiting.push(w);
      else this.execute(w);
      this.schedule();
    });
  }

  get busy(): boolean {
    return this.committing || this.scheduled || this.open.length > 0 || this.waiting.length > 0;
  }

  /** Resolves when nothing is open, waiting or being committed. */
  drained(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
  }

  private execute(w: Waiting): void {
    const store = this.core.store;
    if (!this.open.length) this.openStart = store.mark();
    const mark = store.mark();
    let outcome: Outcome;
    this.executing = true;
    try {
      outcome = { ok: true, value: w.run(this.core) };
    } catch (error) {
      store.rollbackTo(mark);
      this.core.steps.length = 0;
      if (!(error instanceof Rejection) && !(error as { grpcCode?: number }).grpcCode) {
        this.log.error({ err: error }, 'engine command failed unexpectedly; its changes were undone');
      }
      outcome = { ok: false, error };
    } finally {
      this.executing = false;
    }
    this.open.push({ outcome, resolve: w.resolve, reject: w.reject });
  }

  /** Runs waiting commands into the open batch, up to `maxBatch`. */
  private runWaiting(): void {
    while (!this.paused && this.waiting.length && this.open.length < this.maxBatch) this.execute(this.waiting.shift()!);
  }

  /**
   * Commits the open batch once the current commit (if any) is done. From idle it waits one turn
   * of the event loop, so commands arriving together share a commit.
   */
  private schedule(): void {
    if (this.committing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.commitLoop();
    });
  }

  private async commitLoop(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    try {
      this.runWaiting();
      while (this.open.length) {
        const batch = this.open;
        const start = this.openStart;
        this.open = [];
        // Jobs for parked long polls and streams are activated inside the batch (one commit).
        const deliveries: Delivery[] = this.broker.waitingTypes
          ? this.broker.assign(this.core, this.core.effects.jobTypes)
          : [];
        const effects = this.core.takeEffects();
        let sealed: SealedBatch | undefined;
        try {
          sealed = this.core.store.seal(this.fence?.epoch);
          // Commands that waited for room run now, while this batch is being committed.
          this.runWaiting();
          if (sealed) await this.core.store.execute(this.db, sealed);
        } catch (error) {
          this.fail(start, batch, error);
          await this.recoverAfterFailure();
          this.runWaiting();
          continue;
        }
        if (sealed) this.core.store.committed(sealed);
        for (const item of batch) {
          if (item.outcome.ok) item.resolve(item.outcome.value);
          else item.reject(item.outcome.error);
        }
        for (const d of deliveries) d();
        this.afterCommit(effects);
        this.runWaiting();
      }
    } finally {
      this.committing = false;
      if (this.waiting.length) this.schedule();
      else if (!this.busy) {
        const w = this.idleWaiters;
        this.idleWaiters = [];
        for (const r of w) r();
      }
    }
  }

  private async recoverAfterFailure(): Promise<void> {
    if (!this.recover) return;
    this.paused = true;
    try {
      await this.recover();
    } catch (err) {
      this.log.error({ err }, 'could not check the database after a failed commit; the next commit will');
    } finally {
      this.paused = false;
    }
  }

  /** The commit of `batch` failed: undo it and everything built on it; fail all of their commands. */
  private fail(start: number, batch: Executed[], error: unknown): void {
    if (error instanceof FencedOut) this.fence?.fencedOut();
    this.log.error({ err: error }, 'engine commit failed; the batch was rolled back');
    this.core.store.abort(start);
    this.core.steps.length = 0;
    this.core.takeEffects();
    const built = this.open;
    this.open = [];
    for (const item of [...batch, ...built]) item.reject(error);
  }
}
