import { Dto } from '@camunda8/sdk';
import { startTestEngine } from '../../engine/testing';
import { createTestDb } from '../helpers/db';
import { bpmn, chain, completeOne, deploy, engineForTest, flow, jobsOf, serviceTask } from './helpers';

/**
 * Client-visible Zeebe 8.8 semantics found missing by an SDK-driven check (issue 13): receive
 * tasks, message buffering, inclusive joins, multi-instance output locals and unhandled-error
 * incident wording. Driven only through the @camunda8/sdk gRPC client.
 */
describe('Zeebe semantics (SDK-driven)', () => {
  let ctx: Awaited<ReturnType<typeof engineForTest>>;
  beforeAll(async () => {
    ctx = await engineForTest();
  });
  afterAll(() => ctx.stop());
  const create = async (id: string, variables: Record<string, any> = {}) =>
    (await ctx.zbc.createProcessInstance({ bpmnProcessId: id, variables })).processInstanceKey;
  const completions = async (pi: string, elementId: string) =>
    (await ctx.te.records({ processInstanceKey: pi, valueType: 'PROCESS_INSTANCE' })).filter(
      (r) => r.intent === 'ELEMENT_COMPLETED' && (r.value as any).elementId === elementId,
    ).length;

  const receiveProcess = (id: string, messageName: string) =>
    bpmn(
      id,
      `
      <bpmn:startEvent id="s"/><bpmn:receiveTask id="wait" messageRef="m_${id}"/><bpmn:endEvent id="e"/>${chain('s', 'wait', 'e')}`,
      `<bpmn:message id="m_${id}" name="${messageName}"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>`,
    );

  test('a receive task opens a subscription for its own messageRef and completes on the message', async () => {
    // given
    await deploy(ctx.zbc, 'rt.bpmn', receiveProcess('rt', 'rt-paid'));
    const pi = await create('rt', { orderId: 'o-1' });
    await ctx.te.isWaitingAtElements(pi, ['wait'], true);
    const subs = (await ctx.te.records({ processInstanceKey: pi, valueType: 'MESSAGE_SUBSCRIPTION' })).filter(
      (r) => r.intent === 'CREATED',
    );
    expect(subs.map((r) => [(r.value as any).messageName, (r.value as any).correlationKey])).toEqual([
      ['rt-paid', 'o-1'],
    ]);
    // when
    await ctx.zbc.publishMessage({ name: 'rt-paid', correlationKey: 'o-1', variables: { paidBy: 'card' } });
    // then
    await ctx.te.isCompleted(pi);
    await ctx.te.hasVariable(pi, 'paidBy', 'card');
    const activated = (await ctx.te.records({ processInstanceKey: pi, valueType: 'PROCESS_INSTANCE' })).find(
      (r) => r.intent === 'ELEMENT_ACTIVATED' && (r.value as any).elementId === 'wait',
    );
    expect((activated!.value as any).bpmnEventType).toBe('MESSAGE');
  });

  test('deploy rejects a receive task without a message or without a correlation key', async () => {
    await expect(
      deploy(
        ctx.zbc,
        'rt-bad.bpmn',
        bpmn('rtBad', `<bpmn:startEvent id="s"/><bpmn:receiveTask id="wait"/>${chain('s', 'wait')}`),
      ),
    ).rejects.toThrow(/Element: wait[\s\S]*Must reference a message/);
    await expect(
      deploy(
        ctx.zbc,
        'rt-bad2.bpmn',
        bpmn(
          'rtBad2',
          `<bpmn:startEvent id="s"/><bpmn:receiveTask id="wait" messageRef="mx"/>${chain('s', 'wait')}`,
          `<bpmn:message id="mx" name="x"/>`,
        ),
      ),
    ).rejects.toThrow(/Element: wait[\s\S]*correlation key/);
  });

  test('a buffered message (TTL > 0) is correlated when a receive task opens its subscription later', async () => {
    // given: the message is published before any instance waits for it
    await deploy(ctx.zbc, 'rtb.bpmn', receiveProcess('rtb', 'rtb-paid'));
    await ctx.zbc.publishMessage({
      name: 'rtb-paid',
      correlationKey: 'o-2',
      timeToLive: 60_000,
      variables: { via: 'buffer' },
    });
    // when
    const pi = await create('rtb', { orderId: 'o-2' });
    // then
    await ctx.te.isCompleted(pi);
    await ctx.te.hasVariable(pi, 'via', 'buffer');
  });

  test('a TTL-0 message is never buffered: a later receive task keeps waiting', async () => {
    // given
    await deploy(ctx.zbc, 'rt0.bpmn', receiveProcess('rt0', 'rt0-paid'));
    await ctx.zbc.publishMessage({ name: 'rt0-paid', correlationKey: 'o-3', timeToLive: 0, variables: {} });
    // when
    const pi = await create('rt0', { orderId: 'o-3' });
    await ctx.te.waitForIdle();
    // then
    await ctx.te.isWaitingAtElements(pi, ['wait'], true);
    await ctx.zbc.publishMessage({ name: 'rt0-paid', correlationKey: 'o-3', timeToLive: 0, variables: {} });
    await ctx.te.isCompleted(pi);
  });

  test('an inclusive join that waits for two taken branches fires exactly once', async () => {
    // given
    await deploy(
      ctx.zbc,
      'or-once.bpmn',
      bpmn(
        'orOnce',
        `
      <bpmn:startEvent id="s"/><bpmn:inclusiveGateway id="fork"/><bpmn:inclusiveGateway id="join"/>
      ${serviceTask('a', 'or1-a')}${serviceTask('b', 'or1-b')}${serviceTask('after', 'or1-after')}<bpmn:endEvent id="e"/>
      ${flow('f0', 's', 'fork')}${flow('fa', 'fork', 'a', '=true')}${flow('fb', 'fork', 'b', '=true')}
      ${flow('ja', 'a', 'join')}${flow('jb', 'b', 'join')}${flow('fj', 'join', 'after')}${flow('fe', 'after', 'e')}`,
      ),
    );
    const pi = await create('orOnce');
    await ctx.te.isWaitingAtElements(pi, ['a', 'b'], true);
    // when
    await completeOne(ctx.te, ctx.zbc, 'or1-a');
    await completeOne(ctx.te, ctx.zbc, 'or1-b');
    // then
    expect(await completions(pi, 'join')).toBe(1);
    expect(await jobsOf(ctx.te, ctx.zbc, 'or1-after')).toHaveLength(1);
  });

  test('a multi-instance outputElement that is a bare variable stays local: only the output collection propagates', async () => {
    // given
    const loop = (sequential: boolean) =>
      `<bpmn:multiInstanceLoopCharacteristics isSequential="${sequential}"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="results" outputElement="=result"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>`;
    for (const sequential of [true, false]) {
      const id = sequential ? 'miSeqOut' : 'miParOut';
      const type = `${id}-each`;
      await deploy(
        ctx.zbc,
        `${id}.bpmn`,
        bpmn(
          id,
          `<bpmn:startEvent id="s"/>${serviceTask('each', type).replace('</bpmn:serviceTask>', loop(sequential))}<bpmn:endEvent id="e"/>${chain('s', 'each', 'e')}`,
        ),
      );
      const pi = await create(id, { items: [1, 2] });
      // when
      for (let i = 0; i < 2; i++) {
        for (const job of await jobsOf(ctx.te, ctx.zbc, type)) {
          expect(job.variables).not.toHaveProperty('result', expect.anything());
          await ctx.zbc.completeJob({ jobKey: job.key, variables: { result: (job.variables.item as number) * 10 } });
        }
      }
      // then
      await ctx.te.isCompleted(pi);
      await ctx.te.hasVariable(pi, 'results', [10, 20]);
      const rootVars = (await ctx.te.records({ processInstanceKey: pi, valueType: 'VARIABLE' })).filter(
        (r) => (r.value as any).scopeKey === pi,
      );
      expect(rootVars.map((r) => (r.value as any).name)).not.toContain('result');
    }
  });

  test('UNHANDLED_ERROR_EVENT lists the available error codes, inner scope first, as Zeebe does', async () => {
    // given: a task with two error boundaries inside a subprocess with one more
    await deploy(
      ctx.zbc,
      'err-avail.bpmn',
      bpmn(
        'errAvail',
        `
      <bpmn:startEvent id="s"/>
      <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>${serviceTask('work', 'err-avail')}<bpmn:endEvent id="se"/>${chain('ss', 'work', 'se')}</bpmn:subProcess>
      <bpmn:boundaryEvent id="b1" attachedToRef="work"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:boundaryEvent>
      <bpmn:boundaryEvent id="b2" attachedToRef="work"><bpmn:errorEventDefinition errorRef="E2"/></bpmn:boundaryEvent>
      <bpmn:boundaryEvent id="b3" attachedToRef="sub"><bpmn:errorEventDefinition errorRef="E3"/></bpmn:boundaryEvent>
      <bpmn:endEvent id="e"/><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/><bpmn:endEvent id="e3"/>
      ${chain('s', 'sub', 'e')}${flow('fb1', 'b1', 'e1')}${flow('fb2', 'b2', 'e2')}${flow('fb3', 'b3', 'e3')}`,
        `<bpmn:error id="E1" errorCode="alpha"/><bpmn:error id="E2" errorCode="beta"/><bpmn:error id="E3" errorCode="outer"/>`,
      ),
    );
    const pi = await create('errAvail');
    const [job] = await jobsOf(ctx.te, ctx.zbc, 'err-avail');
    // when
    await ctx.zbc.throwError({ jobKey: job.key, errorCode: 'gamma', errorMessage: 'no match' });
    // then
    const incident = await ctx.te.hasIncident(pi, 'UNHANDLED_ERROR_EVENT', 'work');
    expect(incident.errorMessage).toBe(
      "Expected to throw an error event with the code 'gamma' with message 'no match', but it was not caught. Available error events are [beta, alpha, outer]",
    );
  });

  test('an error end event nobody catches names the available codes too', async () => {
    await deploy(
      ctx.zbc,
      'err-end-avail.bpmn',
      bpmn(
        'errEndAvail',
        `
      <bpmn:startEvent id="s"/>
      <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="Ethrow"/></bpmn:endEvent>${chain('ss', 'fail')}</bpmn:subProcess>
      <bpmn:boundaryEvent id="b" attachedToRef="sub"><bpmn:errorEventDefinition errorRef="Ecatch"/></bpmn:boundaryEvent>
      <bpmn:endEvent id="e"/><bpmn:endEvent id="eb"/>${chain('s', 'sub', 'e')}${flow('fb', 'b', 'eb')}`,
        `<bpmn:error id="Ethrow" errorCode="thrown"/><bpmn:error id="Ecatch" errorCode="caught"/>`,
      ),
    );
    const pi = await create('errEndAvail');
    const incident = await ctx.te.hasIncident(pi, 'UNHANDLED_ERROR_EVENT', 'fail');
    expect(incident.errorMessage).toBe(
      "Expected to throw an error event with the code 'thrown', but it was not caught. Available error events are [caught]",
    );
  });
});

/** A job-variables Dto whose int64 fields the SDK reads and writes as exact decimal strings. */
function int64Dto(fields: string[], children: Record<string, typeof Dto.LosslessDto> = {}) {
  class Vars extends Dto.LosslessDto {}
  for (const f of fields) Dto.Int64String(Vars.prototype, f);
  for (const [f, child] of Object.entries(children)) Dto.ChildDto(child)(Vars.prototype, f);
  return Vars;
}

describe('64-bit integer variables are exact end to end (SDK-driven)', () => {
  const BIG = '9007199254740993'; // 2^53 + 1: the nearest double is 9007199254740992
  const MIN = '-9223372036854775808'; // int64 min

  test('through gRPC documents, FEEL paths, state storage and a restart', async () => {
    // given: a process that copies the big value by input mapping, on a database that outlives the engine
    const testDb = await createTestDb();
    let te = await startTestEngine({ db: testDb.db });
    try {
      let zbc = te.client();
      await deploy(
        zbc,
        'big.bpmn',
        bpmn(
          'big',
          `<bpmn:startEvent id="s"/>
        ${serviceTask('t1', 'big-1', '<zeebe:ioMapping><zeebe:input source="=order.id" target="copy"/><zeebe:input source="=order.id + 1" target="approx"/></zeebe:ioMapping>')}
        ${serviceTask('t2', 'big-2')}<bpmn:endEvent id="e"/>${chain('s', 't1', 't2', 'e')}`,
        ),
      );
      const Order = int64Dto(['id']);
      const order = Object.assign(new Order(), { id: BIG });
      // when
      const { processInstanceKey: pi } = await zbc.createProcessInstance({
        bpmnProcessId: 'big',
        variables: { order, small: 7 } as any,
      });
      await te.waitForIdle();
      const [job1] = await zbc.activateJobs({
        type: 'big-1',
        worker: 'test',
        maxJobsToActivate: 1,
        timeout: 60_000,
        requestTimeout: -1,
        inputVariableDto: int64Dto(['copy', 'approx'], { order: Order }),
      } as any);
      // then: a path expression keeps the value exact; arithmetic runs on doubles (documented)
      expect((job1.variables as any).copy).toBe(BIG);
      expect((job1.variables as any).approx).toBe('9007199254740992');
      expect((job1.variables as any).small).toBe(7);
      expect((job1.variables as any).order.id).toBe(BIG);
      // when: the worker returns the int64 minimum, and the engine restarts on the same database
      const Out = int64Dto(['fromWorker']);
      await zbc.completeJob({ jobKey: job1.key, variables: Object.assign(new Out(), { fromWorker: MIN }) as any });
      await te.waitForIdle();
      await te.stop();
      te = await startTestEngine({ db: testDb.db });
      zbc = te.client();
      // then: the stored values come back exact
      const [job2] = await zbc.activateJobs({
        type: 'big-2',
        worker: 'test',
        maxJobsToActivate: 1,
        timeout: 60_000,
        requestTimeout: -1,
        inputVariableDto: int64Dto(['fromWorker', 'copy'], { order: Order }),
      } as any);
      expect(job2.processInstanceKey).toBe(pi);
      expect((job2.variables as any).fromWorker).toBe(MIN);
      expect((job2.variables as any).order.id).toBe(BIG);
      await te.hasVariable(pi, 'order', { id: BigInt(BIG) });
      expect((await te.variable(pi, 'fromWorker')) === BigInt(MIN)).toBe(true);
    } finally {
      await te.stop();
      await testDb.destroy();
    }
  });
});
