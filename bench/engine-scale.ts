/**
 * Resource bounds of the engine (npm run bench:engine-scale). Prints figures and the machine.
 *
 *   npm run bench:engine-scale                    # 50k active instances on PostgreSQL
 *   npm run bench:engine-scale -- --active 10000  # fewer
 *   npm run bench:engine-scale -- --soak 30       # 30-minute soak at 50 PI/s, RSS every minute
 *
 * Scale: per-command latency (CreateProcessInstance, CompleteJob) with an empty engine and with
 * N active instances waiting at a job; the query plans of the statements a commit issues; the
 * time a restarted engine needs to load N instances.
 * Soak: steady load with record-log retention on, printing RSS and table sizes over time.
 */
import os from 'node:os';
import { Camunda8 } from '@camunda8/sdk';
import { createDb } from '../db/knex';
import { startEngine, type Engine } from '../engine';

const args = process.argv.slice(2);
const argNum = (name: string, def: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const ACTIVE = argNum('--active', 50_000);
const SOAK_MIN = argNum('--soak', 0);
const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_scale_${process.pid}`;

const xml = `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bench">
<bpmn:process id="scale" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="scale-work"/></bpmn:extensionElements></bpmn:serviceTask><bpmn:endEvent id="e"/>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/></bpmn:process></bpmn:definitions>`;

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

function client(engine: Engine) {
  return new Camunda8({
    ZEEBE_GRPC_ADDRESS: `grpc://${engine.address}`,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE' },
  } as any).getZeebeGrpcApiClient();
}

/** Time spent in commit statements (database round trip) since the last call. */
const commits: number[] = [];
function timeCommits(engine: Engine): void {
  const store = engine.runtime.core.store as any;
  const execute = store.execute.bind(store);
  store.execute = async (...a: unknown[]) => {
    const t0 = performance.now();
    try {
      return await execute(...a);
    } finally {
      commits.push(performance.now() - t0);
    }
  };
}

/** Latency of `count` sequential creates and completes. */
async function probe(zbc: ReturnType<typeof client>, count = 200) {
  commits.length = 0;
  const create: number[] = [];
  const complete: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await zbc.createProcessInstance({ bpmnProcessId: 'scale', variables: { probe: i } });
    create.push(performance.now() - t0);
  }
  const jobs = await zbc.activateJobs({
    type: 'scale-work',
    worker: 'probe',
    maxJobsToActivate: count,
    timeout: 600_000,
    fetchVariable: ['probe'],
    requestTimeout: -1,
  } as any);
  for (const j of jobs) {
    const t0 = performance.now();
    await zbc.completeJob({ jobKey: j.key, variables: {} });
    complete.push(performance.now() - t0);
  }
  return { create, complete };
}

async function scale() {
  const db = createDb({ databaseUrl: PG_URL, schema });
  await db.raw(`create schema "${schema}"`);
  try {
    let engine = await startEngine({ db, port: 0 });
    timeCommits(engine);
    let zbc = client(engine);
    await zbc.deployResource({ name: 'scale.bpmn', process: Buffer.from(xml) });
    await probe(zbc, 1000); // warm up: JIT, connections, the planner's statistics
    const empty = await probe(zbc);
    console.log(
      `empty engine      : create p50 ${pct(empty.create, 50).toFixed(2)} ms p99 ${pct(empty.create, 99).toFixed(2)} ms; complete p50 ${pct(empty.complete, 50).toFixed(2)} ms p99 ${pct(empty.complete, 99).toFixed(2)} ms; commit statement p50 ${pct(commits, 50).toFixed(2)} ms`,
    );
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < ACTIVE) {
          next++;
          await zbc.createProcessInstance({ bpmnProcessId: 'scale', variables: { n: next, payload: 'x'.repeat(100) } });
        }
      }),
    );
    console.log(
      `created ${ACTIVE} waiting instances in ${((performance.now() - t0) / 1000).toFixed(1)} s; engine RSS ${mb(process.memoryUsage().rss)}, heap ${mb(process.memoryUsage().heapUsed)}`,
    );
    const loaded = await probe(zbc);
    console.log(
      `${ACTIVE} active     : create p50 ${pct(loaded.create, 50).toFixed(2)} ms p99 ${pct(loaded.create, 99).toFixed(2)} ms; complete p50 ${pct(loaded.complete, 50).toFixed(2)} ms p99 ${pct(loaded.complete, 99).toFixed(2)} ms; commit statement p50 ${pct(commits, 50).toFixed(2)} ms`,
    );
    console.log(
      `ratio (active/empty p50): create ${(pct(loaded.create, 50) / pct(empty.create, 50)).toFixed(2)}×, complete ${(pct(loaded.complete, 50) / pct(empty.complete, 50)).toFixed(2)}×`,
    );
    // The plan of a real commit statement: the last one of the probe above (a job completion,
    // which deletes the job, its deadline, the task's element instance and variables).
    console.log(`\nplan of a real commit statement with ${ACTIVE} active instances (every write by primary key):`);
    const store = engine.runtime.core.store as any;
    let captured: [string, string[]] | undefined;
    const realStatement = store.commitStatement.bind(store);
    store.commitStatement = (...a: unknown[]) => (captured = realStatement(...a));
    await probe(zbc, 1);
    store.commitStatement = realStatement;
    if (captured) {
      const plan: any = await db.raw(`explain ${captured[0]}`, captured[1]);
      for (const line of plan.rows.map((x: any) => x['QUERY PLAN'] as string)) {
        if (/Modify|Insert|Delete|Update|Index|Scan|Conflict/.test(line)) console.log(`  ${line.trim()}`);
      }
    }
    await zbc.close();
    await engine.stop();
    const t1 = performance.now();
    engine = await startEngine({ db, port: 0 });
    console.log(
      `\nrestart: loaded ${engine.runtime.core.store.elements.size} element instances, ${engine.runtime.core.store.jobs.size} jobs in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
    );
    zbc = client(engine);
    await zbc.topology();
    await zbc.close();
    await engine.stop();
  } finally {
    await db.raw(`drop schema "${schema}" cascade`);
    await db.destroy();
  }
}

async function soak(minutes: number) {
  const db = createDb({ databaseUrl: PG_URL, schema });
  await db.raw(`create schema "${schema}"`);
  const engine = await startEngine({ db, port: 0, recordRetentionMs: 2 * 60_000, recordPruneIntervalMs: 30_000 });
  const zbc = client(engine);
  await zbc.deployResource({ name: 'scale.bpmn', process: Buffer.from(xml) });
  const worker = zbc.createWorker({ taskType: 'scale-work', pollInterval: 5, taskHandler: (job) => job.complete() });
  const end = Date.now() + minutes * 60_000;
  let created = 0;
  let nextReport = Date.now();
  const t0 = Date.now();
  console.log('minute, instances created, RSS, heap used, records in log, active instances');
  try {
    while (Date.now() < end) {
      if (Date.now() >= nextReport) {
        const records =
          (await db('engine_record_batch').sum({ n: db.raw('last_position - first_position + 1') }))[0].n ?? 0;
        const m = process.memoryUsage();
        console.log(
          `${Math.round((Date.now() - t0) / 60_000)}, ${created}, ${mb(m.rss)}, ${mb(m.heapUsed)}, ${records}, ${engine.runtime.core.store.elements.size}`,
        );
        nextReport += 60_000;
      }
      const due = t0 + (created * 1000) / 50;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      void zbc.createProcessInstance({ bpmnProcessId: 'scale', variables: { n: created } });
      created++;
    }
  } finally {
    await worker.close();
    await zbc.close();
    await engine.stop();
    await db.raw(`drop schema "${schema}" cascade`);
    await db.destroy();
  }
}

async function main() {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} cores, ${cpus[0]?.model.trim()}, Node ${process.version}, PostgreSQL at ${PG_URL.replace(/\/\/[^@]*@/, '//')}`,
  );
  if (SOAK_MIN > 0) await soak(SOAK_MIN);
  else await scale();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
