import type { Knex } from 'knex';
import type { EngineLogger } from '../index';
import type { BatchEffects, EngineCore } from './EngineCore';
import type { JobBroker, Delivery } from './JobBroker';
import { Rejection } from './Rejection';
import { FencedOut } from '../state/Store';

interface Queued {
  run: (core: EngineCore) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * The single writer. Commands queue here and run one after another against the in-memory
 * state; every batch of commands that queued while the previous commit was in flight is written in
 * ONE transaction (group commit), and each command is acknowledged only after that commit. A
 * rejected command's changes are undone before the next one runs, so a batch never carries half a
 * command. If the commit fails, memory is rolled back and every command of the batch fails.
 */
export class Processor {
  private queue: Queued[] = [];
  private running = false;
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

  constructor(
    private readonly core: EngineCore,
    private readonly db: Knex,
    private readonly broker: JobBroker,
    private readonly log: EngineLogger,
  ) {}

  submit<T>(run: (core: EngineCore) => T): Promise<T> {
    if (this.stopped) return Promise.reject(new Error('The engine is shutting down'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) void this.loop();
    });
  }

  get busy(): boolean {
    return this.running || this.queue.length > 0;
  }

  /** Resolves when the queue is empty and nothing is being committed. */
  drained(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.maxBatch);
        const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
        for (const item of batch) {
          const mark = this.core.store.mark();
          try {
            results.push({ ok: true, value: item.run(this.core) });
          } catch (error) {
            this.core.store.rollbackTo(mark);
            this.core.steps.length = 0;
            if (!(error instanceof Rejection) && !(error as { grpcCode?: number }).grpcCode) {
              this.log.error({ err: error }, 'engine command failed unexpectedly; its changes were undone');
            }
            results.push({ ok: false, error });
          }
        }
        let deliveries: Delivery[] = [];
        if (this.broker.waitingTypes) deliveries = this.broker.assign(this.core, this.core.effects.jobTypes);
        try {
          await this.core.store.flush(this.db, this.fence?.epoch);
        } catch (error) {
          if (error instanceof FencedOut) this.fence?.fencedOut();
          this.core.takeEffects();
          this.log.error({ err: error }, 'engine commit failed; the batch was rolled back');
          for (const item of batch) item.reject(error);
          continue;
        }
        const effects = this.core.takeEffects();
        batch.forEach((item, i) => {
          const r = results[i];
          if (r.ok) item.resolve(r.value);
          else item.reject(r.error);
        });
        for (const d of deliveries) d();
        this.afterCommit(effects);
      }
    } finally {
      this.running = false;
      if (!this.queue.length) {
        const w = this.idleWaiters;
        this.idleWaiters = [];
        for (const r of w) r();
      } else void this.loop();
    }
  }
}
