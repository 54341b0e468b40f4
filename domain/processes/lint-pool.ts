import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ModelLimits } from '../../engine';
import type { LintReport } from './lint-bpmn';
import type { LintRequest, LintResponse } from './lint-worker';

interface Pending {
  req: LintRequest;
  resolve(r: LintReport): void;
  reject(err: Error): void;
}

/**
 * Runs the model lint on one worker thread (started on first use, unref'd while idle, restarted if
 * it dies, with its own heap limit), so linting a large upload never blocks the server. The worker
 * is TypeScript and gets tsx's require hook (`tsx/cjs`); where no worker loads, the lint runs on
 * this thread. The same pattern as the engine's parser (engine/model/ParserPool.ts).
 */
export class LintPool {
  private worker: Worker | undefined;
  private ready = false;
  private unavailable = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** `here` lints on the calling thread: the fallback where no worker loads. */
  constructor(private readonly here: (xml: string, limits: Partial<ModelLimits>) => Promise<LintReport>) {}

  async run(xml: string, limits: Partial<ModelLimits>): Promise<LintReport> {
    const worker = this.unavailable ? undefined : this.start();
    if (!worker) return this.here(xml, limits);
    const req: LintRequest = { id: this.nextId++, xml, limits };
    return new Promise<LintReport>((resolve, reject) => {
      this.pending.set(req.id, { req, resolve, reject });
      worker.ref();
      worker.postMessage(req);
    });
  }

  private start(): Worker | undefined {
    if (this.worker) return this.worker;
    const ts = __filename.endsWith('.ts');
    const file = path.join(__dirname, ts ? 'lint-worker.ts' : 'lint-worker.js');
    const resourceLimits = { maxOldGenerationSizeMb: 512 };
    let w: Worker;
    try {
      w = ts
        ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, { eval: true, resourceLimits })
        : new Worker(file, { resourceLimits });
    } catch {
      this.unavailable = true;
      return undefined;
    }
    this.ready = false;
    this.worker = w;
    w.on('message', (res: LintResponse) => {
      if ('ready' in res) {
        this.ready = true;
        return;
      }
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (!this.pending.size) w.unref();
      if ('report' in res) p.resolve(res.report);
      else p.reject(new Error(res.error));
    });
    const lost = (err: Error) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      const all = [...this.pending.values()];
      this.pending.clear();
      if (!this.ready) {
        // It never loaded: lint on this thread from now on, the waiting ones too.
        this.unavailable = true;
        for (const p of all) this.run(p.req.xml, p.req.limits).then(p.resolve, p.reject);
        return;
      }
      for (const p of all) p.reject(err);
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`the model lint stopped (exit code ${code})`)));
    w.unref();
    return w;
  }
}
