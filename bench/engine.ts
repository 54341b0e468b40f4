/**
 * Engine benchmarks (npm run bench:engine). Prints figures and the machine; never a timed test.
 *
 *   npm run bench:engine                       # PGlite, and PostgreSQL when DATABASE_URL is set
 *   npm run bench:engine -- --db postgres      # only PostgreSQL (DATABASE_URL or the local default)
 *   npm run bench:engine -- --quick            # smaller runs
 *
 * Scenarios (all through @camunda8/sdk over gRPC, workers in this process like in `npm start`):
 *  1. single service task: process instances/s at saturation (poll worker and streamJobs);
 *  2. single service task paced at 50 PI/s: p50/p99 of create→job activated and create→completed;
 *  3. ten service tasks in a row: PI/s and jobs/s at saturation;
 *  4. three service tasks: this engine vs bpmn-engine (npm, in-memory, no durability), same process,
 *     with a poll worker and with streamJobs;
 *     and once more with the SDK clients in a worker thread (a separate worker process in production),
 *     so engine and clients each get a core.
 */
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Camunda8 } from '@camunda8/sdk';
import { Engine as BpmnEngine } from 'bpmn-engine';
import type { Knex } from 'knex';
import { createDb } from '../db/knex';
import { startEngine } from '../engine';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const dbArg = args[args.indexOf('--db') + 1];
const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

type Zbc = ReturnType<Camunda8['getZeebeGrpcApiClient']>;

function serviceTasks(id: string, n: number, zeebe = true): string {
  const tasks = Array.from({ length: n }, (_, i) =>
    zeebe
      ? `<bpmn:serviceTask id="t${i}"><bpmn:extensionElements><zeebe:taskDefinition type="${id}-work" /></bpmn:extensionElements></bpmn:serviceTask>`
      : `<bpmn:serviceTask id="t${i}" implementation="\${environment.services.work}" />`,
  ).join('');
  const ids = ['s', ...Array.from({ length: n }, (_, i) => `t${i}`), 'e'];
  const flows = ids
    .slice(1)
    .map((to, i) => `<bpmn:sequenceFlow id="f${i}" sourceRef="${ids[i]}" targetRef="${to}" />`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d_${id}" targetNamespace="http://bench">
<bpmn:process id="${id}" isExecutable="true"><bpmn:startEvent id="s"/>${tasks}<bpmn:endEvent id="e"/>${flows}</bpmn:process></bpmn:definitions>`;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const f1 = (n: number) => n.toFixed(1);

function newClient(address: string): Zbc {
  return new Camunda8({
    ZEEBE_GRPC_ADDRESS: `grpc://${address}`,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE' },
  } as any).getZeebeGrpcApiClient();
}

/** Runs `saturate` with its own SDK client in a worker thread. */
function saturateInThread(
  address: string,
  id: string,
  tasks: number,
  n: number,
): Promise<{ piPerSec: number; jobsPerSec: number; seconds: number }> {
  const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, {
    eval: true,
    workerData: { address, id, tasks, n },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function withEngine<T>(
  kind: 'pglite' | 'postgres',
  fn: (zbc: Zbc, db: Knex, address: string) => Promise<T>,
): Promise<T> {
  const schema = `bench_${process.pid}_${Date.now()}`;
  const db = kind === 'postgres' ? createDb({ databaseUrl: PG_URL, schema }) : createDb({});
  if (kind === 'postgres') await db.raw(`create schema "${schema}"`);
  const engine = await startEngine({ db, port: 0, recordRetentionMs: 0 });
  const zbc = newClient(engine.address);
  await zbc.topology();
  try {
    return await fn(zbc, db, engine.address);
  } finally {
    await zbc.close();
    await engine.stop();
    if (kind === 'postgres') await db.raw(`drop schema "${schema}" cascade`);
    await db.destroy();
  }
}

/** Starts N instances with `concurrency` creators; resolves when `onDone` was called N times. */
async function saturate(zbc: Zbc, id: string, tasks: number, n: number, mode: 'poll' | 'stream') {
  await zbc.deployResource({ name: `${id}.bpmn`, process: Buffer.from(serviceTasks(id, tasks)) });
  let jobs = 0;
  let finished = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const handler = async (job: any) => {
    const r = await job.complete();
    jobs++;
    if (job.elementId === `t${tasks - 1}` && ++finished === n) resolveAll();
    return r;
  };
  let worker: { close(): Promise<unknown> } | undefined;
  let stream: { close?: () => unknown } | undefined;
  if (mode === 'stream') {
    stream = (await zbc.streamJobs({
      type: `${id}-work`,
      worker: 'bench',
      timeout: 60_000,
      taskHandler: handler,
    } as any)) as any;
  } else {
    worker = zbc.createWorker({
      taskType: `${id}-work`,
      taskHandler: handler,
      pollInterval: 5,
      maxJobsToActivate: 64,
      timeout: 60_000,
    });
  }
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < n) {
        next++;
        await zbc.createProcessInstance({ bpmnProcessId: id, variables: { i: next } });
      }
    }),
  );
  await all;
  const seconds = (performance.now() - t0) / 1000;
  await worker?.close();
  await stream?.close?.();
  return { piPerSec: n / seconds, jobsPerSec: jobs / seconds, seconds };
}

/** Paced load: `rate` instances per second for `count` instances; latency percentiles. */
async function paced(zbc: Zbc, rate: number, count: number) {
  const id = 'paced';
  await zbc.deployResource({ name: `${id}.bpmn`, process: Buffer.from(serviceTasks(id, 1)) });
  const created = new Map<number, number>();
  const activated: number[] = [];
  const worker = zbc.createWorker({
    taskType: `${id}-work`,
    pollInterval: 5,
    maxJobsToActivate: 64,
    timeout: 60_000,
    taskHandler: (job: any) => {
      activated.push(performance.now() - created.get(job.variables.i)!);
      return job.complete();
    },
  });
  // A long poll is parked before the first instance, as in steady operation.
  await new Promise((r) => setTimeout(r, 200));
  const completed: number[] = [];
  const t0 = performance.now();
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const start = performance.now();
    created.set(i, start);
    inflight.push(
      zbc
        .createProcessInstanceWithResult({ bpmnProcessId: id, variables: { i } })
        .then(() => completed.push(performance.now() - start)),
    );
  }
  await Promise.all(inflight);
  await worker.close();
  return {
    activatedP50: pct(activated, 50),
    activatedP99: pct(activated, 99),
    completedP50: pct(completed, 50),
    completedP99: pct(completed, 99),
  };
}

/**
 * The same 3-task process on bpmn-engine: in memory, services answer on the next tick. The model
 * is parsed and serialised ONCE and handed to every engine as `sourceContext` (its fastest use).
 */
async function bpmnEngineRun(n: number) {
  const xml = serviceTasks('three', 3, false);
  const first = new BpmnEngine({ name: 'parse-once', source: xml } as any);
  const [definition] = await first.getDefinitions();
  const sourceContext = (definition as any).context.sourceContext ?? (definition as any).context.definitionContext;
  const run = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const engine = new BpmnEngine({
        name: `b${i}`,
        sourceContext,
        services: {
          work: (_ctx: unknown, cb: (e: unknown, r?: unknown) => void) => setImmediate(() => cb(null, { ok: true })),
        },
      } as any);
      engine.execute((err: unknown) => (err ? reject(err) : undefined));
      engine.once('end', () => resolve());
    });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < n) await run(next++);
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

async function dbVersion(db: Knex): Promise<string> {
  const r: any = await db.raw('select version() as v');
  return ((r.rows ?? r)[0]?.v as string).split(' on ')[0];
}

async function main() {
  const cpus = os.cpus();
  console.log(
    `load average: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (figures are only comparable on an idle machine)`,
  );
  console.log(
    `machine: ${cpus.length} cores, ${cpus[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`,
  );
  const kinds: ('pglite' | 'postgres')[] =
    dbArg === 'pglite' ? ['pglite'] : dbArg === 'postgres' ? ['postgres'] : ['pglite', 'postgres'];
  const scale = quick ? 0.25 : 1;
  for (const kind of kinds) {
    await withEngine(kind, async (zbc, db, address) => {
      console.log(`\n== ${kind}: ${await dbVersion(db)} ==`);
      const n1 = Math.round((kind === 'postgres' ? 4000 : 2000) * scale);
      const poll = await saturate(zbc, 'single', 1, n1, 'poll');
      console.log(
        `1-task saturation, poll worker : ${f1(poll.piPerSec)} PI/s (${n1} instances in ${f1(poll.seconds)} s)`,
      );
      const stream = await saturate(zbc, 'single-s', 1, n1, 'stream');
      console.log(
        `1-task saturation, streamJobs  : ${f1(stream.piPerSec)} PI/s (${n1} instances in ${f1(stream.seconds)} s)`,
      );
      const p = await paced(zbc, 50, Math.round(1000 * scale));
      console.log(
        `1-task paced 50 PI/s           : create→activated p50 ${f1(p.activatedP50)} ms, p99 ${f1(p.activatedP99)} ms; create→completed p50 ${f1(p.completedP50)} ms, p99 ${f1(p.completedP99)} ms`,
      );
      const n10 = Math.round((kind === 'postgres' ? 600 : 300) * scale);
      const ten = await saturate(zbc, 'ten', 10, n10, 'poll');
      console.log(`10-task saturation             : ${f1(ten.piPerSec)} PI/s, ${f1(ten.jobsPerSec)} jobs/s`);
      const n3 = Math.round(1500 * scale);
      const three = await saturate(zbc, 'three', 3, n3, 'poll');
      const ref = await bpmnEngineRun(n3);
      console.log(
        `3-task, poll worker: this engine ${f1(three.piPerSec)} PI/s (durable) vs bpmn-engine ${f1(ref)} PI/s (in memory) → ratio ${(three.piPerSec / ref).toFixed(2)}×`,
      );
      const threeS = await saturate(zbc, 'three-s', 3, n3, 'stream');
      console.log(
        `3-task, streamJobs : ${f1(threeS.piPerSec)} PI/s → ratio ${(threeS.piPerSec / ref).toFixed(2)}× bpmn-engine`,
      );
      const split = await saturateInThread(address, 'three-split', 3, n3);
      console.log(
        `3-task, SDK clients in a worker thread: ${f1(split.piPerSec)} PI/s → ratio ${(split.piPerSec / ref).toFixed(2)}× bpmn-engine`,
      );
    });
  }
  process.exit(0);
}

if (isMainThread) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  const { address, id, tasks, n } = workerData as { address: string; id: string; tasks: number; n: number };
  const zbc = newClient(address);
  saturate(zbc, id, tasks, n, 'poll')
    .then(async (r) => {
      await zbc.close();
      parentPort!.postMessage(r);
    })
    .catch((err) => {
      throw err;
    });
}
