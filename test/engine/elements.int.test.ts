import { bpmn, chain, completeOne, deploy, engineForTest, flow, jobsOf, serviceTask } from './helpers';

/** Element behaviours driven only through the @camunda8/sdk client against the embedded engine. */
describe('BPMN elements (SDK-driven)', () => {
  let ctx: Awaited<ReturnType<typeof engineForTest>>;
  beforeAll(async () => {
    ctx = await engineForTest();
  });
  afterAll(() => ctx.stop());
  const create = async (id: string, variables: Record<string, any> = {}) =>
    (await ctx.zbc.createProcessInstance({ bpmnProcessId: id, variables })).processInstanceKey;

  test('exclusive gateway takes the first true condition, else the default flow', async () => {
    // given
    await deploy(
      ctx.zbc,
      'xor.bpmn',
      bpmn(
        'xor',
        `
      <bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="gw" default="fDefault"/>
      <bpmn:endEvent id="big"/><bpmn:endEvent id="small"/>
      ${flow('f0', 's', 'gw')}${flow('fBig', 'gw', 'big', '=amount > 100')}${flow('fDefault', 'gw', 'small')}`,
      ),
    );
    // when
    const a = await create('xor', { amount: 500 });
    const b = await create('xor', { amount: 5 });
    // then
    await ctx.te.hasPassedElement(a, 'big');
    await ctx.te.hasPassedElement(b, 'small');
    await ctx.te.isCompleted(a);
    await ctx.te.isCompleted(b);
  });

  test('exclusive gateway without a match raises CONDITION_ERROR; resolving after SetVariables continues', async () => {
    await deploy(
      ctx.zbc,
      'xor2.bpmn',
      bpmn(
        'xor2',
        `
      <bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="gw"/><bpmn:endEvent id="e"/>
      ${flow('f0', 's', 'gw')}${flow('f1', 'gw', 'e', '=ok = true')}`,
      ),
    );
    const pi = await create('xor2', { ok: false });
    const incident = await ctx.te.hasIncident(pi, 'CONDITION_ERROR', 'gw');
    expect(incident.errorMessage).toBe(
      'Expected at least one condition to evaluate to true, or to have a default flow',
    );
    // when
    await ctx.zbc.setVariables({ elementInstanceKey: pi, variables: { ok: true }, local: false });
    await ctx.zbc.resolveIncident({ incidentKey: incident.key });
    // then
    await ctx.te.isCompleted(pi);
    expect(ctx.te.incidents(pi)).toHaveLength(0);
  });

  test('parallel gateway forks and joins; job variables propagate to the root', async () => {
    await deploy(
      ctx.zbc,
      'par.bpmn',
      bpmn(
        'par',
        `
      <bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>
      ${serviceTask('a', 'par-a')}${serviceTask('b', 'par-b')}<bpmn:endEvent id="e"/>
      ${flow('f0', 's', 'fork')}${flow('f1', 'fork', 'a')}${flow('f2', 'fork', 'b')}${flow('f3', 'a', 'join')}${flow('f4', 'b', 'join')}${flow('f5', 'join', 'e')}`,
      ),
    );
    const pi = await create('par');
    await ctx.te.isWaitingAtElements(pi, ['a', 'b'], true);
    await completeOne(ctx.te, ctx.zbc, 'par-a', { fromA: 1 });
    await ctx.te.isWaitingAtElements(pi, ['b'], true);
    await completeOne(ctx.te, ctx.zbc, 'par-b', { fromB: 2 });
    await ctx.te.isCompleted(pi);
    await ctx.te.hasPassedElement(pi, 'join', 1);
    await ctx.te.hasVariable(pi, 'fromA', 1);
    await ctx.te.hasVariable(pi, 'fromB', 2);
  });

  test('inclusive gateway forks on every true condition and joins only the taken paths', async () => {
    await deploy(
      ctx.zbc,
      'or.bpmn',
      bpmn(
        'or',
        `
      <bpmn:startEvent id="s"/><bpmn:inclusiveGateway id="fork"/><bpmn:inclusiveGateway id="join"/>
      ${serviceTask('a', 'or-a')}${serviceTask('b', 'or-b')}${serviceTask('c', 'or-c')}<bpmn:endEvent id="e"/>
      ${flow('f0', 's', 'fork')}${flow('fa', 'fork', 'a', '=x > 0')}${flow('fb', 'fork', 'b', '=x > 10')}${flow('fc', 'fork', 'c', '=x > 100')}
      ${flow('ja', 'a', 'join')}${flow('jb', 'b', 'join')}${flow('jc', 'c', 'join')}${flow('fe', 'join', 'e')}`,
      ),
    );
    const pi = await create('or', { x: 50 });
    await ctx.te.isWaitingAtElements(pi, ['a', 'b'], true);
    await completeOne(ctx.te, ctx.zbc, 'or-a');
    await ctx.te.isActive(pi);
    await completeOne(ctx.te, ctx.zbc, 'or-b');
    await ctx.te.isCompleted(pi);
    await ctx.te.hasPassedElement(pi, 'join', 1);
  });

  test('input and output mappings: locals stay local, only mapped outputs reach the process', async () => {
    await deploy(
      ctx.zbc,
      'io.bpmn',
      bpmn(
        'io',
        `
      <bpmn:startEvent id="s"/>
      ${serviceTask('t', 'io-t', `<zeebe:ioMapping><zeebe:input source="=order.amount * 2" target="doubled"/><zeebe:input source="static" target="meta.kind"/><zeebe:output source="=result + 1" target="total"/></zeebe:ioMapping>`)}
      <bpmn:endEvent id="e"/>${chain('s', 't', 'e')}`,
      ),
    );
    const pi = await create('io', { order: { amount: 21 } });
    const job = await completeOne(ctx.te, ctx.zbc, 'io-t', { result: 41, noise: true });
    expect(job.variables).toMatchObject({ doubled: 42, meta: { kind: 'static' }, order: { amount: 21 } });
    await ctx.te.isCompleted(pi);
    await ctx.te.hasVariable(pi, 'total', 42);
    expect(await ctx.te.variable(pi, 'noise')).toBeUndefined();
    expect(await ctx.te.variable(pi, 'doubled')).toBeUndefined();
  });

  test('FEEL script task writes its result variable; now() reads the engine clock', async () => {
    await deploy(
      ctx.zbc,
      'script.bpmn',
      bpmn(
        'script',
        `
      <bpmn:startEvent id="s"/>
      <bpmn:scriptTask id="calc"><bpmn:extensionElements><zeebe:script expression="=string(a + b) + &quot;@&quot; + string(now())" resultVariable="out"/></bpmn:extensionElements></bpmn:scriptTask>
      <bpmn:endEvent id="e"/>${chain('s', 'calc', 'e')}`,
      ),
    );
    ctx.te.clock.freeze(Date.UTC(2026, 0, 1, 8, 0, 0));
    const pi = await create('script', { a: 1, b: 2 });
    await ctx.te.isCompleted(pi);
    expect(await ctx.te.variable(pi, 'out')).toMatch(/^3@2026-01-01T08:00:00(\.000)?(Z|@UTC)$/);
  });

  test('timer catch waits on the engine clock', async () => {
    await deploy(
      ctx.zbc,
      'timer.bpmn',
      bpmn(
        'timer',
        `
      <bpmn:startEvent id="s"/>
      <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
      <bpmn:endEvent id="e"/>${chain('s', 'wait', 'e')}`,
      ),
    );
    const pi = await create('timer');
    await ctx.te.isWaitingAtElements(pi, ['wait']);
    await ctx.te.increaseTime(59 * 60 * 1000);
    await ctx.te.isActive(pi);
    await ctx.te.increaseTime(60 * 1000);
    await ctx.te.isCompleted(pi);
  });

  test('interrupting timer boundary cancels the job; non-interrupting cycle fires repeatedly', async () => {
    await deploy(
      ctx.zbc,
      'boundary.bpmn',
      bpmn(
        'boundary',
        `
      <bpmn:startEvent id="s"/>${serviceTask('work', 'bt-work')}
      <bpmn:boundaryEvent id="remind" attachedToRef="work" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT10M</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
      <bpmn:boundaryEvent id="late" attachedToRef="work"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
      ${serviceTask('notify', 'bt-notify')}<bpmn:endEvent id="remindEnd"/><bpmn:endEvent id="lateEnd"/><bpmn:endEvent id="e"/>
      ${chain('s', 'work', 'e')}${flow('r1', 'remind', 'notify')}${flow('r2', 'notify', 'remindEnd')}${flow('l1', 'late', 'lateEnd')}`,
      ),
    );
    const pi = await create('boundary');
    await ctx.te.isWaitingAtElements(pi, ['work']);
    await ctx.te.increaseTime(10 * 60 * 1000);
    await ctx.te.increaseTime(10 * 60 * 1000);
    await ctx.te.increaseTime(10 * 60 * 1000);
    expect(await jobsOf(ctx.te, ctx.zbc, 'bt-notify')).toHaveLength(2); // R2: exactly two reminders
    await ctx.te.increaseTime(30 * 60 * 1000);
    await ctx.te.hasPassedElement(pi, 'lateEnd');
    expect(await jobsOf(ctx.te, ctx.zbc, 'bt-work')).toHaveLength(0);
  });

  test('message catch correlates by key; a buffered message is taken when the subscription opens', async () => {
    await deploy(
      ctx.zbc,
      'msg.bpmn',
      bpmn(
        'msg',
        `
      <bpmn:startEvent id="s"/>${serviceTask('before', 'msg-before')}
      <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m1"/></bpmn:intermediateCatchEvent>
      <bpmn:endEvent id="e"/>${chain('s', 'before', 'wait', 'e')}`,
        `<bpmn:message id="m1" name="approved"><bpmn:extensionElements><zeebe:subscription correlationKey="=caseId"/></bpmn:extensionElements></bpmn:message>`,
      ),
    );
    const a = await create('msg', { caseId: 'A-1' });
    const b = await create('msg', { caseId: 'B-2' });
    await ctx.zbc.publishMessage({
      name: 'approved',
      correlationKey: 'B-2',
      timeToLive: 60_000,
      variables: { by: 'buffer' },
    });
    await completeOne(ctx.te, ctx.zbc, 'msg-before');
    await completeOne(ctx.te, ctx.zbc, 'msg-before');
    await ctx.te.isCompleted(b);
    await ctx.te.hasVariable(b, 'by', 'buffer');
    await ctx.te.isWaitingAtElements(a, ['wait']);
    await ctx.zbc.publishMessage({ name: 'approved', correlationKey: 'A-1', timeToLive: 0, variables: { by: 'live' } });
    await ctx.te.isCompleted(a);
    await ctx.te.hasVariable(a, 'by', 'live');
  });

  test('ThrowError is caught by an error boundary with the payload; uncaught raises UNHANDLED_ERROR_EVENT', async () => {
    await deploy(
      ctx.zbc,
      'err.bpmn',
      bpmn(
        'err',
        `
      <bpmn:startEvent id="s"/>${serviceTask('check', 'err-check')}
      <bpmn:boundaryEvent id="rejected" attachedToRef="check"><bpmn:errorEventDefinition errorRef="E1"/></bpmn:boundaryEvent>
      <bpmn:endEvent id="ok"/><bpmn:endEvent id="no"/>${chain('s', 'check', 'ok')}${flow('fr', 'rejected', 'no')}`,
        `<bpmn:error id="E1" name="rejected" errorCode="REJECTED"/>`,
      ),
    );
    const pi = await create('err');
    const [job] = await jobsOf(ctx.te, ctx.zbc, 'err-check');
    await ctx.zbc.throwError({
      jobKey: job.key,
      errorCode: 'REJECTED',
      errorMessage: 'bad',
      variables: { reason: 'duplicate' },
    });
    await ctx.te.hasPassedElement(pi, 'no');
    await ctx.te.hasVariable(pi, 'reason', 'duplicate');
    const pi2 = await create('err');
    const [job2] = await jobsOf(ctx.te, ctx.zbc, 'err-check');
    await ctx.zbc.throwError({ jobKey: job2.key, errorCode: 'OTHER', errorMessage: 'boom' });
    const incident = await ctx.te.hasIncident(pi2, 'UNHANDLED_ERROR_EVENT', 'check');
    expect(incident.errorMessage).toBe(
      "Expected to throw an error event with the code 'OTHER' with message 'boom', but it was not caught. Available error events are [REJECTED]",
    );
  });

  test('error end event in a subprocess is caught by an interrupting error event subprocess', async () => {
    await deploy(
      ctx.zbc,
      'esp.bpmn',
      bpmn(
        'esp',
        `
      <bpmn:startEvent id="s"/>
      <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="E2"/></bpmn:endEvent>${flow('sf', 'ss', 'fail')}</bpmn:subProcess>
      <bpmn:endEvent id="e"/>
      <bpmn:subProcess id="handler" triggeredByEvent="true"><bpmn:startEvent id="hs"><bpmn:errorEventDefinition errorRef="E2"/></bpmn:startEvent>${serviceTask('compensate', 'esp-fix')}<bpmn:endEvent id="he"/>${chain('hs', 'compensate', 'he')}</bpmn:subProcess>
      ${chain('s', 'sub', 'e')}`,
        `<bpmn:error id="E2" errorCode="FAILED"/>`,
      ),
    );
    const pi = await create('esp');
    await ctx.te.isWaitingAtElements(pi, ['compensate']);
    await completeOne(ctx.te, ctx.zbc, 'esp-fix');
    await ctx.te.isCompleted(pi);
    await ctx.te.hasNotPassedElement(pi, 'e');
  });

  test('call activity passes variables both ways and completes with the child', async () => {
    await deploy(
      ctx.zbc,
      'child.bpmn',
      bpmn(
        'child',
        `<bpmn:startEvent id="cs"/>${serviceTask('ct', 'child-work')}<bpmn:endEvent id="ce"/>${chain('cs', 'ct', 'ce')}`,
      ),
    );
    await deploy(
      ctx.zbc,
      'parent.bpmn',
      bpmn(
        'parent',
        `
      <bpmn:startEvent id="s"/><bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="child" propagateAllChildVariables="true"/></bpmn:extensionElements></bpmn:callActivity>
      <bpmn:endEvent id="e"/>${chain('s', 'call', 'e')}`,
      ),
    );
    const pi = await create('parent', { input: 'x' });
    const job = await completeOne(ctx.te, ctx.zbc, 'child-work', { output: 'y' });
    expect(job.variables).toMatchObject({ input: 'x' });
    expect(job.bpmnProcessId).toBe('child');
    await ctx.te.isCompleted(pi);
    await ctx.te.hasVariable(pi, 'output', 'y');
  });

  test('parallel multi-instance collects outputs in input order; completion condition stops early', async () => {
    await deploy(
      ctx.zbc,
      'mi.bpmn',
      bpmn(
        'mi',
        `
      <bpmn:startEvent id="s"/>
      ${serviceTask('each', 'mi-each', '', '').replace('</bpmn:serviceTask>', '<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="results" outputElement="=done"/></bpmn:extensionElements><bpmn:completionCondition>=numberOfCompletedInstances &gt;= stopAfter</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>')}
      <bpmn:endEvent id="e"/>${chain('s', 'each', 'e')}`,
      ),
    );
    const pi = await create('mi', { items: ['a', 'b', 'c'], stopAfter: 3 });
    const jobs = await jobsOf(ctx.te, ctx.zbc, 'mi-each');
    expect(jobs.map((j) => j.variables.item).sort()).toEqual(['a', 'b', 'c']);
    for (const j of [...jobs].reverse())
      await ctx.zbc.completeJob({ jobKey: j.key, variables: { done: `${j.variables.item}!` } });
    await ctx.te.isCompleted(pi);
    await ctx.te.hasVariable(pi, 'results', ['a!', 'b!', 'c!']);
    const pi2 = await create('mi', { items: [1, 2, 3], stopAfter: 1 });
    const [first] = await jobsOf(ctx.te, ctx.zbc, 'mi-each', 1);
    await ctx.zbc.completeJob({ jobKey: first.key, variables: { done: 1 } });
    await ctx.te.isCompleted(pi2);
    expect(await jobsOf(ctx.te, ctx.zbc, 'mi-each')).toHaveLength(0);
  });

  test('sequential multi-instance runs one item at a time with loopCounter', async () => {
    await deploy(
      ctx.zbc,
      'seq.bpmn',
      bpmn(
        'seq',
        `
      <bpmn:startEvent id="s"/>
      ${serviceTask('each', 'seq-each').replace('</bpmn:serviceTask>', '<bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[10, 20]" inputElement="v"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>')}
      <bpmn:endEvent id="e"/>${chain('s', 'each', 'e')}`,
      ),
    );
    const pi = await create('seq');
    const first = await jobsOf(ctx.te, ctx.zbc, 'seq-each');
    expect(first.map((j) => [j.variables.v, j.variables.loopCounter])).toEqual([[10, 1]]);
    await ctx.zbc.completeJob({ jobKey: first[0].key, variables: {} });
    const second = await jobsOf(ctx.te, ctx.zbc, 'seq-each');
    expect(second.map((j) => [j.variables.v, j.variables.loopCounter])).toEqual([[20, 2]]);
    await ctx.zbc.completeJob({ jobKey: second[0].key, variables: {} });
    await ctx.te.isCompleted(pi);
  });

  test('event-based gateway: the first event wins and the other subscription is closed', async () => {
    await deploy(
      ctx.zbc,
      'ebg.bpmn',
      bpmn(
        'ebg',
        `
      <bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="gw"/>
      <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="mp"/></bpmn:intermediateCatchEvent>
      <bpmn:intermediateCatchEvent id="timeout"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
      <bpmn:endEvent id="paidEnd"/><bpmn:endEvent id="timeoutEnd"/>
      ${flow('f0', 's', 'gw')}${flow('f1', 'gw', 'paid')}${flow('f2', 'gw', 'timeout')}${flow('f3', 'paid', 'paidEnd')}${flow('f4', 'timeout', 'timeoutEnd')}`,
        `<bpmn:message id="mp" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>`,
      ),
    );
    const a = await create('ebg', { orderId: 'o1' });
    const b = await create('ebg', { orderId: 'o2' });
    await ctx.te.waitForIdle();
    await ctx.zbc.publishMessage({ name: 'paid', correlationKey: 'o1', variables: { amount: 3 } });
    await ctx.te.hasPassedElement(a, 'paidEnd');
    await ctx.te.hasVariable(a, 'amount', 3);
    await ctx.te.increaseTime(24 * 3600 * 1000);
    await ctx.te.hasPassedElement(b, 'timeoutEnd');
    await ctx.te.hasNotPassedElement(a, 'timeoutEnd');
  });

  test('job-worker user task carries the reserved headers and the form key', async () => {
    await deploy(
      ctx.zbc,
      'ut.bpmn',
      bpmn(
        'ut',
        `
      <bpmn:extensionElements><zeebe:userTaskForm id="f1">{"components":[]}</zeebe:userTaskForm></bpmn:extensionElements>
      <bpmn:startEvent id="s"/>
      <bpmn:userTask id="review"><bpmn:extensionElements>
        <zeebe:assignmentDefinition assignee="=owner" candidateGroups="housing, market"/>
        <zeebe:taskSchedule dueDate="=dueAt"/><zeebe:formDefinition formKey="camunda-forms:bpmn:f1"/>
        <zeebe:taskHeaders><zeebe:header key="slaHours" value="24"/></zeebe:taskHeaders>
      </bpmn:extensionElements></bpmn:userTask>
      <bpmn:endEvent id="e"/>${chain('s', 'review', 'e')}`,
      ),
    );
    const pi = await create('ut', { owner: 'clerk.housing', dueAt: '2026-12-01T09:00:00+08:00' });
    const [job] = await jobsOf(ctx.te, ctx.zbc, 'io.camunda.zeebe:userTask');
    expect(job.retries).toBe(1);
    expect(job.customHeaders).toEqual({
      'io.camunda.zeebe:assignee': 'clerk.housing',
      'io.camunda.zeebe:candidateGroups': '["housing","market"]',
      'io.camunda.zeebe:dueDate': '2026-12-01T09:00:00+08:00',
      'io.camunda.zeebe:formKey': 'camunda-forms:bpmn:f1',
      slaHours: '24',
    });
    await ctx.zbc.completeJob({ jobKey: job.key, variables: { approved: true } });
    await ctx.te.isCompleted(pi);
  });

  test('signals: a catch event and a signal start event are triggered by BroadcastSignal', async () => {
    await deploy(
      ctx.zbc,
      'sig.bpmn',
      bpmn(
        'sig',
        `
      <bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:signalEventDefinition signalRef="sg"/></bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>${chain('s', 'wait', 'e')}`,
        `<bpmn:signal id="sg" name="alarm"/>`,
      ),
    );
    await deploy(
      ctx.zbc,
      'sigstart.bpmn',
      bpmn(
        'sigstart',
        `
      <bpmn:startEvent id="ss"><bpmn:signalEventDefinition signalRef="sg2"/></bpmn:startEvent>${serviceTask('react', 'sig-react')}<bpmn:endEvent id="se"/>${chain('ss', 'react', 'se')}`,
        `<bpmn:signal id="sg2" name="alarm"/>`,
      ),
    );
    const pi = await create('sig');
    await ctx.te.isWaitingAtElements(pi, ['wait']);
    await ctx.zbc.broadcastSignal({ signalName: 'alarm', variables: { level: 2 } });
    await ctx.te.isCompleted(pi);
    const job = await completeOne(ctx.te, ctx.zbc, 'sig-react');
    expect(job.variables).toMatchObject({ level: 2 });
  });

  test('escalation from a subprocess: non-interrupting boundary continues both paths', async () => {
    await deploy(
      ctx.zbc,
      'esc.bpmn',
      bpmn(
        'esc',
        `
      <bpmn:startEvent id="s"/>
      <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:intermediateThrowEvent id="raise"><bpmn:escalationEventDefinition escalationRef="X"/></bpmn:intermediateThrowEvent>${serviceTask('inner', 'esc-inner')}<bpmn:endEvent id="se"/>${chain('ss', 'raise', 'inner', 'se')}</bpmn:subProcess>
      <bpmn:boundaryEvent id="escalated" attachedToRef="sub" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="X"/></bpmn:boundaryEvent>
      ${serviceTask('supervise', 'esc-supervise')}<bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>
      ${chain('s', 'sub', 'e')}${flow('fx', 'escalated', 'supervise')}${flow('fy', 'supervise', 'e2')}`,
        `<bpmn:escalation id="X" escalationCode="OVERDUE"/>`,
      ),
    );
    const pi = await create('esc');
    await ctx.te.isWaitingAtElements(pi, ['inner', 'supervise'], true);
    await completeOne(ctx.te, ctx.zbc, 'esc-supervise');
    await completeOne(ctx.te, ctx.zbc, 'esc-inner');
    await ctx.te.isCompleted(pi);
  });

  test('terminate end event ends the other branches; link events jump', async () => {
    await deploy(
      ctx.zbc,
      'term.bpmn',
      bpmn(
        'term',
        `
      <bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>${serviceTask('slow', 'term-slow')}
      <bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateThrowEvent>
      <bpmn:intermediateCatchEvent id="landed"><bpmn:linkEventDefinition name="L"/></bpmn:intermediateCatchEvent>
      <bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent><bpmn:endEvent id="e"/>
      ${flow('f0', 's', 'fork')}${flow('f1', 'fork', 'slow')}${flow('f2', 'fork', 'go')}${flow('f3', 'landed', 'stop')}${flow('f4', 'slow', 'e')}`,
      ),
    );
    const pi = await create('term');
    await ctx.te.isCompleted(pi);
    await ctx.te.hasPassedElement(pi, 'landed');
    expect(await jobsOf(ctx.te, ctx.zbc, 'term-slow')).toHaveLength(0);
  });

  test('deploy rejects unsupported elements and bad FEEL, naming the element', async () => {
    await expect(
      deploy(
        ctx.zbc,
        'bad.bpmn',
        bpmn('bad', `<bpmn:startEvent id="s"/><bpmn:complexGateway id="cg"/>${flow('f', 's', 'cg')}`),
      ),
    ).rejects.toThrow(/Element: cg[\s\S]*not supported/);
    await expect(
      deploy(
        ctx.zbc,
        'bad2.bpmn',
        bpmn(
          'bad2',
          `<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/><bpmn:endEvent id="e"/>${flow('f', 's', 'g')}${flow('f2', 'g', 'e', '=a +* )')}`,
        ),
      ),
    ).rejects.toThrow(/Element: f2[\s\S]*FEEL/);
  });
});

describe('large job batches', () => {
  test('jobs whose variables exceed the 4 MiB message limit together arrive in several stream messages', async () => {
    // given 12 instances with ~500 KiB of variables each (6 MiB in one activation)
    const ctx = await engineForTest();
    try {
      await deploy(
        ctx.zbc,
        'big.bpmn',
        bpmn(
          'big',
          `<bpmn:startEvent id="s"/>${serviceTask('t', 'big-work')}<bpmn:endEvent id="e"/>${chain('s', 't', 'e')}`,
        ),
      );
      const blob = 'x'.repeat(500 * 1024);
      for (let i = 0; i < 12; i++)
        await ctx.zbc.createProcessInstance({ bpmnProcessId: 'big', variables: { i, blob } });
      // when one request activates all of them
      const jobs = await jobsOf(ctx.te, ctx.zbc, 'big-work', 12);
      // then all arrive intact (the SDK would fail on a single 6 MiB message)
      expect(jobs.map((j) => Number(j.variables.i)).sort((a, b) => a - b)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
      ]);
      expect(jobs.every((j) => String(j.variables.blob).length === blob.length)).toBe(true);
    } finally {
      await ctx.stop();
    }
  });
});
