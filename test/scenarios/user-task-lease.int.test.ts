/**
 * The user-task bridge's leases (domain/tasks/user-task-lease.ts, processes/README.md "User-task bridge:
 * leases") against the embedded engine on a frozen clock: the REAL registered bridge worker (the SDK
 * polling worker from workers/index.ts) picks up jobs, and the heartbeat is ticked by hand on the
 * engine clock. No sleeps: the engine clock moves by `increaseTime`, and what the polling worker does
 * is awaited with polling assertions.
 */
import pino from 'pino';
import { migrateAll } from '../../platform/migrate-all';
import { startTestEngine, type TestEngine } from '../../engine/testing';
import { completeTask } from '../../domain/tasks/task-service';
import { listInbox } from '../../domain/tasks/task-queries';
import { loadFireLaneConfig } from '../../domain/fire-lane/config';
import { optionsOf, startWorkers, workerRegistry, type RunningWorkers, type WorkerContext } from '../../workers';
import { taskType as USER_TASK } from '../../workers/user-task-bridge';
import { UserTaskLeaseHeartbeat } from '../../workers/user-task-heartbeat';
import {
  DEFAULT_USER_TASK_LEASE,
  loadUserTaskLease,
  validateUserTaskLease,
  type UserTaskLeaseConfig,
} from '../../domain/tasks/user-task-lease';
import { bpmn, chain, deploy } from '../engine/helpers';
import { createTestDb, type TestDb } from '../helpers/db';

const T0 = Date.parse('2026-12-01T09:00:00+08:00');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const log = pino({ level: 'silent' });

describe('user-task bridge leases', () => {
  let testDb: TestDb;
  let te: TestEngine;
  let zbc: ReturnType<TestEngine['client']>;
  let bridge: RunningWorkers | undefined;
  const cfg: UserTaskLeaseConfig = DEFAULT_USER_TASK_LEASE;
  /** The heartbeat as the platform runs it, but on the engine clock and ticked by the test. */
  const heartbeat = (c: Partial<UserTaskLeaseConfig> = {}) =>
    new UserTaskLeaseHeartbeat(
      testDb.db,
      zbc,
      validateUserTaskLease({ ...cfg, heartbeatTickMs: 6 * HOUR, ...c }),
      () => new Date(te.now()),
      log,
    );

  beforeAll(async () => {
    testDb = await createTestDb();
    await migrateAll(testDb.db, { engine: false });
    te = await startTestEngine({ db: testDb.db, startTime: T0 });
    te.clock.freeze(T0);
    zbc = te.client();
    await deploy(
      zbc,
      'lease.bpmn',
      bpmn(
        'lease',
        `
      <bpmn:startEvent id="s"/>
      <bpmn:userTask id="review" name="Review"><bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="housing"/>
      </bpmn:extensionElements></bpmn:userTask>
      <bpmn:endEvent id="e"/>${chain('s', 'review', 'e')}`,
      ),
    );
  }, 60_000);

  afterEach(async () => {
    await bridge?.close();
    bridge = undefined;
  });

  afterAll(async () => {
    await te.stop();
    await testDb.destroy();
  });

  /** Starts the bridge exactly as the platform registers it (workers/scenario-workers.ts). */
  function startBridge(): void {
    bridge = startWorkers(
      zbc,
      { db: testDb.db, config: { fireLane: loadFireLaneConfig({}), userTaskLease: cfg }, log },
      workerRegistry.filter((d) => d.taskType === USER_TASK),
    );
  }

  const start = async () =>
    (await zbc.createProcessInstance({ bpmnProcessId: 'lease', variables: { taskPriority: 70 } })).processInstanceKey;
  const rowsOf = (pi: string) => testDb.db('task').where({ process_instance_key: pi });
  const jobRecords = async (pi: string, intent: string) =>
    (await te.records({ processInstanceKey: pi, valueType: 'JOB' })).filter((r) => r.intent === intent);
  const inboxIds = async () =>
    (await listInbox(testDb.db, { departments: ['housing'], state: 'created', limit: 1000, offset: 0 })).rows.map(
      (r) => r.id as string,
    );

  async function rowAppears(pi: string) {
    await te.eventually(`a task row for instance ${pi}`, async () => (await rowsOf(pi)).length > 0);
    const rows = await rowsOf(pi);
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  test('the platform registers the bridge with a short activation and the lease heartbeat beside it', () => {
    const def = workerRegistry.find((d) => d.taskType === USER_TASK)!;
    expect(
      optionsOf(def, { config: { userTaskLease: loadUserTaskLease({}) } } as unknown as WorkerContext)?.timeout,
    ).toBe(10 * MINUTE);
    expect(def.companion).toBeDefined();
    expect(loadUserTaskLease({})).toEqual(DEFAULT_USER_TASK_LEASE);
    expect(
      loadUserTaskLease({ USER_TASK_LEASE_MS: String(7 * DAY), USER_TASK_ACTIVATION_TIMEOUT_MS: '300000' }),
    ).toMatchObject({ leaseMs: 7 * DAY, activationTimeoutMs: 5 * MINUTE });
    // a lease the heartbeat could not keep alive (shorter than two cycles) is refused at start
    expect(() => loadUserTaskLease({ USER_TASK_LEASE_MS: String(DAY) })).toThrow(
      /USER_TASK_LEASE_MS .* two heartbeat cycles/,
    );
    expect(() => loadUserTaskLease({ USER_TASK_ACTIVATION_TIMEOUT_MS: 'soon' })).toThrow(/milliseconds/);
  });

  test('a worker that dies after activating the job, before writing the row: the task appears once the activation times out, exactly once', async () => {
    // given a worker activated the job (the platform's 10-minute activation) and died without a row
    const pi = await start();
    await te.waitForIdle();
    const [lost] = await zbc.activateJobs({
      type: USER_TASK,
      worker: 'died',
      maxJobsToActivate: 1,
      timeout: cfg.activationTimeoutMs,
      requestTimeout: -1,
    } as never);
    expect(lost.processInstanceKey).toBe(pi);

    // when the real bridge starts: the job is still activated by the dead worker, so no row yet
    startBridge();
    await te.waitForIdle();
    expect(await rowsOf(pi)).toHaveLength(0);

    // and the activation timeout elapses on the engine clock
    await te.increaseTime(cfg.activationTimeoutMs);

    // then the job comes back, the bridge writes the row, and the inbox shows it once
    const row = await rowAppears(pi);
    expect(row).toMatchObject({
      job_key: lost.key,
      element_id: 'review',
      state: 'created',
      department: 'housing',
      priority: 70,
    });
    expect((await inboxIds()).filter((id) => id === row.id)).toHaveLength(1);
    expect(await jobRecords(pi, 'TIMED_OUT')).toHaveLength(1);
    // and the bridge armed the long lease: past many activation timeouts, nothing times out again
    await te.eventually('the lease to be armed', async () => (await jobRecords(pi, 'TIMEOUT_UPDATED')).length === 1);
    await te.increaseTime(2 * DAY);
    expect(await jobRecords(pi, 'TIMED_OUT')).toHaveLength(1);
    expect(await rowsOf(pi)).toHaveLength(1);

    // and the clerk's completion still completes the job
    expect(await completeTask(testDb.db, zbc, row.id, 'clerk.housing', {}, new Date(te.now()))).toEqual({
      ok: true,
      value: undefined,
    });
    await te.isCompleted(pi);
  });

  test('a normally written task is never duplicated nor handed out again while open: 40 days of heartbeats', async () => {
    // given the bridge runs and writes the row
    startBridge();
    const pi = await start();
    const row = await rowAppears(pi);
    await te.eventually('the lease to be armed', async () => (await jobRecords(pi, 'TIMEOUT_UPDATED')).length === 1);
    const hb = heartbeat();

    // when 40 days pass (past the old 30-day timeout, the 3-day lease and 40 heartbeat cycles),
    // the heartbeat ticking every 6 hours of engine time
    let armed = 0;
    for (let t = 0; t < 40 * 4; t++) {
      await te.increaseTime(6 * HOUR);
      armed += (await hb.tick()).armed;
    }

    // then the job never timed out, there is one row, and its lease was re-armed once a day
    expect(await jobRecords(pi, 'TIMED_OUT')).toHaveLength(0);
    expect(await rowsOf(pi)).toHaveLength(1);
    expect(armed).toBe(40);
    expect((await inboxIds()).filter((id) => id === row.id)).toHaveLength(1);

    // and completing the task completes the job
    const done = await completeTask(testDb.db, zbc, row.id, 'clerk.housing', {}, new Date(te.now()));
    expect(done.ok).toBe(true);
    await te.isCompleted(pi);
    expect(await rowsOf(pi)).toMatchObject([{ state: 'completed', completed_by: 'clerk.housing' }]);
  }, 60_000);

  test('a row the database refused is written when the job comes back after the back-off; no incident', async () => {
    // given the database refuses task rows (a constraint every insert violates)
    await testDb.db.raw('alter table task add constraint lease_test_refuse check (false) not valid');
    startBridge();
    const pi = await start();
    await te.eventually('the bridge to fail the job', async () => (await jobRecords(pi, 'FAILED')).length === 1);
    const [failed] = await jobRecords(pi, 'FAILED');
    expect(failed.value.retries).toBe(1); // kept: no incident
    expect(await te.incidents(pi)).toEqual([]);

    // when the database takes rows again and the back-off elapses
    await testDb.db.raw('alter table task drop constraint lease_test_refuse');
    await te.increaseTime(cfg.retryBackOffMs);

    // then the task is written once
    const row = await rowAppears(pi);
    await te.eventually('the lease to be armed', async () => (await jobRecords(pi, 'TIMEOUT_UPDATED')).length === 1);
    expect((await completeTask(testDb.db, zbc, row.id, 'clerk.housing', {}, new Date(te.now()))).ok).toBe(true);
    await te.isCompleted(pi);
  });

  test('a task whose job was cancelled answers 409; the heartbeat closes such tasks by itself', async () => {
    startBridge();
    const gone = await start();
    const swept = await start();
    const goneRow = await rowAppears(gone);
    const sweptRow = await rowAppears(swept);
    await zbc.cancelProcessInstance(gone);
    await zbc.cancelProcessInstance(swept);
    await te.isTerminated(gone);
    await te.isTerminated(swept);

    // completing a task whose job is gone: 409, and the task is cancelled
    const r = await completeTask(testDb.db, zbc, goneRow.id, 'clerk.housing', {}, new Date(te.now()));
    expect(r).toMatchObject({ ok: false, kind: 'conflict', code: 'TASK_GONE' });
    expect(await rowsOf(gone)).toMatchObject([{ state: 'cancelled' }]);

    // the heartbeat finds the other one when it re-arms (NOT_FOUND) and cancels it
    const tick = await heartbeat().tick();
    expect(tick.cancelled).toBe(1);
    expect(await rowsOf(swept)).toMatchObject([{ state: 'cancelled', cancel_reason: 'element terminated' }]);
    expect(await completeTask(testDb.db, zbc, sweptRow.id, 'clerk.housing', {}, new Date(te.now()))).toMatchObject({
      ok: false,
      kind: 'conflict',
      code: 'TASK_NOT_OPEN',
    });
    expect(await inboxIds()).not.toContain(sweptRow.id);
  });

  test('the heartbeat spreads a cycle over its ticks and re-arms each open task once per cycle', async () => {
    // given 12 open tasks (written by the bridge; their leases armed at once)
    startBridge();
    const pis: string[] = [];
    for (let i = 0; i < 12; i++) pis.push(await start());
    for (const pi of pis) await rowAppears(pi);
    await bridge!.close();
    bridge = undefined;
    const armedBefore = new Map<string, number>();
    for (const pi of pis) armedBefore.set(pi, (await jobRecords(pi, 'TIMEOUT_UPDATED')).length);

    // when the heartbeat ticks hourly over a one-day cycle for two days
    const hb = heartbeat({ heartbeatTickMs: HOUR });
    const perTick: number[] = [];
    for (let t = 0; t < 48; t++) {
      perTick.push((await hb.tick()).checked);
      await te.increaseTime(HOUR);
    }

    // then no tick carried more than a small slice (12 tasks / ~21 ticks → 1), and each task was
    // re-armed exactly twice (two cycles)
    expect(Math.max(...perTick)).toBe(1);
    for (const pi of pis) expect((await jobRecords(pi, 'TIMEOUT_UPDATED')).length - armedBefore.get(pi)!).toBe(2);
    expect((await Promise.all(pis.map((pi) => jobRecords(pi, 'TIMED_OUT')))).flat()).toHaveLength(0);

    for (const pi of pis) {
      const [row] = await rowsOf(pi);
      expect((await completeTask(testDb.db, zbc, row.id, 'clerk.housing', {}, new Date(te.now()))).ok).toBe(true);
    }
  }, 60_000);
});
