/**
 * Crash safety: the engine runs as a child process (platform/engine-main.ts) on a file-backed PGlite data
 * dir (or a fresh PostgreSQL schema when DATABASE_URL is set). While SDK workers drive 1,000 instances (100 on PGlite)
 * of a three-task process, the engine is SIGKILLed at random moments and restarted on the same port
 * and data. Afterwards the record log must prove that nothing acknowledged was lost: every instance
 * whose creation was acknowledged exists and completed, every acknowledged CompleteJob is in the log
 * exactly once and its job was never activated again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Camunda8 } from '@camunda8/sdk';
import type { Knex } from 'knex';
import { createDb } from '../../db/knex';
import { createTestDb, type TestDb } from '../helpers/db';
import { recordLog } from './helpers';

jest.setTimeout(240_000);

const ROOT = path.join(__dirname, '../..');
/**
 * 1,000 instances on PostgreSQL (CI's second pass); 100 on the file-backed PGlite of the default run,
 * where one process does engine, workers and clients on two cores.
 */
const INSTANCES = process.env.DATABASE_URL ? 1000 : 100;
const BATCH = INSTANCES / 20;
const KILLS = 4;
const JOB_TIMEOUT_MS = 3000;

type ZeebeClient = ReturnType<Camunda8['getZeebeGrpcApiClient']>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class EngineProcess {
  child: ChildProcess | undefined;
  log = '';
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** Starts platform/engine-main.ts and resolves once it printed "listening". */
  start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'platform/engine-main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`engine did not start within 20 s:\n${this.log.slice(-3000)}`)),
        20_000,
      );
      child.stdout!.on('data', (d: Buffer) => {
        this.log += d.toString();
        if (/"msg":"listening"/.test(this.log.split('\n').slice(-5).join('\n'))) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`engine exited early (${code ?? signal}):\n${this.log.slice(-3000)}`));
      });
    });
  }

  /** Ends the process with a signal and waits for it to be gone. */
  async stop(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill(signal);
    return exited;
  }
}

/** Debugging aid (CRASH_DEBUG=1): stops the engine and prints the state of the stuck instances. */
async function dumpState(
  proc: EngineProcess,
  env: NodeJS.ProcessEnv,
  testDb: TestDb | undefined,
  pis: string[],
): Promise<void> {
  await proc.stop('SIGTERM');
  const db: Knex = testDb ? testDb.db : createDb({ pgliteDir: env.ENGINE_DATA_DIR });
  try {
    const jobs = await db('engine_job').whereIn('process_instance_key', pis.slice(0, 5));
    console.log('jobs of stuck instances', JSON.stringify(jobs, null, 1));
    const els = await db('engine_element_instance').whereIn('process_instance_key', pis.slice(0, 5));
    console.log('elements', JSON.stringify(els.map((e: any) => e.data)));
    console.log('due', JSON.stringify(await db('engine_due').limit(10)));
    const recs = (await recordLog(db)).filter((r) => pis.slice(0, 2).includes(r.processInstanceKey ?? ''));
    console.log(
      'records',
      recs.map((r: any) => `${r.position} ${r.valueType} ${r.intent} ${r.key} ${r.value.elementId ?? ''}`).join('\n'),
    );
    console.log('engine log', proc.log.slice(-3000));
  } finally {
    if (!testDb) await db.destroy();
  }
}

let t: TestDb | undefined;
let dataDir: string | undefined;
let engine: EngineProcess | undefined;
let zbc: ZeebeClient | undefined;

afterAll(async () => {
  await zbc?.close().catch(() => undefined);
  await engine?.stop('SIGKILL');
  await t?.destroy();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

it('loses no acknowledged command when the engine is killed and restarted repeatedly', async () => {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ENGINE_PORT: String(port), ENGINE_REST_PORT: 'off' };
  if (process.env.DATABASE_URL) {
    t = await createTestDb();
    env.ENGINE_DB_SCHEMA = t.schema;
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-crash-'));
    env.ENGINE_DATA_DIR = path.join(dataDir, 'pgdata');
  }
  engine = new EngineProcess(env);
  await engine.start();

  zbc = new Camunda8({
    ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${port}`,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE', ZEEBE_GRPC_WORKER_POLL_INTERVAL_MS: 10 },
  } as any).getZeebeGrpcApiClient();
  const client = zbc;
  await client.topology();
  await client.deployResource({ processFilename: path.join(__dirname, 'fixtures/three-tasks.bpmn') });

  // Workers complete through the client (so they see the acknowledgement) and record what was acked.
  const ackedJobs = new Map<string, { type: string; pi: string }>();
  const finished = new Set<string>();
  const workers = ['step-a', 'step-b', 'step-c'].map((taskType) =>
    client.createWorker({
      taskType,
      timeout: JOB_TIMEOUT_MS,
      taskHandler: async (job) => {
        await sleep(Math.floor(Math.random() * 30)); // some work, so crashes hit jobs in flight
        try {
          await client.completeJob({ jobKey: job.key, variables: { [taskType.replace('-', '_')]: true } });
          ackedJobs.set(job.key, { type: taskType, pi: job.processInstanceKey });
          if (taskType === 'step-c') finished.add(job.processInstanceKey);
        } catch (err) {
          // Not acknowledged. NOT_FOUND: an earlier attempt whose answer was lost in a crash completed
          // it (or it timed out and another activation completed it) — the record log decides below.
          if (taskType === 'step-c' && (err as { code?: number }).code === 5) finished.add(job.processInstanceKey);
        }
        return job.forward();
      },
    }),
  );

  // Creations run alongside the crashes; a creation counts once its key came back.
  const created = new Set<string>();
  const createOne = async () => {
    for (;;) {
      try {
        const r = await client.createProcessInstance({ bpmnProcessId: 'three-tasks', variables: {} });
        created.add(r.processInstanceKey);
        return;
      } catch {
        await sleep(200); // a non-retried transport error while the engine died: try again
      }
    }
  };
  const creating = (async () => {
    const all: Promise<void>[] = [];
    for (let i = 0; i < INSTANCES; i += BATCH) {
      for (let j = i; j < Math.min(INSTANCES, i + BATCH); j++) all.push(createOne());
      await sleep(250);
    }
    await Promise.all(all);
  })();

  // Kill at random moments, restart on the same port and data.
  let kills = 0;
  for (; kills < KILLS; kills++) {
    // wait until the clients are back and work flows again, then kill at a random moment
    const progress = created.size + ackedJobs.size;
    const waitUntil = Date.now() + 15_000;
    while (created.size + ackedJobs.size < progress + 5 && Date.now() < waitUntil) await sleep(20);
    await sleep(Math.floor(Math.random() * 600));
    const before = { created: created.size, acked: ackedJobs.size };
    await engine.stop('SIGKILL');
    const t0 = Date.now();
    await engine.start();
    if (process.env.CRASH_DEBUG)
      console.log(`kill ${kills}: before ${JSON.stringify(before)}, restart took ${Date.now() - t0} ms`);
  }
  const lastRestart = Date.now();
  await creating;

  // Wait until every acknowledged instance has run its last task (jobs whose activation was lost in a
  // crash come back after their timeout); the record log below is the proof.
  const deadline = Date.now() + 120_000;
  while ([...created].some((pi) => !finished.has(pi)) || Date.now() - lastRestart < JOB_TIMEOUT_MS + 500) {
    if (Date.now() > deadline) {
      const missing = [...created].filter((pi) => !finished.has(pi));
      if (process.env.CRASH_DEBUG) await dumpState(engine, env, t, missing);
      throw new Error(`${missing.length} acknowledged instances did not finish: ${missing.slice(0, 5).join(', ')}`);
    }
    await sleep(100);
  }
  await Promise.all(workers.map((w) => w.close()));
  await client.close();
  zbc = undefined;
  expect(await engine.stop('SIGTERM')).toBe(0);

  // The record log, read after a clean shutdown (PGlite is single-process).
  const db: Knex = t ? t.db : createDb({ pgliteDir: env.ENGINE_DATA_DIR });
  try {
    const rows = (await recordLog(db)).map((r) => ({ ...r, pi: r.processInstanceKey }));

    // positions are unique and gap-free after all the crashes
    rows.forEach((r, i) => expect(r.position).toBe(rows[0].position + i));

    // every acknowledged creation exists and completed
    const instanceEvents = (intent: string) =>
      new Set(
        rows
          .filter((r) => r.valueType === 'PROCESS_INSTANCE' && r.intent === intent && r.key === r.pi)
          .map((r) => r.key),
      );
    const activated = instanceEvents('ELEMENT_ACTIVATED');
    const completed = instanceEvents('ELEMENT_COMPLETED');
    expect(created.size).toBe(INSTANCES);
    expect([...created].filter((pi) => !activated.has(pi))).toEqual([]);
    expect([...created].filter((pi) => !completed.has(pi))).toEqual([]);
    // and every instance in the log (also ones whose creation answer was lost and retried) completed
    expect([...activated].filter((pi) => !completed.has(pi))).toEqual([]);

    // every acknowledged CompleteJob is in the log exactly once, and its job was never activated afterwards
    const completedAt = new Map<string, number[]>();
    for (const r of rows)
      if (r.valueType === 'JOB' && r.intent === 'COMPLETED')
        completedAt.set(r.key, [...(completedAt.get(r.key) ?? []), r.position]);
    // (a completion whose answer was lost in a crash is not acknowledged, so acked ≤ 3 per instance)
    expect(ackedJobs.size).toBeGreaterThan(INSTANCES);
    for (const [jobKey] of ackedJobs)
      expect({ jobKey, completions: completedAt.get(jobKey)?.length ?? 0 }).toEqual({ jobKey, completions: 1 });
    const reactivated = rows
      .filter((r) => r.valueType === 'JOB_BATCH' && r.intent === 'ACTIVATED')
      .flatMap((r) =>
        (r.value.jobKeys as string[]).filter((k) => ackedJobs.has(k) && r.position > completedAt.get(k)![0]),
      );
    expect(reactivated).toEqual([]);
    // each instance ran each task exactly once to completion
    for (const pi of created) {
      const tasks = rows
        .filter(
          (r) =>
            r.valueType === 'PROCESS_INSTANCE' &&
            r.pi === pi &&
            r.intent === 'ELEMENT_COMPLETED' &&
            ['a', 'b', 'c'].includes(r.value.elementId as string),
        )
        .map((r) => r.value.elementId);
      expect({ pi, tasks }).toEqual({ pi, tasks: ['a', 'b', 'c'] });
    }
    expect(kills).toBe(KILLS);
  } finally {
    if (!t) await db.destroy();
  }
});
