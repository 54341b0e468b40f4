import { Camunda8 } from '@camunda8/sdk';
import { startEngine } from '../../engine';
import { createTestDb } from '../helpers/db';
import { bpmn, chain, deploy, engineForTest, serviceTask } from './helpers';

/**
 * Pipelined group commit: while batch N is being committed, arriving commands already run and
 * build batch N+1 on top of it. If N's commit fails, N+1 must not survive either — in memory or in
 * the database — and every command of both fails; the engine then carries on normally.
 */
describe('pipelined commits', () => {
  test('a failed commit takes down the batch built on top of it, and nothing of either remains', async () => {
    // given an engine whose next commit will hang until we let it fail
    const ctx = await engineForTest();
    const db = ctx.testDb.db;
    const zbc = new Camunda8({
      ZEEBE_GRPC_ADDRESS: ctx.te.gatewayAddress,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE', ZEEBE_GRPC_CLIENT_RETRY: false },
    } as any).getZeebeGrpcApiClient();
    const store = ctx.te.engine.runtime.core.store;
    const roots = () => [...store.elements.values()].filter((e) => e.type === 'PROCESS').length;
    try {
      await deploy(
        ctx.zbc,
        'p.bpmn',
        bpmn(
          'p',
          `<bpmn:startEvent id="s"/>${serviceTask('t', 'p-work')}<bpmn:endEvent id="e"/>${chain('s', 't', 'e')}`,
        ),
      );
      await ctx.te.waitForIdle();
      const client = db.client as any;
      const realRaw = client.raw.bind(client);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let held: (() => void) | undefined;
      const commitIssued = new Promise<void>((r) => (held = r));
      let calls = 0;
      client.raw = (sql: string, bindings?: unknown) => {
        if (typeof sql === 'string' && sql.startsWith('with ') && calls++ === 0) {
          held?.();
          return gate.then(() =>
            Promise.reject(Object.assign(new Error('connection terminated unexpectedly'), { code: '08006' })),
          );
        }
        return realRaw(sql, bindings);
      };

      // when instance A's commit is in flight and instance B arrives and runs on top of it
      const a = zbc.createProcessInstance({ bpmnProcessId: 'p', variables: { who: 'A' } });
      await commitIssued;
      const b = zbc.createProcessInstance({ bpmnProcessId: 'p', variables: { who: 'B' } });
      while (roots() < 2) await new Promise((r) => setImmediate(r)); // B has run in memory
      // and A's commit fails
      release();

      // then both fail, memory holds neither, and the database holds neither
      await expect(a).rejects.toMatchObject({ details: expect.stringContaining('could not commit') });
      await expect(b).rejects.toMatchObject({ details: expect.stringContaining('could not commit') });
      expect(roots()).toBe(0);
      delete client.raw;
      expect(Number((await db('engine_element_instance').count({ n: '*' }).first())!.n)).toBe(0);

      // and the engine carries on: C is created and its job is the only one there is
      const c = await zbc.createProcessInstance({ bpmnProcessId: 'p', variables: { who: 'C' } });
      await ctx.te.waitForIdle();
      const jobs = await zbc.activateJobs({
        type: 'p-work',
        worker: 't',
        maxJobsToActivate: 10,
        timeout: 60_000,
        requestTimeout: -1,
      } as any);
      expect(jobs.map((j) => j.variables.who)).toEqual(['C']);
      expect(jobs[0].processInstanceKey).toBe(c.processInstanceKey);
    } finally {
      await zbc.close();
      await ctx.stop();
    }
  });

  test('keys and positions continue without reuse after a restart that follows a failed commit', async () => {
    // given a database an engine wrote to, including a failed batch
    const testDb = await createTestDb();
    try {
      let engine = await startEngine({ db: testDb.db, port: 0, recordRetentionMs: 0 });
      const zbc = () =>
        new Camunda8({
          ZEEBE_GRPC_ADDRESS: `grpc://${engine.address}`,
          CAMUNDA_AUTH_STRATEGY: 'NONE',
          zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE', ZEEBE_GRPC_CLIENT_RETRY: false },
        } as any).getZeebeGrpcApiClient();
      let z = zbc();
      await z.deployResource({
        name: 'q.bpmn',
        process: Buffer.from(bpmn('q', `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>${chain('s', 'e')}`)),
      });
      const first = await z.createProcessInstance({ bpmnProcessId: 'q', variables: {} });
      const client = testDb.db.client as any;
      const realRaw = client.raw.bind(client);
      client.raw = (sql: string, b?: unknown) =>
        typeof sql === 'string' && sql.startsWith('with ') ? Promise.reject(new Error('disk full')) : realRaw(sql, b);
      await expect(z.createProcessInstance({ bpmnProcessId: 'q', variables: {} })).rejects.toBeTruthy();
      delete client.raw;
      const second = await z.createProcessInstance({ bpmnProcessId: 'q', variables: {} });
      await z.close();
      await engine.stop();

      // when the engine restarts and creates another instance
      engine = await startEngine({ db: testDb.db, port: 0, recordRetentionMs: 0 });
      z = zbc();
      const third = await z.createProcessInstance({ bpmnProcessId: 'q', variables: {} });
      await z.close();

      // then keys only grow and the record log has no gaps or duplicates
      const keys = [first, second, third].map((r) => BigInt(r.processInstanceKey));
      expect(keys[1] > keys[0] && keys[2] > keys[1]).toBe(true);
      const positions = (await engine.admin.records({ limit: 100_000 })).map((r) => r.position);
      positions.forEach((p, i) => expect(p).toBe(positions[0] + i));
      await engine.stop();
    } finally {
      await testDb.destroy();
    }
  });

  test('a commit that reached the database although the engine saw it fail: memory is reloaded, nothing is reused', async () => {
    // given an engine whose next commit is written but answered with a broken connection
    const ctx = await engineForTest();
    const db = ctx.testDb.db;
    const zbc = new Camunda8({
      ZEEBE_GRPC_ADDRESS: ctx.te.gatewayAddress,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE', ZEEBE_GRPC_CLIENT_RETRY: false },
    } as any).getZeebeGrpcApiClient();
    try {
      await deploy(
        ctx.zbc,
        'r.bpmn',
        bpmn(
          'r',
          `<bpmn:startEvent id="s"/>${serviceTask('t', 'r-work')}<bpmn:endEvent id="e"/>${chain('s', 't', 'e')}`,
        ),
      );
      await ctx.te.waitForIdle();
      const client = db.client as any;
      const realRaw = client.raw.bind(client);
      let broken = true;
      client.raw = (sql: string, bindings?: unknown) => {
        if (broken && typeof sql === 'string' && sql.startsWith('with ')) {
          broken = false;
          return Promise.resolve(realRaw(sql, bindings)).then(() => {
            throw Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' });
          });
        }
        return realRaw(sql, bindings);
      };

      // when instance A is created (the client is told it failed) and then instance B
      await expect(zbc.createProcessInstance({ bpmnProcessId: 'r', variables: { who: 'A' } })).rejects.toBeTruthy();
      delete client.raw;
      const b = await zbc.createProcessInstance({ bpmnProcessId: 'r', variables: { who: 'B' } });
      await ctx.te.waitForIdle();

      // then the engine carries on from what is durable: A exists (the database has it) and has its
      // job, B got fresh keys, and the record log has no gap and no duplicate
      const jobs = await zbc.activateJobs({
        type: 'r-work',
        worker: 't',
        maxJobsToActivate: 10,
        timeout: 60_000,
        requestTimeout: -1,
      } as any);
      expect(jobs.map((j) => j.variables.who).sort()).toEqual(['A', 'B']);
      const a = jobs.find((j) => j.variables.who === 'A')!;
      expect(BigInt(b.processInstanceKey) > BigInt(a.processInstanceKey)).toBe(true);
      for (const j of jobs) await zbc.completeJob({ jobKey: j.key, variables: {} });
      await ctx.te.isCompleted(a.processInstanceKey);
      await ctx.te.isCompleted(b.processInstanceKey);
      const positions = (await ctx.te.records({ limit: 100_000 })).map((r) => r.position);
      positions.forEach((p, i) => expect(p).toBe(positions[0] + i));
    } finally {
      await zbc.close();
      await ctx.stop();
    }
  });
});
