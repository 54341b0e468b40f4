import type { Knex } from 'knex';
import { behaviorFor } from './bpmn/registry';
import { ModelError } from './model/parse';
import { parseDmn } from './dmn/parse';
import { checkXmlSize, DEFAULT_MODEL_LIMITS, type ModelLimits } from './model/limits';
import { ParserPool } from './model/ParserPool';
import { deploy, type ParsedResource } from './commands/deploy';
import { processDue } from './commands/due';
import { yieldJob } from './commands/jobs';
import { EngineCore } from './processing/EngineCore';
import { JobBroker } from './processing/JobBroker';
import { Processor } from './processing/Processor';
import { Rejection } from './processing/Rejection';
import type { EngineClock } from './processing/Clock';
import type { EngineLogger } from './index';
import type { Key } from './state/types';

const UNLIMITED: ModelLimits = {
  maxXmlBytes: Number.MAX_SAFE_INTEGER,
  maxSubprocessDepth: Number.MAX_SAFE_INTEGER,
  maxXmlDepth: Number.MAX_SAFE_INTEGER,
  maxElements: Number.MAX_SAFE_INTEGER,
  maxExpressionLength: Number.MAX_SAFE_INTEGER,
};

interface ResultWaiter {
  resolve(vars: Record<string, unknown>): void;
}

/**
 * One engine over one database: state machine, single-writer processor, scheduler, job broker
 * and the with-result waiters. The gRPC gateway (gateway/Gateway.ts) is a thin mapping onto it.
 */
export class EngineRuntime {
  readonly core: EngineCore;
  readonly broker = new JobBroker();
  readonly processor: Processor;
  /** Parses models on a worker thread (limits first), so a large model never blocks commands. */
  readonly parser: ParserPool;
  private readonly resultWaiters = new Map<Key, ResultWaiter[]>();
  private timer: NodeJS.Timeout | undefined;
  private nextFire: number | undefined;
  private stopped = false;
  private firing = false;

  constructor(
    readonly db: Knex,
    readonly clock: EngineClock,
    readonly log: EngineLogger,
    readonly limits: ModelLimits = DEFAULT_MODEL_LIMITS,
  ) {
    // The composition root: the core is given the element behaviours (Zeebe: BpmnElementProcessors).
    this.core = new EngineCore(clock, behaviorFor);
    this.parser = new ParserPool((err) =>
      log.warn({ err }, 'no worker thread for the model parser: models are parsed on the main thread'),
    );
    this.processor = new Processor(this.core, db, this.broker, log);
    this.processor.afterCommit = (effects) => {
      for (const [key, vars] of effects.completed) {
        const waiters = this.resultWaiters.get(key);
        if (!waiters) continue;
        this.resultWaiters.delete(key);
        for (const w of waiters) w.resolve(vars);
      }
      if (effects.dueChanged) this.reschedule();
    };
    this.processor.recover = () => this.resyncAfterFailedCommit();
    this.broker.onUndelivered = (keys) => {
      void this.processor.submit((core) => keys.forEach((k) => yieldJob(core, k))).catch(() => undefined);
    };
  }

  /** Loads state and the deployed models, then arms the scheduler. */
  async start(): Promise<void> {
    await this.core.store.load(this.db);
    await this.loadModels();
    this.reschedule();
  }

  private async loadModels(): Promise<void> {
    for (const r of this.core.store.resources.values()) {
      if (r.kind === 'drg') this.core.drgs.set(r.key, await parseDmn(r.content));
      if (r.kind !== 'process') continue;
      // Deployed models were within the limits in force then; lowered limits must not stop a start.
      const models = await this.parser.parse(r.content, UNLIMITED);
      const m = models.find((x) => x.bpmnProcessId === r.resourceId);
      if (m) this.core.models.set(r.key, m);
    }
  }

  /**
   * After a failed commit memory was rolled back — but a commit can fail *after* the database
   * committed it (the connection broke before the answer came). The database's record position
   * tells: if it is not the one memory holds, memory is reloaded from the database, so the engine
   * never reuses keys or positions the database already has and continues from what is durable.
   * The processor holds new commands while this runs.
   */
  async resyncAfterFailedCommit(): Promise<void> {
    const row = await this.db('engine_meta').where({ name: 'position' }).first();
    const durable = row ? Number(typeof row.value === 'string' ? JSON.parse(row.value) : row.value) : 0;
    if (durable === this.core.store.lastPosition) return;
    this.log.warn(
      { durable, inMemory: this.core.store.lastPosition },
      'a failed commit had reached the database: reloading the state from it',
    );
    this.core.store.reset();
    await this.core.store.load(this.db);
    await this.loadModels();
    this.reschedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.broker.close();
    await this.processor.drained();
    this.processor.stop();
    await this.parser.close();
    for (const [, ws] of this.resultWaiters) for (const w of ws) w.resolve({});
    this.resultWaiters.clear();
  }

  /**
   * Parses resources (on the parser's worker thread, outside the single writer), then deploys them
   * in one command. Each resource is first checked against the model limits (size here, structure
   * by one streaming pass in the worker), so a model over a limit is refused before the moddle parse.
   */
  async deploy(resources: { name: string; content: Buffer | string }[]) {
    if (!resources.length)
      throw new Rejection('INVALID_ARGUMENT', 'CREATE', 'Expected to deploy at least one resource, but none given');
    const parsed: ParsedResource[] = [];
    const errors: string[] = [];
    for (const r of resources) {
      const content = typeof r.content === 'string' ? r.content : r.content.toString('utf8');
      const lower = r.name.toLowerCase();
      try {
        if (lower.endsWith('.bpmn') || lower.endsWith('.xml')) {
          checkXmlSize(content, this.limits);
          parsed.push({ kind: 'bpmn', name: r.name, content, models: await this.parser.parse(content, this.limits) });
        } else if (lower.endsWith('.form')) {
          let json: any;
          try {
            json = JSON.parse(content);
          } catch (e) {
            throw new Error(`Failed to parse the form JSON: ${(e as Error).message}`, { cause: e });
          }
          if (!json || typeof json.id !== 'string' || !json.id)
            throw new Error("Expected the form to have a non-empty 'id'");
          parsed.push({ kind: 'form', name: r.name, content, formId: json.id });
        } else if (lower.endsWith('.dmn')) {
          // a decision model is XML too: the same size bound before it is parsed
          checkXmlSize(content, this.limits);
          parsed.push({ kind: 'dmn', name: r.name, content, drg: await parseDmn(content) });
        } else {
          throw new Error('Resource type is not supported. Supported resource types are: .bpmn, .xml, .dmn, .form');
        }
      } catch (e) {
        errors.push(`'${r.name}': ${e instanceof ModelError ? e.message : (e as Error).message}`);
      }
    }
    if (errors.length) {
      throw new Rejection(
        'INVALID_ARGUMENT',
        'CREATE',
        `Expected to deploy new resources, but encountered the following errors:\n${errors.join('\n')}`,
      );
    }
    return this.processor.submit((core) => deploy(core, parsed));
  }

  /** Registers a with-result waiter; must be called inside the creating command. */
  awaitResult(processInstanceKey: Key, waiter: ResultWaiter): () => void {
    const list = this.resultWaiters.get(processInstanceKey) ?? [];
    list.push(waiter);
    this.resultWaiters.set(processInstanceKey, list);
    return () => {
      const l = this.resultWaiters.get(processInstanceKey);
      if (!l) return;
      const i = l.indexOf(waiter);
      if (i >= 0) l.splice(i, 1);
      if (!l.length) this.resultWaiters.delete(processInstanceKey);
    };
  }

  /** Arms one timer for the earliest due item (timers, deadlines, back-offs, TTLs). */
  reschedule(): void {
    if (this.stopped) return;
    const next = this.core.dueQueue.peek();
    if (next === this.nextFire && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextFire = next;
    if (next === undefined) return;
    const delay = Math.min(Math.max(0, next - this.clock.now()), 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.nextFire = undefined;
      void this.fireDue();
    }, delay);
    this.timer.unref?.();
  }

  /** Processes everything due now (also used by tests after moving the clock). */
  async fireDue(): Promise<void> {
    if (this.firing || this.stopped) return;
    this.firing = true;
    try {
      for (;;) {
        const n = await this.processor.submit((core) => processDue(core));
        if (n < 500) break;
      }
    } catch (err) {
      this.log.error({ err }, 'processing due work failed');
    } finally {
      this.firing = false;
      this.reschedule();
    }
  }

  /**
   * Deletes records older than the retention window (engine clock): every committed batch whose
   * newest record is older. Records are history only — no engine state is derived from them — so
   * this runs outside the single writer. Returns the number of batches deleted.
   */
  async pruneRecords(retentionMs: number): Promise<number> {
    const cutoff = this.clock.now() - retentionMs;
    const r: unknown = await this.db('engine_record_batch').where('last_timestamp', '<', cutoff).delete();
    // pg returns the row count; knex-pglite returns the driver's result object.
    return typeof r === 'number'
      ? r
      : Number(
          (r as { affectedRows?: number; rowCount?: number }).affectedRows ??
            (r as { rowCount?: number }).rowCount ??
            0,
        );
  }

  /** True when nothing is queued, nothing is being committed and nothing is due. */
  isIdle(): boolean {
    const next = this.core.dueQueue.peek();
    return !this.processor.busy && !this.firing && (next === undefined || next > this.clock.now());
  }
}
