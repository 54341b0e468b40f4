import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkModelLimits, type ModelLimits } from './limits';
import { ModelError, parseBpmn } from './parse';
import type { ParseRequest, ParseResponse } from './parse-worker';
import type { ProcessModel } from './types';

interface Pending {
  req: ParseRequest;
  resolve(models: ProcessModel[]): void;
  reject(err: Error): void;
}

/**
 * Parses BPMN off the event loop: one worker thread (started on first use, unref'd while idle,
 * restarted if it dies) checks the model limits and runs the moddle parse and the model walk, so
 * deploying a large model never blocks command processing. The worker has its own heap limit, so
 * a model that would exhaust memory ends the worker (and that deploy), not the engine.
 *
 * The worker is TypeScript: it runs under `tsx` (as `npm start`, `npm run engine` and the Docker
 * image do), registered in the worker by `tsx/cjs`. Where no worker can load,
 * parsing falls back to this thread (reported once through `onFallback`).
 */
export class ParserPool {
  private worker: Worker | undefined;
  /** The current worker loaded its modules; a failure before that means no worker can run here. */
  private ready = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private unavailable = false;
  private closed = false;

  constructor(private readonly onFallback: (err: Error) => void = () => undefined) {}

  async parse(xml: string, limits: ModelLimits): Promise<ProcessModel[]> {
    const worker = this.closed || this.unavailable ? undefined : this.start();
    if (!worker) {
      checkModelLimits(xml, limits);
      return parseBpmn(xml);
    }
    const req: ParseRequest = { id: this.nextId++, xml, limits };
    return new Promise<ProcessModel[]>((resolve, reject) => {
      this.pending.set(req.id, { req, resolve, reject });
      worker.ref();
      worker.postMessage(req);
    });
  }

  /** Stops the worker; parses still waiting are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    const all = this.takePending();
    for (const p of all) p.reject(new Error('the engine is stopping'));
    await w?.terminate();
  }

  private start(): Worker | undefined {
    if (this.worker) return this.worker;
    const ts = __filename.endsWith('.ts');
    const file = path.join(__dirname, ts ? 'parse-worker.ts' : 'parse-worker.js');
    let w: Worker;
    try {
      // A .ts worker gets tsx's require hook first (tsx's own loader does not reach worker threads).
      w = ts
        ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, {
            eval: true,
            resourceLimits: { maxOldGenerationSizeMb: 512 },
          })
        : new Worker(file, { resourceLimits: { maxOldGenerationSizeMb: 512 } });
    } catch (err) {
      this.giveUp(err as Error);
      return undefined;
    }
    this.ready = false;
    this.worker = w;
    w.on('message', (res: ParseResponse) => {
      if ('ready' in res) {
        this.ready = true;
        return;
      }
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (!this.pending.size) w.unref();
      if ('models' in res) p.resolve(res.models);
      else if (res.error.problems) p.reject(new ModelError(res.error.problems));
      else p.reject(new Error(res.error.message));
    });
    w.on('error', (err) => this.lost(w, err));
    w.on('exit', (code) => this.lost(w, new Error(`the model parser stopped (exit code ${code})`)));
    w.unref();
    return w;
  }

  private lost(w: Worker, err: Error): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    const all = this.takePending();
    if (!this.ready) {
      // It never loaded: parse on this thread from now on, the waiting requests too.
      this.giveUp(err);
      for (const p of all) this.parse(p.req.xml, p.req.limits).then(p.resolve, p.reject);
      return;
    }
    for (const p of all) p.reject(new Error(`Failed to parse the BPMN XML: ${err.message}`, { cause: err }));
  }

  private giveUp(err: Error): void {
    this.unavailable = true;
    this.onFallback(err);
  }

  private takePending(): Pending[] {
    const all = [...this.pending.values()];
    this.pending.clear();
    return all;
  }
}
