/**
 * Native Camunda user tasks (`zeebe:userTask`) through the engine's REST API v2, driven by
 * `@camunda8/sdk`'s CamundaRestClient: properties evaluated as Zeebe does, the lifecycle
 * operations with Zeebe's rejections, completion variables and cancellation with the element.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Camunda8 } from '@camunda8/sdk';
import createCamundaClient from '@camunda8/orchestration-cluster-api';
import { startTestEngine, type TestEngine } from '../../engine/testing';

type RestClient = ReturnType<Camunda8['getCamundaRestClient']>;
const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures/user-tasks', name), 'utf8');

describe('native user tasks over REST v2', () => {
  let te: TestEngine;
  let rest: RestClient;

  beforeAll(async () => {
    te = await startTestEngine({ rest: true, startTime: Date.parse('2027-01-04T08:00:00Z') });
    te.clock.freeze();
    rest = new Camunda8({
      ZEEBE_REST_ADDRESS: te.restAddress,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      CAMUNDA_LOG_LEVEL: 'none',
    } as any).getCamundaRestClient();
    await rest.deployResources([{ name: 'native-review.bpmn', content: fixture('native-review.bpmn') }]);
  });
  afterAll(() => te.stop());

  const start = async (vars: Record<string, unknown> = {}) => {
    const { processInstanceKey } = await rest.createProcessInstance({
      processDefinitionId: 'native-review',
      variables: { reviewer: 'lin', dept: 'roads', dueAt: '2027-01-08T17:00:00+08:00', urgency: 7, ...vars },
    });
    await te.waitForIdle();
    const found = await rest.searchUserTasks({ filter: { processInstanceKey } } as any);
    expect(found.items).toHaveLength(1);
    return { pi: processInstanceKey, key: found.items[0].userTaskKey };
  };

  const problem = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected the request to be refused');
      },
      (err: any) => {
        const body = err.response?.body ?? err.body ?? err.message;
        return typeof body === 'string' ? body : JSON.stringify(body);
      },
    );

  test('a task carries its evaluated assignment, schedule, priority, form and headers', async () => {
    // given / when
    const createdAt = new Date(te.now()).toISOString();
    const { pi, key } = await start();
    const task = await rest.getUserTask(key);

    // then
    expect(task).toMatchObject({
      userTaskKey: key,
      state: 'CREATED',
      name: 'Review the report',
      elementId: 'review',
      processInstanceKey: pi,
      processDefinitionId: 'native-review',
      assignee: 'lin',
      candidateGroups: ['roads', 'supervisors'],
      candidateUsers: ['ann', 'bo'],
      dueDate: '2027-01-08T09:00:00.000Z', // 17:00 +08:00, as an instant in UTC
      followUpDate: '2027-01-10T09:00:00.000Z',
      priority: 70,
      externalFormReference: 'https://forms.example/roads',
      customHeaders: { kind: 'review' },
      creationDate: createdAt,
    });
    await te.isWaitingAtElements(pi, ['review']);
  });

  test('claim, unassign, assign and update change the task as Zeebe does', async () => {
    // given
    const { key } = await start({ reviewer: 'lin' });

    // when: someone else claims it (allowOverride false) while lin holds it
    const refused = await problem(rest.assignUserTask({ userTaskKey: key, assignee: 'wu', allowOverride: false }));

    // then
    expect(refused).toContain(`Expected to claim user task with key '${key}', but it has already been assigned`);

    // when: unassigned, claimed by wu, then the schedule and priority change
    await rest.unassignUserTask({ userTaskKey: key });
    expect((await rest.getUserTask(key)).assignee).toBeUndefined();
    await rest.assignUserTask({ userTaskKey: key, assignee: 'wu', allowOverride: false });
    await rest.updateUserTask({
      userTaskKey: key,
      changeset: { priority: 90, candidateGroups: ['night-shift'], dueDate: '2027-01-05T12:00:00Z' } as any, // the SDK's TaskChangeSet lacks priority (8.8 has it)
    });

    // then
    expect(await rest.getUserTask(key)).toMatchObject({
      assignee: 'wu',
      priority: 90,
      candidateGroups: ['night-shift'],
      dueDate: '2027-01-05T12:00:00.000Z',
    });
    const byAssignee = await rest.searchUserTasks({ filter: { assignee: 'wu', state: 'CREATED' } } as any);
    expect(byAssignee.items.map((t) => t.userTaskKey)).toContain(key);
  });

  test('completion passes the variables through the output mappings and finishes the task', async () => {
    // given
    const { pi, key } = await start();

    // when
    await rest.completeUserTask({ userTaskKey: key, variables: { decision: 'approve', note: 'ok' } });
    await te.waitForIdle();

    // then: output mappings apply, so the completion variables stay local as with a job
    await te.isCompleted(pi);
    await te.hasVariable(pi, 'reviewDecision', 'approve');
    expect(await te.variable(pi, 'note')).toBeUndefined();
    expect(await rest.getUserTask(key)).toMatchObject({ state: 'COMPLETED', completionDate: expect.any(String) });
    const again = await problem(rest.completeUserTask({ userTaskKey: key }));
    expect(again).toContain(`Expected to complete user task with key '${key}', but no such user task was found`);
  });

  test('cancelling the instance cancels its user task', async () => {
    // given
    const { pi, key } = await start();

    // when
    await rest.cancelProcessInstance({ processInstanceKey: pi });
    await te.waitForIdle();

    // then
    await te.isTerminated(pi);
    expect((await rest.getUserTask(key)).state).toBe('CANCELED');
    const refused = await problem(rest.assignUserTask({ userTaskKey: key, assignee: 'lin' }));
    expect(refused).toContain('no such user task was found');
  });

  test('an assignee expression that gives no string raises an incident, not a task', async () => {
    // given / when
    const { processInstanceKey: pi } = await rest.createProcessInstance({
      processDefinitionId: 'native-review',
      variables: { reviewer: null, dept: 'roads', dueAt: null, urgency: 1 },
    });
    await te.waitForIdle();

    // then
    await te.hasIncident(pi, 'EXTRACT_VALUE_ERROR', 'review');
    expect((await rest.searchUserTasks({ filter: { processInstanceKey: pi } } as any)).items).toHaveLength(0);
  });

  test('@camunda8/orchestration-cluster-api with strict response validation finds, assigns and completes a task', async () => {
    // given
    const camunda = createCamundaClient({
      config: {
        CAMUNDA_REST_ADDRESS: te.restAddress,
        CAMUNDA_AUTH_STRATEGY: 'NONE',
        CAMUNDA_SDK_VALIDATION: 'req:none,res:strict',
        CAMUNDA_SDK_LOG_LEVEL: 'silent',
      } as any,
    });
    const { pi } = await start();
    const noWait = { consistency: { waitUpToMs: 0 } };

    // when
    const found = await camunda.searchUserTasks(
      { filter: { processInstanceKey: pi, candidateGroup: 'roads' } } as any,
      noWait as any,
    );
    const key = found.items[0].userTaskKey;
    await camunda.assignUserTask({ userTaskKey: key, assignee: 'zhao', allowOverride: true } as any);
    const task = await camunda.getUserTask({ userTaskKey: key } as any, noWait as any);
    await camunda.completeUserTask({ userTaskKey: key, variables: { decision: 'reject' } } as any);
    await te.waitForIdle();

    // then
    expect(found.items).toHaveLength(1);
    expect(task).toMatchObject({ assignee: 'zhao', state: 'CREATED', priority: 70 });
    await te.isCompleted(pi);
    await te.hasVariable(pi, 'reviewDecision', 'reject');
  });

  test.each([
    ['invalid-both-definitions.bpmn', "Must have either one 'zeebe:userTask' or one 'zeebe:taskDefinition'"],
    ['invalid-assignee-feel.bpmn', 'Expected a valid FEEL expression for the assignee'],
  ])('deploying %s is refused', async (file, message) => {
    // when
    const refused = await problem(rest.deployResources([{ name: file, content: fixture(file) }]));

    // then
    expect(refused).toContain(message);
  });
});
