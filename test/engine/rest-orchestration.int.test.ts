/**
 * The Camunda 8.8 REST API (`/v2`) of the embedded engine, driven by
 * `@camunda8/orchestration-cluster-api` 8.8 unmodified, with its response validation strict (every
 * answer must match Camunda's own 8.8 schema), and by plain fetch for the problem+json contract.
 */
import createCamundaClient from '@camunda8/orchestration-cluster-api';
import { startTestEngine, type TestEngine } from '../../engine/testing';
import { createTestDb, type TestDb } from '../helpers/db';
import { bpmn, chain, serviceTask } from './helpers';

type Client = ReturnType<typeof createCamundaClient>;

const taskXml = bpmn(
  'oc-task',
  `<bpmn:startEvent id="s"/>${serviceTask('work', 'oc-work')}<bpmn:endEvent id="e"/>${chain('s', 'work', 'e')}`,
);
const errorXml = bpmn(
  'oc-error',
  `<bpmn:startEvent id="s"/>${serviceTask('check', 'oc-check')}<bpmn:boundaryEvent id="rejected" attachedToRef="check"><bpmn:errorEventDefinition errorRef="err"/></bpmn:boundaryEvent><bpmn:endEvent id="ok"/><bpmn:endEvent id="no"/>${chain('s', 'check', 'ok')}${chain('rejected', 'no')}`,
  `<bpmn:error id="err" errorCode="REJECTED"/>`,
);
const signalXml = bpmn(
  'oc-signal',
  `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="go"><bpmn:signalEventDefinition signalRef="sig"/></bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>${chain('s', 'go', 'e')}`,
  `<bpmn:signal id="sig" name="oc-go"/>`,
);
const timerXml = bpmn(
  'oc-timer',
  `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>${chain('s', 'wait', 'e')}`,
);

const file = (name: string, xml: string) => new File([xml], name, { type: 'application/xml' });
const noWait = { consistency: { waitUpToMs: 0 } };

describe('REST API v2 with @camunda8/orchestration-cluster-api', () => {
  let te: TestEngine;
  let testDb: TestDb;
  let camunda: Client;
  let v2: string;

  beforeAll(async () => {
    testDb = await createTestDb();
    te = await startTestEngine({ db: testDb.db, rest: true });
    v2 = `${te.restAddress}/v2`;
    camunda = createCamundaClient({
      config: {
        CAMUNDA_REST_ADDRESS: te.restAddress,
        CAMUNDA_AUTH_STRATEGY: 'NONE',
        // Responses are checked strictly against Camunda's schema. Requests are not: the client's
        // request check parses `page: { after, limit }` as offset paging and drops the cursor.
        CAMUNDA_SDK_VALIDATION: 'req:none,res:strict',
        CAMUNDA_SDK_LOG_LEVEL: 'silent',
      } as any,
    });
    await camunda.createDeployment({
      resources: [
        file('task.bpmn', taskXml),
        file('error.bpmn', errorXml),
        file('signal.bpmn', signalXml),
        file('timer.bpmn', timerXml),
      ],
    });
  });
  afterAll(async () => {
    await te.stop();
    await testDb.destroy();
  });

  test('creates with awaitCompletion while a job is activated, completed and its variables returned', async () => {
    // given
    const waiting = camunda.createProcessInstance({
      processDefinitionId: 'oc-task',
      variables: { order: 'A-1' },
      awaitCompletion: true,
      requestTimeout: 20_000,
    } as any);

    // when
    const { jobs } = await camunda.activateJobs({
      type: 'oc-work',
      worker: 'oc',
      maxJobsToActivate: 1,
      timeout: 30_000,
      requestTimeout: 10_000,
    } as any);
    await camunda.completeJob({ jobKey: jobs[0].jobKey, variables: { done: true } } as any);

    // then
    const result = await waiting;
    expect(result.variables).toEqual({ order: 'A-1', done: true });
    expect(jobs[0].variables).toEqual({ order: 'A-1' });
    const pi = await camunda.getProcessInstance({ processInstanceKey: result.processInstanceKey } as any, noWait);
    expect(pi).toMatchObject({ state: 'COMPLETED', processDefinitionId: 'oc-task', hasIncident: false });
  });

  test('a thrown job error is caught by its boundary event; element instances and variables are searchable', async () => {
    // given
    const created = await camunda.createProcessInstance({
      processDefinitionId: 'oc-error',
      variables: { n: 1 },
    } as any);
    const { jobs } = await camunda.activateJobs({
      type: 'oc-check',
      worker: 'oc',
      maxJobsToActivate: 1,
      timeout: 30_000,
    } as any);

    // when
    await camunda.throwJobError({ jobKey: jobs[0].jobKey, errorCode: 'REJECTED', variables: { why: 'x' } } as any);
    await te.isCompleted(created.processInstanceKey);

    // then
    const elements = await camunda.searchElementInstances(
      { filter: { processInstanceKey: created.processInstanceKey }, sort: [{ field: 'elementInstanceKey' }] } as any,
      noWait,
    );
    expect(elements.items!.map((e: any) => [e.elementId, e.state])).toEqual([
      ['oc-error', 'COMPLETED'],
      ['s', 'COMPLETED'],
      ['check', 'TERMINATED'],
      ['rejected', 'COMPLETED'],
      ['no', 'COMPLETED'],
    ]);
    const vars = await camunda.searchVariables(
      { filter: { processInstanceKey: created.processInstanceKey, name: 'n' } } as any,
      noWait,
    );
    expect(vars.items.map((v: any) => [v.name, v.value])).toEqual([['n', '1']]);
  });

  test('incidents: a failed job without retries is an incident, resolved after updating the retries', async () => {
    // given
    const created = await camunda.createProcessInstance({ processDefinitionId: 'oc-task' } as any);
    const { jobs } = await camunda.activateJobs({
      type: 'oc-work',
      worker: 'oc',
      maxJobsToActivate: 1,
      timeout: 30_000,
    } as any);
    await camunda.failJob({ jobKey: jobs[0].jobKey, retries: 0, errorMessage: 'boom' } as any);
    await te.hasIncident(created.processInstanceKey, 'JOB_NO_RETRIES');
    const found = await camunda.searchIncidents(
      { filter: { processInstanceKey: created.processInstanceKey, state: 'ACTIVE' } } as any,
      noWait,
    );
    expect(found.items).toHaveLength(1);
    expect(found.items![0]).toMatchObject({
      errorType: 'JOB_NO_RETRIES',
      errorMessage: 'boom',
      jobKey: jobs[0].jobKey,
    });
    const pi = await camunda.getProcessInstance({ processInstanceKey: created.processInstanceKey } as any, noWait);
    expect(pi.hasIncident).toBe(true);

    // when
    await camunda.updateJob({ jobKey: jobs[0].jobKey, changeset: { retries: 2 } } as any);
    await camunda.resolveIncident({ incidentKey: found.items![0].incidentKey } as any);

    // then
    const again = await camunda.activateJobs({
      type: 'oc-work',
      worker: 'oc',
      maxJobsToActivate: 1,
      timeout: 30_000,
    } as any);
    expect(again.jobs[0]).toMatchObject({ jobKey: jobs[0].jobKey, retries: 2 });
    const resolved = await camunda.searchIncidents(
      { filter: { incidentKey: found.items![0].incidentKey } } as any,
      noWait,
    );
    expect(resolved.items![0].state).toBe('RESOLVED');
    await camunda.completeJob({ jobKey: again.jobs[0].jobKey } as any);
    await te.isCompleted(created.processInstanceKey);
  });

  test('signals are broadcast; a cancelled instance is TERMINATED', async () => {
    // given
    const a = await camunda.createProcessInstance({ processDefinitionId: 'oc-signal' } as any);
    const b = await camunda.createProcessInstance({ processDefinitionId: 'oc-task' } as any);
    await te.isWaitingAtElements(a.processInstanceKey, ['go']);

    // when
    const signal = await camunda.broadcastSignal({ signalName: 'oc-go' } as any);
    await camunda.cancelProcessInstance({ processInstanceKey: b.processInstanceKey } as any);

    // then
    expect(typeof signal.signalKey).toBe('string');
    await te.isCompleted(a.processInstanceKey);
    await te.isTerminated(b.processInstanceKey);
    const pi = await camunda.getProcessInstance({ processInstanceKey: b.processInstanceKey } as any, noWait);
    expect(pi.state).toBe('TERMINATED');
  });

  test('the clock is pinned and reset over REST; timers fire on the pinned clock', async () => {
    // given
    const created = await camunda.createProcessInstance({ processDefinitionId: 'oc-timer' } as any);
    await te.isWaitingAtElements(created.processInstanceKey, ['wait']);

    // when
    const pinned = te.now() + 2 * 3600 * 1000;
    await camunda.pinClock({ timestamp: pinned } as any);

    // then
    await te.isCompleted(created.processInstanceKey);
    expect(te.now()).toBe(pinned);
    await camunda.resetClock();
    expect(Math.abs(te.now() - Date.now())).toBeLessThan(1000);
  });

  test('search pages by offset and by cursor, sorted either way', async () => {
    // given: the process definitions deployed in beforeAll
    const all = await camunda.searchProcessDefinitions(
      { sort: [{ field: 'processDefinitionId', order: 'DESC' }] } as any,
      noWait,
    );
    const ids = all.items!.map((d: any) => d.processDefinitionId);
    expect(ids).toEqual(['oc-timer', 'oc-task', 'oc-signal', 'oc-error']);

    // when
    const byOffset = await camunda.searchProcessDefinitions(
      { sort: [{ field: 'processDefinitionId', order: 'DESC' }], page: { from: 1, limit: 2 } } as any,
      noWait,
    );
    const last = await camunda.searchProcessDefinitions(
      {
        sort: [{ field: 'processDefinitionId', order: 'DESC' }],
        page: { limit: 2, after: byOffset.page.endCursor },
      } as any,
      noWait,
    );
    const before = await camunda.searchProcessDefinitions(
      {
        sort: [{ field: 'processDefinitionId', order: 'DESC' }],
        page: { limit: 1, before: byOffset.page.startCursor },
      } as any,
      noWait,
    );
    const like = await camunda.searchProcessDefinitions(
      { filter: { processDefinitionId: { $like: 'oc-t*' } } } as any,
      noWait,
    );

    // then
    expect(byOffset.items!.map((d: any) => d.processDefinitionId)).toEqual(['oc-task', 'oc-signal']);
    expect(Number(byOffset.page.totalItems)).toBe(4); // the client reads totalItems as a bigint
    expect(last.items!.map((d: any) => d.processDefinitionId)).toEqual(['oc-error']);
    expect(before.items!.map((d: any) => d.processDefinitionId)).toEqual(['oc-timer']);
    expect(like.items!.map((d: any) => d.processDefinitionId).sort()).toEqual(['oc-task', 'oc-timer']);
  });

  test('bad input gets application/problem+json with a precise detail', async () => {
    // when
    const badJson = await fetch(`${v2}/process-instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"processDefinitionId":',
    });
    const noProcess = await fetch(`${v2}/process-instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ variables: { a: 1 } }),
    });
    const wrongType = await fetch(`${v2}/jobs/activation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'x', timeout: 'soon', maxJobsToActivate: 1 }),
    });
    const badKey = await fetch(`${v2}/process-instances/not-a-key`);
    const unknown = await fetch(`${v2}/process-instances/2251799813685249`);
    const badSort = await fetch(`${v2}/process-instances/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sort: [{ field: 'colour' }] }),
    });

    // then
    for (const r of [badJson, noProcess, wrongType, badKey, badSort]) {
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await noProcess.json()).toEqual({
      type: 'about:blank',
      title: 'INVALID_ARGUMENT',
      status: 400,
      detail: 'At least one of [processDefinitionId, processDefinitionKey] is required',
      instance: '/v2/process-instances',
    });
    expect(((await wrongType.json()) as { detail: string }).detail).toContain('timeout');
    expect(((await badKey.json()) as { detail: string }).detail).toBe(
      "The provided processInstanceKey 'not-a-key' is not a valid key",
    );
    expect(((await badSort.json()) as { detail: string }).detail).toContain('sort.0.field');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ title: 'NOT_FOUND', status: 404 });
  });
});
