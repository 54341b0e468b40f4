import { bpmn, chain, deploy, engineForTest } from './helpers';

describe('record log retention', () => {
  test('records older than the retention window are pruned, newer ones stay', async () => {
    // given an instance that ran a day ago (engine clock) and one that ran just now
    const ctx = await engineForTest();
    try {
      await deploy(ctx.zbc, 'r.bpmn', bpmn('r', `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>${chain('s', 'e')}`));
      const old = (await ctx.zbc.createProcessInstance({ bpmnProcessId: 'r', variables: {} })).processInstanceKey;
      await ctx.te.isCompleted(old);
      await ctx.te.increaseTime(24 * 3600 * 1000);
      const recent = (await ctx.zbc.createProcessInstance({ bpmnProcessId: 'r', variables: {} })).processInstanceKey;
      await ctx.te.isCompleted(recent);
      // when pruning with a 1-hour retention
      const deleted = await ctx.te.engine.runtime.pruneRecords(3600 * 1000);
      // then only the old records are gone
      expect(deleted).toBeGreaterThan(0);
      expect(await ctx.te.records({ processInstanceKey: old })).toHaveLength(0);
      expect((await ctx.te.records({ processInstanceKey: recent })).length).toBeGreaterThan(0);
    } finally {
      await ctx.stop();
    }
  });
});
