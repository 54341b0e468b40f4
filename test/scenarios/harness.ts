/**
 * The scenario tests' harness: an engine on its own database with the app schema and the sample
 * catalog, all models and forms deployed, and a driver that runs the REAL scenario handlers job by
 * job (activateJobs → handler → complete/fail through the SDK) until nothing is left — deterministic,
 * no polling workers and no sleeps. Clerks complete tasks through domain/tasks/task-service.ts.
 */
import { startTestEngine, type TestEngine } from '../../engine/testing';
import { migrateAll } from '../../platform/migrate-all';
import { seedCatalog } from '../../domain/catalog/seed-catalog';
import { deployProcesses } from '../../domain/processes/deploy';
import { ClassificationService } from '../../domain/classify/classification-service';
import { createCase, startCaseIntake } from '../../domain/cases/case-service';
import { completeTask } from '../../domain/tasks/task-service';
import { JOB_TYPES, jobHandlers, type AnyHandler } from '../../workers/registry';
import { USER_TASK_JOB_TIMEOUT_MS } from '../../domain/tasks/user-task-lease';
import { createTestDb, type TestDb } from '../helpers/db';

export type Zbc = ReturnType<TestEngine['client']>;
const ACK = 'JOB_ACTION_ACKNOWLEDGEMENT' as const;

/** Tuesday 2026-12-01 09:00 in Shanghai: a working morning. */
export const T0 = Date.parse('2026-12-01T09:00:00+08:00');
export const HOUR = 3600_000;

export interface Harness {
  te: TestEngine;
  zbc: Zbc;
  testDb: TestDb;
  db: TestDb['db'];
  handlers: Record<string, AnyHandler>;
  /** Runs every scenario job until none is left; returns how many ran per type. */
  drive(): Promise<Record<string, number>>;
  /** The one open task of an element (optionally of a case / department). */
  openTask(elementId: string, where?: Record<string, unknown>): Promise<any>;
  openTasks(elementId: string, where?: Record<string, unknown>): Promise<any[]>;
  /** Completes the one open task of an element as `user`, then drives. */
  complete(
    elementId: string,
    variables: Record<string, unknown>,
    where?: Record<string, unknown>,
    user?: string,
  ): Promise<void>;
  /** Moves the engine clock (timers fire), then drives. */
  advance(ms: number): Promise<void>;
  /** Jumps the (frozen) engine clock to an instant, then drives. */
  at(epochMs: number): Promise<void>;
  events(caseId: string): Promise<{ type: string; department: string | null; actor: string; data: any; at: Date }[]>;
  newCase(
    description: string,
    extra?: Parameters<typeof createCase>[1] extends infer N ? Partial<N> : never,
  ): Promise<{ id: string; caseNo: string }>;
  startIntake(caseId: string, variables?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

export async function startHarness(options: { deploy?: boolean } = {}): Promise<Harness> {
  const testDb = await createTestDb();
  const db = testDb.db;
  await migrateAll(db, { engine: false });
  await seedCatalog(db);
  const te = await startTestEngine({ db, startTime: T0 });
  te.clock.freeze(T0);
  const zbc = te.client();
  await zbc.topology();
  if (options.deploy !== false) await deployProcesses(zbc, { db });
  const now = () => new Date(te.now());
  const handlers = jobHandlers({ db, now, classification: new ClassificationService(db) });

  const wrap = (job: any) => ({
    ...job,
    complete: async (variables: Record<string, unknown> = {}) => {
      await zbc.completeJob({ jobKey: job.key, variables: variables as any });
      return ACK;
    },
    fail: async (f: { errorMessage: string; retries?: number; retryBackOff?: number }) => {
      throw new Error(`job ${job.type} on ${job.elementId} failed: ${f.errorMessage}`);
    },
    error: async (e: { errorCode: string; errorMessage?: string; variables?: Record<string, unknown> }) => {
      await zbc.throwError({
        jobKey: job.key,
        errorCode: e.errorCode,
        errorMessage: e.errorMessage ?? '',
        variables: (e.variables ?? {}) as any,
      });
      return ACK;
    },
    forward: () => ACK,
  });

  const h: Harness = {
    te,
    zbc,
    testDb,
    db,
    handlers,
    async drive() {
      const counts: Record<string, number> = {};
      for (let round = 0; round < 200; round++) {
        await te.waitForIdle();
        let ran = 0;
        for (const { taskType: type } of JOB_TYPES) {
          const jobs = await zbc.activateJobs({
            type,
            worker: 'scenario-test',
            maxJobsToActivate: 50,
            requestTimeout: -1,
            timeout: type === 'io.camunda.zeebe:userTask' ? USER_TASK_JOB_TIMEOUT_MS : 60_000,
          } as any);
          for (const job of jobs) {
            await handlers[type](wrap(job));
            counts[type] = (counts[type] ?? 0) + 1;
            ran += 1;
          }
        }
        if (ran === 0) return counts;
      }
      throw new Error('Expected the scenario jobs to run out, but they kept coming for 200 rounds');
    },
    async openTasks(elementId, where = {}) {
      return db('task')
        .where({ element_id: elementId, state: 'created', ...where })
        .orderBy('created_at');
    },
    async openTask(elementId, where = {}) {
      const rows = await h.openTasks(elementId, where);
      if (rows.length !== 1)
        throw new Error(`Expected one open task ${elementId} ${JSON.stringify(where)}, but found ${rows.length}`);
      return rows[0];
    },
    async complete(elementId, variables, where = {}, user = 'clerk') {
      const task = await h.openTask(elementId, where);
      const r = await completeTask(db, zbc, task.id, user, variables, now());
      if (!r.ok) throw new Error(`Expected to complete ${elementId}, but: ${r.code} ${r.detail}`);
      await h.drive();
    },
    async advance(ms) {
      await te.increaseTime(ms);
      await h.drive();
    },
    async at(epochMs) {
      te.clock.freeze(epochMs);
      await te.waitForIdle();
      await h.drive();
    },
    async events(caseId) {
      const rows = await db('case_event').where({ case_id: caseId }).orderBy('id');
      return rows.map((r: any) => ({ ...r, data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data }));
    },
    async newCase(description, extra = {}) {
      return createCase(db, { description, reporter: { name: '王先生', phone: '13800000001' }, ...extra }, now());
    },
    async startIntake(caseId, variables = {}) {
      const pi = await startCaseIntake(db, zbc, caseId, variables);
      await h.drive();
      return pi;
    },
    async stop() {
      await te.stop();
      await testDb.destroy();
    },
  };
  return h;
}
