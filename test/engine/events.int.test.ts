import { bpmn, chain, completeOne, deploy, engineForTest, flow, jobsOf, serviceTask } from './helpers';

const timer = (kind: 'timeDuration' | 'timeDate' | 'timeCycle', value: string) =>
  `<bpmn:timerEventDefinition><bpmn:${kind}>${value}</bpmn:${kind}></bpmn:timerEventDefinition>`;

/** Events beyond the basics: dates, cron, signals, escalations, event subprocesses, terminate in scopes. */
describe('events (SDK-driven)', () => {
  let ctx: Awaited<ReturnType<typeof engineForTest>>;
  const T0 = Date.UTC(2026, 10, 27, 0, 0, 0); // 2026-11-27T00:00:00Z, a Friday
  beforeAll(async () => {
    ctx = await engineForTest();
    ctx.te.clock.freeze(T0);
  });
  afterAll(() => ctx.stop());
  const create = async (id: string, variables: Record<string, any> = {}) =>
    (await ctx.zbc.createProcessInstance({ bpmnProcessId: id, variables })).processInstanceKey;

  test('timeDate catch fires at the date (FEEL date-time from a variable)', async () => {
    await deploy(
      ctx.zbc,
      'date.bpmn',
      bpmn(
        'date',
        `<bpmn:startEvent id="s"/>
      <bpmn:intermediateCatchEvent id="at">${timer('timeDate', '=date and time(when)')}</bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>${chain('s', 'at', 'e')}`,
      ),
    );
    const pi = await create('date', { when: '2026-11-27T08:00:00+08:00' }); // = 00:00Z: due now
    await ctx.te.isCompleted(pi);
    const pi2 = await create('date', { when: '2026-11-28T08:00:00+08:00' });
    await ctx.te.increaseTime(24 * 3600 * 1000 - 1000);
    await ctx.te.isActive(pi2);
    await ctx.te.increaseTime(1000);
    await ctx.te.isCompleted(pi2);
  });

  test('cron timer start event starts an instance on each matching second (UTC)', async () => {
    // given a start event every weekday at 09:00:00 UTC, deployed on Friday 00:00
    ctx.te.clock.freeze(T0);
    await deploy(
      ctx.zbc,
      'cron.bpmn',
      bpmn(
        'cron',
        `<bpmn:startEvent id="tick">${timer('timeCycle', '0 0 9 * * MON-FRI')}</bpmn:startEvent>${serviceTask('job', 'cron-job')}<bpmn:endEvent id="e"/>${chain('tick', 'job', 'e')}`,
      ),
    );
    // when the clock passes Friday 09:00, the weekend, and Monday 09:00
    await ctx.te.increaseTime(9 * 3600 * 1000 - 1000); // Fri 08:59:59: nothing yet
    expect(await jobsOf(ctx.te, ctx.zbc, 'cron-job')).toHaveLength(0);
    await ctx.te.increaseTime(1000); // Fri 09:00
    await completeOne(ctx.te, ctx.zbc, 'cron-job');
    await ctx.te.increaseTime(2 * 24 * 3600 * 1000); // Sun 09:00: nothing on the weekend
    expect(await jobsOf(ctx.te, ctx.zbc, 'cron-job')).toHaveLength(0);
    await ctx.te.increaseTime(24 * 3600 * 1000); // Mon 09:00
    await completeOne(ctx.te, ctx.zbc, 'cron-job');
    const started = await ctx.te.records({ valueType: 'PROCESS_INSTANCE' });
    expect(
      started.filter(
        (r) =>
          r.value.bpmnProcessId === 'cron' && r.value.bpmnElementType === 'PROCESS' && r.intent === 'ELEMENT_ACTIVATED',
      ),
    ).toHaveLength(2);
  });

  test('signal boundary interrupts; a signal end event broadcasts with its input variables', async () => {
    await deploy(
      ctx.zbc,
      'sigb.bpmn',
      bpmn(
        'sigb',
        `<bpmn:startEvent id="s"/>${serviceTask('work', 'sigb-work')}
      <bpmn:boundaryEvent id="stop" attachedToRef="work"><bpmn:signalEventDefinition signalRef="halt"/></bpmn:boundaryEvent>
      <bpmn:endEvent id="e"/><bpmn:endEvent id="stopped"/>${chain('s', 'work', 'e')}${flow('fs', 'stop', 'stopped')}`,
        `<bpmn:signal id="halt" name="halt-all"/>`,
      ),
    );
    await deploy(
      ctx.zbc,
      'sigthrow.bpmn',
      bpmn(
        'sigthrow',
        `<bpmn:startEvent id="s"/>
      <bpmn:endEvent id="send"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=reason" target="why"/></zeebe:ioMapping></bpmn:extensionElements><bpmn:signalEventDefinition signalRef="halt2"/></bpmn:endEvent>${chain('s', 'send')}`,
        `<bpmn:signal id="halt2" name="halt-all"/>`,
      ),
    );
    const a = await create('sigb');
    const b = await create('sigb');
    await ctx.te.isWaitingAtElements(a, ['work']);
    const thrower = await create('sigthrow', { reason: 'storm' });
    await ctx.te.isCompleted(thrower);
    for (const pi of [a, b]) {
      await ctx.te.hasPassedElement(pi, 'stopped');
      await ctx.te.hasVariable(pi, 'why', 'storm');
    }
    expect(await jobsOf(ctx.te, ctx.zbc, 'sigb-work')).toHaveLength(0);
  });

  test('escalation end event bubbles out of a called process to an interrupting boundary on the call activity', async () => {
    await deploy(
      ctx.zbc,
      'esc-child.bpmn',
      bpmn(
        'esc-child',
        `<bpmn:startEvent id="cs"/><bpmn:endEvent id="up"><bpmn:escalationEventDefinition escalationRef="E"/></bpmn:endEvent>${chain('cs', 'up')}`,
        `<bpmn:escalation id="E" escalationCode="TO_LEADER"/>`,
      ),
    );
    await deploy(
      ctx.zbc,
      'esc-parent.bpmn',
      bpmn(
        'esc-parent',
        `<bpmn:startEvent id="s"/>
      <bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="esc-child"/></bpmn:extensionElements></bpmn:callActivity>
      <bpmn:boundaryEvent id="caught" attachedToRef="call"><bpmn:escalationEventDefinition escalationRef="E2"/></bpmn:boundaryEvent>
      <bpmn:endEvent id="normal"/><bpmn:endEvent id="escalated"/>${chain('s', 'call', 'normal')}${flow('fc', 'caught', 'escalated')}`,
        `<bpmn:escalation id="E2" escalationCode="TO_LEADER"/>`,
      ),
    );
    const pi = await create('esc-parent');
    await ctx.te.isCompleted(pi);
    await ctx.te.hasPassedElement(pi, 'escalated');
    await ctx.te.hasNotPassedElement(pi, 'normal');
  });

  test('an uncaught escalation lets the flow continue (no incident)', async () => {
    await deploy(
      ctx.zbc,
      'esc-none.bpmn',
      bpmn(
        'esc-none',
        `<bpmn:startEvent id="s"/>
      <bpmn:intermediateThrowEvent id="raise"><bpmn:escalationEventDefinition escalationRef="N"/></bpmn:intermediateThrowEvent><bpmn:endEvent id="e"/>${chain('s', 'raise', 'e')}`,
        `<bpmn:escalation id="N" escalationCode="NOBODY"/>`,
      ),
    );
    const pi = await create('esc-none');
    await ctx.te.isCompleted(pi);
    expect(ctx.te.incidents(pi)).toHaveLength(0);
    const recs = await ctx.te.records({ processInstanceKey: pi, valueType: 'ESCALATION' });
    expect(recs.map((r) => r.intent)).toEqual(['NOT_ESCALATED']);
  });

  test('event subprocesses: non-interrupting timer runs beside the flow, interrupting message ends it', async () => {
    await deploy(
      ctx.zbc,
      'esps.bpmn',
      bpmn(
        'esps',
        `<bpmn:startEvent id="s"/>${serviceTask('handle', 'esps-handle')}<bpmn:endEvent id="e"/>${chain('s', 'handle', 'e')}
      <bpmn:subProcess id="remind" triggeredByEvent="true"><bpmn:startEvent id="rs" isInterrupting="false">${timer('timeCycle', 'R3/PT1H')}</bpmn:startEvent>${serviceTask('ping', 'esps-ping')}<bpmn:endEvent id="re"/>${chain('rs', 'ping', 're')}</bpmn:subProcess>
      <bpmn:subProcess id="withdraw" triggeredByEvent="true"><bpmn:startEvent id="ws"><bpmn:messageEventDefinition messageRef="wm"/></bpmn:startEvent><bpmn:endEvent id="we"/>${chain('ws', 'we')}</bpmn:subProcess>`,
        `<bpmn:message id="wm" name="withdrawn"><bpmn:extensionElements><zeebe:subscription correlationKey="=caseId"/></bpmn:extensionElements></bpmn:message>`,
      ),
    );
    const pi = await create('esps', { caseId: 'c-9' });
    await ctx.te.increaseTime(3600 * 1000);
    await ctx.te.increaseTime(3600 * 1000);
    expect(await jobsOf(ctx.te, ctx.zbc, 'esps-ping')).toHaveLength(2);
    await ctx.te.isWaitingAtElements(pi, ['handle']);
    await ctx.zbc.publishMessage({ name: 'withdrawn', correlationKey: 'c-9', variables: { by: 'reporter' } });
    await ctx.te.isCompleted(pi);
    await ctx.te.hasPassedElement(pi, 'we');
    await ctx.te.hasVariable(pi, 'by', 'reporter');
    expect(await jobsOf(ctx.te, ctx.zbc, 'esps-handle')).toHaveLength(0);
    await ctx.te.increaseTime(3600 * 1000);
    expect(await jobsOf(ctx.te, ctx.zbc, 'esps-ping')).toHaveLength(0);
  });

  test('signal and escalation event subprocesses', async () => {
    await deploy(
      ctx.zbc,
      'esp-sig.bpmn',
      bpmn(
        'esp-sig',
        `<bpmn:startEvent id="s"/>
      <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:intermediateThrowEvent id="up"><bpmn:escalationEventDefinition escalationRef="X"/></bpmn:intermediateThrowEvent>${serviceTask('inner', 'espx-inner')}<bpmn:endEvent id="se"/>${chain('ss', 'up', 'inner', 'se')}
        <bpmn:subProcess id="onEsc" triggeredByEvent="true"><bpmn:startEvent id="es" isInterrupting="false"><bpmn:escalationEventDefinition escalationRef="X"/></bpmn:startEvent>${serviceTask('note', 'espx-note')}<bpmn:endEvent id="ee"/>${chain('es', 'note', 'ee')}</bpmn:subProcess>
      </bpmn:subProcess><bpmn:endEvent id="e"/>${chain('s', 'sub', 'e')}
      <bpmn:subProcess id="onSig" triggeredByEvent="true"><bpmn:startEvent id="gs"><bpmn:signalEventDefinition signalRef="G"/></bpmn:startEvent><bpmn:endEvent id="ge"/>${chain('gs', 'ge')}</bpmn:subProcess>`,
        `<bpmn:escalation id="X" escalationCode="HEADS_UP"/><bpmn:signal id="G" name="close-all"/>`,
      ),
    );
    const pi = await create('esp-sig');
    await ctx.te.isWaitingAtElements(pi, ['inner', 'note'], true);
    await completeOne(ctx.te, ctx.zbc, 'espx-note');
    await ctx.zbc.broadcastSignal({ signalName: 'close-all', variables: {} });
    await ctx.te.isCompleted(pi);
    await ctx.te.hasPassedElement(pi, 'ge');
    expect(await jobsOf(ctx.te, ctx.zbc, 'espx-inner')).toHaveLength(0);
  });

  test('terminate end event inside a subprocess ends only the subprocess, which then completes', async () => {
    await deploy(
      ctx.zbc,
      'term-sub.bpmn',
      bpmn(
        'term-sub',
        `<bpmn:startEvent id="s"/>
      <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:parallelGateway id="fork"/>${serviceTask('slow', 'ts-slow')}<bpmn:endEvent id="kill"><bpmn:terminateEventDefinition/></bpmn:endEvent><bpmn:endEvent id="se"/>
        ${flow('a', 'ss', 'fork')}${flow('b', 'fork', 'slow')}${flow('c', 'fork', 'kill')}${flow('d', 'slow', 'se')}</bpmn:subProcess>
      ${serviceTask('after', 'ts-after')}<bpmn:endEvent id="e"/>${chain('s', 'sub', 'after', 'e')}`,
      ),
    );
    const pi = await create('term-sub');
    await ctx.te.isWaitingAtElements(pi, ['after'], true);
    expect(await jobsOf(ctx.te, ctx.zbc, 'ts-slow')).toHaveLength(0);
    await completeOne(ctx.te, ctx.zbc, 'ts-after');
    await ctx.te.isCompleted(pi);
  });
});
