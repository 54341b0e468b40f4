/**
 * Intake never loses a report nor hangs on the engine (docs/intake.md): POST /api/cases answers at
 * once with the case number while the engine is stopped, the starter loop starts the case when the
 * engine is back, a process dying between the transaction and the start loses nothing, a start
 * whose answer was lost creates no second instance, and the Idempotency-Key makes a retry safe.
 *
 * The real parts: the embedded engine on its own port (stopped and started again on that port),
 * the SDK client without retries as the platform gives requests, the HTTP app, PGlite/PostgreSQL.
 */
import { performance } from 'node:perf_hooks';
import { Camunda8, type Zeebe } from '@camunda8/sdk';
import { startEngine, type Engine } from '../../engine';
import { ControlledClock } from '../../engine/testing';
import { migrateAll } from '../../platform/migrate-all';
import { createLogger } from '../../platform/logger';
import { seedCatalog } from '../../domain/catalog/seed-catalog';
import { deployProcesses } from '../../domain/processes/deploy';
import { boundedClient } from '../../domain/processes/engine-call';
import {
  CaseStarter,
  fileCase,
  INTAKE_START_DEADLINE_MS,
  START_BACKOFF_MAX_MS,
  START_LEASE_MS,
} from '../../domain/cases/pending-start';
import { jobHandlers } from '../../workers/registry';
import { bootstrapAuth } from '../../server/auth/bootstrap';
import { createTestDb, type TestDb } from '../helpers/db';
import { startTestAppOn, type TestApp } from '../server/helpers/app';

const T0 = Date.parse('2026-12-01T09:00:00+08:00');
const log = createLogger('silent');
const report = (description: string) => ({
  description,
  channel: 'web',
  reporter: { name: '王先生', phone: '13800000001' },
  location: { address: '江北区庄桥街道某小区3幢' },
});

describe('intake with the engine down', () => {
  let testDb: TestDb;
  let clock: ControlledClock;
  let engine: Engine | undefined;
  let port: number;
  let zbc: Zeebe.ZeebeGrpcClient;
  let t: TestApp;
  const now = () => new Date(clock.now());
  const starters: CaseStarter[] = [];
  const newStarter = (o: Partial<ConstructorParameters<typeof CaseStarter>[0]> = {}) => {
    const s = new CaseStarter({ db: testDb.db, zbc, log, now, ...o });
    starters.push(s);
    return s;
  };

  beforeAll(async () => {
    testDb = await createTestDb();
    await migrateAll(testDb.db, { engine: false });
    await seedCatalog(testDb.db);
    await bootstrapAuth(testDb.db, { demo: true, log, print: () => {} });
    clock = new ControlledClock();
    clock.freeze(T0);
    engine = await startEngine({ db: testDb.db, port: 0, clock });
    port = Number(engine.address.split(':').pop());
    // As the platform gives requests and the starter: no retries, every call bounded.
    zbc = boundedClient(
      new Camunda8({
        ZEEBE_GRPC_ADDRESS: `grpc://${engine.address}`,
        CAMUNDA_AUTH_STRATEGY: 'NONE',
        zeebeGrpcSettings: { ZEEBE_GRPC_CLIENT_RETRY: false, ZEEBE_CLIENT_LOG_LEVEL: 'NONE' },
      } as any).getZeebeGrpcApiClient(),
    );
    await zbc.topology();
    await deployProcesses(zbc, { db: testDb.db });
    t = await startTestAppOn(testDb, { context: { zbc, now }, env: { RATE_LIMIT_INTAKE_IP: '1000/1m' } });
  });

  afterAll(async () => {
    for (const s of starters) await s.stop();
    await t?.close();
    await zbc?.close();
    await engine?.stop();
    await testDb?.destroy();
  });

  const pendingRow = (caseId: string) => testDb.db('case_pending_start').where({ case_id: caseId }).first();
  const caseRow = (caseId: string) => testDb.db('case').where({ id: caseId }).first();
  const eventTypes = async (caseId: string) =>
    (await testDb.db('case_event').where({ case_id: caseId }).orderBy('id')).map((e: any) => e.type);
  /** Activates the waiting `case.accept` jobs (the one window's first step) of a case. */
  const acceptJobs = async (caseId: string) =>
    (
      await zbc.activateJobs({
        type: 'case.accept',
        worker: 'intake-test',
        maxJobsToActivate: 50,
        requestTimeout: -1,
        timeout: 60_000,
      } as any)
    ).filter((j: any) => j.variables.caseId === caseId);

  test('with the engine up a report is 201 and runs; the same Idempotency-Key makes one case, another body 422', async () => {
    // given a report with an Idempotency-Key
    const client = t.client();
    const body = report('路灯不亮，晚上小区门口一片漆黑');
    const headers = { 'idempotency-key': 'report-7f3a' };

    // when it is posted twice with the same key
    const first = await client.post('/api/cases', body, { headers });
    const again = await client.post('/api/cases', body, { headers });

    // then the first filed and started the case, the retry answers for the same case
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ caseNo: expect.stringMatching(/^JB\d{8}-\d{6}$/), dispatch: 'started' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(Number((await testDb.db('case').where({ description: body.description }).count({ n: '*' }))[0].n)).toBe(1);
    expect((await caseRow(first.body.id)).process_instance_key).toMatch(/^\d+$/);
    expect(await eventTypes(first.body.id)).toEqual(['reported', 'process.started']);

    // when the key comes back with a different report
    const other = await client.post('/api/cases', report('另一件事：垃圾没人清运'), { headers });

    // then it is refused as problem+json and nothing is filed
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect(other.body).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(
      Number((await testDb.db('case').where({ description: '另一件事：垃圾没人清运' }).count({ n: '*' }))[0].n),
    ).toBe(0);

    // and a malformed key is a 400 naming the header
    const bad = await client.post('/api/cases', body, { headers: { 'idempotency-key': 'x'.repeat(201) } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
  });

  test('with the engine stopped a report is answered at once (202, case number); the case starts when the engine is back', async () => {
    // given the engine stopped
    await engine!.stop();
    engine = undefined;

    // when a resident reports
    const t0 = performance.now();
    const res = await t.client().post('/api/cases', report('楼道里的消防栓漏水，地上全是水'));
    const ms = performance.now() - t0;

    // then the answer comes at once with the case number and tracking link, dispatch pending
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      caseNo: expect.stringMatching(/^JB\d{8}-\d{6}$/),
      status: 'received',
      dispatch: 'pending',
      trackingUrl: `/?caseNo=${encodeURIComponent(res.body.caseNo)}`,
    });
    expect(ms).toBeLessThan(INTAKE_START_DEADLINE_MS + 3000);
    const caseId = res.body.id;
    expect(await pendingRow(caseId)).toMatchObject({ bpmn_process_id: 'case-intake', attempts: 1 });

    // and the resident's tracking view says it is being dispatched; /healthz counts the backlog
    const view = await t.client().get(`/api/cases/${res.body.caseNo}?phone=13800000001`);
    expect(view.status).toBe(200);
    expect(view.body.dispatchPending).toBe(true);
    const health = await t.client().get('/healthz');
    expect(health.body.details.intake).toMatchObject({ pendingStarts: 1, lastError: expect.any(String) });

    // when the starter loop runs while the engine is still down
    const starter = newStarter();
    clock.increaseTime(START_BACKOFF_MAX_MS);
    expect(await starter.runOnce()).toEqual({ started: 0, deferred: 1 });

    // then the case is still pending, with the attempt counted and backed off
    const backedOff = await pendingRow(caseId);
    expect(backedOff.attempts).toBe(2);
    expect(new Date(backedOff.next_attempt_at).getTime()).toBeGreaterThan(clock.now());

    // when the engine comes back on its port
    engine = await startEngine({ db: testDb.db, port, clock });

    // then a later round starts the case (the client's channel reconnects on its own back-off)
    let started = 0;
    for (let round = 0; round < 60 && started === 0; round++) {
      clock.increaseTime(START_BACKOFF_MAX_MS);
      started = (await starter.runOnce()).started;
      if (!started) await new Promise((r) => setTimeout(r, 250));
    }
    expect(started).toBe(1);
    const c = await caseRow(caseId);
    expect(c.process_instance_key).toMatch(/^\d+$/);
    expect(await pendingRow(caseId)).toBeUndefined();
    expect(await eventTypes(caseId)).toEqual(['reported', 'process.started']);

    // and the one window proceeds: its first job is waiting for the case
    const jobs = await acceptJobs(caseId);
    expect(jobs.map((j: any) => j.processInstanceKey)).toEqual([c.process_instance_key]);
    expect((await t.client().get(`/api/cases/${res.body.caseNo}?phone=13800000001`)).body.dispatchPending).toBe(false);
    expect((await t.client().get('/healthz')).body.details.intake.pendingStarts).toBe(0);
  });

  test('a process that dies between the transaction and the start loses nothing: the next starter starts the case', async () => {
    // given a case filed in its transaction, and the process gone before it asked the engine
    const filed = await fileCase(testDb.db, { description: '路口红绿灯坏了', channel: 'web' }, {}, now());
    if (filed.kind !== 'created') throw new Error('expected a new case');
    const dead = newStarter();
    dead.start();
    await dead.stop();

    // when another starter runs (the request's own first attempt never came)
    clock.increaseTime(INTAKE_START_DEADLINE_MS);
    const next = newStarter();
    expect(await next.runOnce()).toEqual({ started: 1, deferred: 0 });

    // then the case has its instance
    const c = await caseRow(filed.created.id);
    expect(c.process_instance_key).toMatch(/^\d+$/);
    expect(await pendingRow(filed.created.id)).toBeUndefined();
    expect((await acceptJobs(filed.created.id)).map((j: any) => j.processInstanceKey)).toEqual([
      c.process_instance_key,
    ]);
  });

  test('a start whose answer was lost creates no second instance: the retry waits for the lease and finds the key', async () => {
    // given a filed case whose start attempt claimed it, reached the engine, and died before recording
    const filed = await fileCase(testDb.db, { description: '井盖松动，车开过咣咣响', channel: 'web' }, {}, now());
    if (filed.kind !== 'created') throw new Error('expected a new case');
    const caseId = filed.created.id;
    await testDb
      .db('case_pending_start')
      .where({ case_id: caseId })
      .update({ claimed_until: new Date(clock.now() + START_LEASE_MS), attempts: 1 });
    const variables = JSON.parse(JSON.stringify((await pendingRow(caseId)).variables));
    const orphan = await zbc.createProcessInstance({ bpmnProcessId: 'case-intake', variables });

    // when the starter runs while the lease holds
    const starter = newStarter();
    clock.increaseTime(INTAKE_START_DEADLINE_MS);
    expect(await starter.runOnce()).toEqual({ started: 0, deferred: 0 });

    // and the orphan's first step runs meanwhile (case.accept records its key on the case)
    const handlers = jobHandlers({ db: testDb.db, now, log } as any);
    const [job] = await acceptJobs(caseId);
    expect(job.processInstanceKey).toBe(orphan.processInstanceKey);
    await handlers['case.accept']({
      ...job,
      complete: async (v: Record<string, unknown> = {}) => {
        await zbc.completeJob({ jobKey: job.key, variables: v as any });
        return 'JOB_ACTION_ACKNOWLEDGEMENT';
      },
      fail: async (f: { errorMessage: string }) => {
        throw new Error(f.errorMessage);
      },
    } as any);

    // when the lease has ended and the starter runs again
    clock.increaseTime(START_LEASE_MS);
    expect(await starter.runOnce()).toEqual({ started: 1, deferred: 0 });

    // then the case keeps the orphan's instance, no second one was created, the timeline says so
    expect((await caseRow(caseId)).process_instance_key).toBe(orphan.processInstanceKey);
    expect(await pendingRow(caseId)).toBeUndefined();
    expect(await acceptJobs(caseId)).toEqual([]);
    const started = await testDb.db('case_event').where({ case_id: caseId, type: 'process.started' }).first();
    expect(JSON.parse(JSON.stringify(started.data))).toMatchObject({
      processInstanceKey: orphan.processInstanceKey,
      recovered: true,
    });
  });

  test('one starter loop per database: on PostgreSQL the advisory lock goes to one process at a time', async () => {
    // PGlite allows one process per data directory (its lock file), so the loop needs no lock there.
    if (testDb.kind !== 'postgres') {
      expect(await newStarter({ advisoryLock: false }).holdsLock()).toBe(true);
      return;
    }
    // given two starters on the same database
    const a = newStarter({ advisoryLock: true });
    const b = newStarter({ advisoryLock: true });
    // then only the first holds the lock
    expect(await a.holdsLock()).toBe(true);
    expect(await b.holdsLock()).toBe(false);
    expect(await b.runOnce()).toEqual({ started: 0, deferred: 0 });
    // when it stops, the other one takes over
    await a.stop();
    expect(await b.holdsLock()).toBe(true);
    await b.stop();
  });
});
