import path from 'node:path';
import { Camunda8, type Zeebe } from '@camunda8/sdk';
import { migrateAll } from '../../platform/migrate-all';
import { startEngine, type Engine } from '../../engine';
import { bootstrapAuth } from '../../server/auth/bootstrap';
import { createTestDb, type TestDb } from '../helpers/db';
import { startTestAppOn, type TestApp } from './helpers/app';

/** Polls the engine's admin view until `check` holds (the engine processes commands asynchronously). */
async function until<T>(read: () => T, check: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = read();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`Expected ${what} within 5 s, but got ${JSON.stringify(v)}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('incidents for admins', () => {
  let testDb: TestDb;
  let engine: Engine;
  let zbc: Zeebe.ZeebeGrpcClient;
  let t: TestApp;

  beforeAll(async () => {
    testDb = await createTestDb();
    await migrateAll(testDb.db, { engine: false });
    await bootstrapAuth(testDb.db, { demo: true, log: { info() {}, warn() {} } });
    engine = await startEngine({ db: testDb.db, port: 0 });
    zbc = new Camunda8({
      ZEEBE_GRPC_ADDRESS: `grpc://${engine.address}`,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE' },
    }).getZeebeGrpcApiClient();
    t = await startTestAppOn(testDb, {
      context: { engine, zbc, engineHealth: () => zbc.topology().then(() => 'ok' as const) },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await zbc?.close();
    await engine?.stop();
    await testDb?.destroy();
  });

  it('lists a failed job’s incident and resolves it with new variables and retries, through the SDK', async () => {
    // given an instance whose only job failed without retries left
    await zbc.deployResource({ processFilename: path.join(__dirname, 'fixtures/flaky-task.bpmn') });
    const instance = await zbc.createProcessInstance({ bpmnProcessId: 'flaky-task', variables: { plate: '浙B10001' } });
    const [job] = await zbc.activateJobs({
      type: 'test.flaky-lookup',
      worker: 'test',
      maxJobsToActivate: 1,
      timeout: 60_000,
      requestTimeout: 2000,
    });
    await zbc.failJob({ jobKey: job.key, retries: 0, retryBackOff: 0, errorMessage: 'vehicle registry unreachable' });
    await until(
      () => engine.admin.incidents(),
      (i) => i.length === 1,
      'one incident',
    );
    const admin = await t.loginAs('admin');

    // when the admin lists incidents
    const listed = await admin.get(`/api/admin/incidents?processInstanceKey=${instance.processInstanceKey}`);

    // then the incident is there with its job
    expect(listed.status).toBe(200);
    expect(listed.body.incidents).toEqual([
      expect.objectContaining({
        errorType: 'JOB_NO_RETRIES',
        errorMessage: 'vehicle registry unreachable',
        bpmnProcessId: 'flaky-task',
        elementId: 'lookup',
        jobKey: job.key,
        processInstanceKey: instance.processInstanceKey,
      }),
    ]);
    const key = listed.body.incidents[0].key;

    // when they try to move the instance to another case (issue 18, H1)
    const moved = await admin.post(`/api/admin/incidents/${key}/resolve`, {
      variables: { caseId: 'another-case', plate: '浙B10002' },
    });

    // then that is 400 naming the workflow's variable, and the incident stays
    expect(moved.status).toBe(400);
    expect(moved.body.errors).toEqual([{ field: 'variables.caseId', message: 'set by the workflow, not by a person' }]);
    expect(engine.admin.incidents()).toHaveLength(1);

    // when they resolve it with a corrected variable and 2 retries
    const resolved = await admin.post(`/api/admin/incidents/${key}/resolve`, {
      variables: { plate: '浙B10002' },
      retries: 2,
    });

    // then the incident is gone and the job comes back with the new variable and the retries
    expect(resolved.status).toBe(200);
    expect(resolved.body.resolved.key).toBe(key);
    await until(
      () => engine.admin.incidents(),
      (i) => i.length === 0,
      'no incident',
    );
    const [again] = await zbc.activateJobs({
      type: 'test.flaky-lookup',
      worker: 'test',
      maxJobsToActivate: 1,
      timeout: 60_000,
      requestTimeout: 2000,
    });
    expect(again.key).toBe(job.key);
    expect(again.retries).toBe(2);
    expect(again.variables).toMatchObject({ plate: '浙B10002' });
    await zbc.completeJob({ jobKey: again.key, variables: {} });
    expect((await admin.get('/api/admin/incidents')).body.incidents).toEqual([]);
  });

  it('answers 404 for a key with no open incident, 400 for a malformed one', async () => {
    const admin = await t.loginAs('admin');
    expect((await admin.post('/api/admin/incidents/2251799813685999/resolve', {})).status).toBe(404);
    const bad = await admin.post('/api/admin/incidents/abc/resolve', { retries: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['path.key', 'retries']);
  });

  it('points to Camunda Operate when the platform runs against a Zeebe cluster', async () => {
    // given an app without an embedded engine, with Operate configured
    const external = await startTestAppOn(testDb, { env: { CAMUNDA_OPERATE_BASE_URL: 'https://operate.example.org' } });
    try {
      const admin = await external.loginAs('admin');

      // when incidents are asked for
      const res = await admin.get('/api/admin/incidents');

      // then 501 names Operate and its URL
      expect(res.status).toBe(501);
      expect(res.body.detail).toMatch(/Camunda Operate at https:\/\/operate\.example\.org/);
      expect(res.body.operateUrl).toBe('https://operate.example.org');
    } finally {
      await external.close();
    }
  });
});
