import { Camunda8 } from '@camunda8/sdk';
import { bpmn, chain, deploy, engineForTest } from './helpers';

/**
 * Fencing: every commit proves, in the same statement, that this engine's epoch is still the
 * current one. An engine that was superseded (another engine took the database over and bumped the
 * epoch) writes nothing more — not even half a batch — and stops serving.
 */
describe('ownership fencing', () => {
  test('a superseded engine commits nothing and answers UNAVAILABLE', async () => {
    // given an engine that owns its database, with a deployed process and one instance
    const ctx = await engineForTest();
    try {
      await deploy(ctx.zbc, 'f.bpmn', bpmn('f', `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>${chain('s', 'e')}`));
      await ctx.zbc.createProcessInstance({ bpmnProcessId: 'f', variables: {} });
      await ctx.te.waitForIdle();
      const db = ctx.testDb.db;
      const before = await db('engine_record_batch').max({ p: 'last_position' }).first();
      const meta = await db('engine_meta').select('name', 'value').orderBy('name');

      // when another engine takes over (it bumps the epoch, as Ownership.acquire does)
      const epoch = Number((await db('engine_meta').where({ name: 'epoch' }).first()).value);
      await db('engine_meta')
        .where({ name: 'epoch' })
        .update({ value: JSON.stringify(epoch + 1) });

      // then the next command fails with UNAVAILABLE (a client that does not retry sees it) and the
      // database is exactly as before
      const once = new Camunda8({
        ZEEBE_GRPC_ADDRESS: ctx.te.gatewayAddress,
        CAMUNDA_AUTH_STRATEGY: 'NONE',
        zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE', ZEEBE_GRPC_CLIENT_RETRY: false },
      } as any).getZeebeGrpcApiClient();
      await expect(once.createProcessInstance({ bpmnProcessId: 'f', variables: {} } as any)).rejects.toMatchObject({
        code: 14,
        details: expect.stringContaining('lost ownership of the database'),
      });
      expect(await db('engine_record_batch').max({ p: 'last_position' }).first()).toEqual(before);
      const metaAfter = await db('engine_meta').select('name', 'value').orderBy('name');
      expect(metaAfter.filter((m: any) => m.name !== 'epoch')).toEqual(meta.filter((m: any) => m.name !== 'epoch'));
      await once.close();
      expect(Number((await db('engine_element_instance').count({ n: '*' }).first())!.n)).toBe(0);
    } finally {
      await ctx.stop();
    }
  });
});
