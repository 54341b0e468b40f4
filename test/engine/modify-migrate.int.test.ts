/**
 * ModifyProcessInstance and MigrateProcessInstance (Zeebe 8.8 semantics and rejection wording),
 * driven through the real `@camunda8/sdk` clients: ZeebeGrpcClient, and CamundaRestClient for
 * the REST v2 endpoints `/process-instances/{key}/modification` and `/migration`.
 */
import { Camunda8 } from '@camunda8/sdk';
import { startTestEngine, type TestEngine } from '../../engine/testing';
import { createTestDb, type TestDb } from '../helpers/db';
import { bpmn, chain, deploy, flow, jobsOf, serviceTask } from './helpers';

type Zbc = ReturnType<TestEngine['client']>;
type RestClient = ReturnType<Camunda8['getCamundaRestClient']>;

const twoTasks = (id: string, first = 'a', second = 'b') =>
  bpmn(
    id,
    `<bpmn:startEvent id="s"/>${serviceTask(first, `${id}-${first}`)}${serviceTask(second, `${id}-${second}`)}<bpmn:endEvent id="e"/>${chain('s', first, second, 'e')}`,
  );

/** A subprocess `sub` (with an interrupting 1h boundary timer `late`) around the task `inner`; a task `out` before it. */
const withSub = (id: string) =>
  bpmn(
    id,
    `<bpmn:startEvent id="s"/>${serviceTask('out', `${id}-out`)}
     <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>${serviceTask('inner', `${id}-inner`)}<bpmn:endEvent id="se"/>${chain('ss', 'inner', 'se')}</bpmn:subProcess>
     <bpmn:boundaryEvent id="late" attachedToRef="sub"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
     <bpmn:endEvent id="e"/><bpmn:endEvent id="lateEnd"/>${chain('s', 'out', 'sub', 'e')}${flow('fl', 'late', 'lateEnd')}`,
  );

/** A parallel multi-instance subprocess `mi` around the task `work`. */
const withMi = (id: string) =>
  bpmn(
    id,
    `<bpmn:startEvent id="s"/>
     <bpmn:subProcess id="mi"><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
       <bpmn:startEvent id="ms"/>${serviceTask('work', `${id}-work`)}<bpmn:endEvent id="me"/>${chain('ms', 'work', 'me')}</bpmn:subProcess>
     <bpmn:endEvent id="e"/>${chain('s', 'mi', 'e')}`,
  );

const definitionKey = (res: Awaited<ReturnType<typeof deploy>>) => res.deployments[0].process!.processDefinitionKey;

async function rejection(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: number; details?: string; message: string };
    return { code: err.code ?? -1, message: err.details ?? err.message };
  }
  throw new Error('Expected the command to be rejected, but it was accepted');
}

describe('ModifyProcessInstance and MigrateProcessInstance', () => {
  let te: TestEngine;
  let testDb: TestDb;
  let zbc: Zbc;
  let rest: RestClient;

  beforeAll(async () => {
    testDb = await createTestDb();
    te = await startTestEngine({ db: testDb.db, rest: true });
    te.clock.freeze();
    zbc = te.client();
    rest = new Camunda8({
      ZEEBE_REST_ADDRESS: te.restAddress,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      CAMUNDA_LOG_LEVEL: 'none',
    } as any).getCamundaRestClient();
    await deploy(zbc, 'mm-two.bpmn', twoTasks('mm-two'));
    await deploy(zbc, 'mm-sub.bpmn', withSub('mm-sub'));
    await deploy(zbc, 'mm-mi.bpmn', withMi('mm-mi'));
  });
  afterAll(async () => {
    await te.stop();
    await testDb.destroy();
  });

  const start = async (bpmnProcessId: string, variables: Record<string, any> = {}) =>
    (await zbc.createProcessInstance({ bpmnProcessId, variables })).processInstanceKey;

  /** Activates the job of this instance (a long timeout, as the tests move the clock by hours). */
  async function jobFor(pi: string, type: string) {
    await te.waitForIdle();
    const jobs = await zbc.activateJobs({
      type,
      worker: 'test',
      maxJobsToActivate: 50,
      timeout: 7 * 24 * 3600_000,
      requestTimeout: -1,
    } as any);
    const mine = jobs.filter((j) => j.processInstanceKey === pi);
    if (mine.length !== 1) throw new Error(`Expected one job of type '${type}' in ${pi}, but found ${mine.length}`);
    return mine[0];
  }

  /** The key of the one live instance of an element, read from the engine's record log. */
  async function liveInstanceKeys(pi: string, elementId: string, type: string): Promise<string[]> {
    const recs = await te.records({ processInstanceKey: pi, valueType: 'PROCESS_INSTANCE' });
    const ended = new Set(
      recs.filter((r) => r.intent === 'ELEMENT_COMPLETED' || r.intent === 'ELEMENT_TERMINATED').map((r) => r.key),
    );
    return [
      ...new Set(
        recs
          .filter(
            (r) =>
              r.intent === 'ELEMENT_ACTIVATED' &&
              r.value.elementId === elementId &&
              r.value.bpmnElementType === type &&
              !ended.has(r.key),
          )
          .map((r) => r.key),
      ),
    ];
  }

  describe('modify', () => {
    test('activates a later task with variables and terminates the waiting one', async () => {
      // given an instance waiting at task a
      const pi = await start('mm-two');
      const jobA = await jobFor(pi, 'mm-two-a');

      // when b is activated with a process variable and a is terminated
      await zbc.modifyProcessInstance({
        processInstanceKey: pi,
        activateInstructions: [
          {
            elementId: 'b',
            ancestorElementInstanceKey: '-1',
            variableInstructions: [{ scopeId: '', variables: { x: 1 } as any }],
          },
        ],
        terminateInstructions: [{ elementInstanceKey: jobA.elementInstanceKey }],
      });
      await te.waitForIdle();

      // then only b waits, the variable is set, a's job is gone, and completing b completes the instance
      expect(te.activeElementIds(pi)).toEqual(['b']);
      await te.hasVariable(pi, 'x', 1);
      expect((await rejection(zbc.completeJob({ jobKey: jobA.key, variables: {} }))).code).toBe(5);
      const jobB = await jobFor(pi, 'mm-two-b');
      await zbc.completeJob({ jobKey: jobB.key, variables: {} });
      await te.isCompleted(pi);
      const modified = await te.records({ processInstanceKey: pi, valueType: 'PROCESS_INSTANCE_MODIFICATION' as any });
      expect(modified.map((r) => r.intent)).toEqual(['MODIFIED']);
    });

    test('creates the missing flow scope, with its local variables and its boundary timer', async () => {
      // given an instance waiting at `out`, before the subprocess
      const pi = await start('mm-sub');
      const jobOut = await jobFor(pi, 'mm-sub-out');

      // when `inner` is activated inside `sub` with a variable scoped to `sub`, and `out` terminated
      await zbc.modifyProcessInstance({
        processInstanceKey: pi,
        activateInstructions: [
          {
            elementId: 'inner',
            ancestorElementInstanceKey: '-1',
            variableInstructions: [{ scopeId: 'sub', variables: { local: 'yes' } }],
          },
        ],
        terminateInstructions: [{ elementInstanceKey: jobOut.elementInstanceKey }],
      });

      // then the job sees the subprocess-local variable, the root does not have it, and the
      // subprocess's boundary timer is open: an hour later it interrupts the subprocess
      const jobInner = await jobFor(pi, 'mm-sub-inner');
      expect(jobInner.variables).toEqual({ local: 'yes' });
      expect(await te.variable(pi, 'local')).toBeUndefined();
      await te.increaseTime(3600_000 + 1);
      await te.hasPassedElement(pi, 'lateEnd');
      await te.isCompleted(pi);
      await te.hasNotPassedElement(pi, 'ss');
    });

    test('terminating an element resolves its incident; terminating the last one terminates the instance', async () => {
      // given a job incident on task a
      const pi = await start('mm-two');
      const jobA = await jobFor(pi, 'mm-two-a');
      await zbc.failJob({ jobKey: jobA.key, retries: 0, errorMessage: 'boom', retryBackOff: 0 });
      await te.hasIncident(pi, 'JOB_NO_RETRIES', 'a');

      // when a is terminated and nothing else is activated
      await zbc.modifyProcessInstance({
        processInstanceKey: pi,
        terminateInstructions: [{ elementInstanceKey: jobA.elementInstanceKey }],
      });

      // then the incident is resolved and the process instance is terminated
      await te.isTerminated(pi);
      expect(te.incidents(pi)).toEqual([]);
      const resolved = await te.records({ processInstanceKey: pi, valueType: 'INCIDENT' });
      expect(resolved.map((r) => r.intent)).toEqual(['CREATED', 'RESOLVED']);
    });

    test('an ancestor key picks the subprocess instance of a multi-instance body', async () => {
      // given two inner instances of the multi-instance subprocess
      const pi = await start('mm-mi', { items: [1, 2] });
      await te.waitForIdle();
      const innerInstances = await liveInstanceKeys(pi, 'mi', 'SUB_PROCESS');
      expect(innerInstances).toHaveLength(2);

      // when `work` is activated without an ancestor: Zeebe cannot choose the flow scope
      const ambiguous = await rejection(
        zbc.modifyProcessInstance({
          processInstanceKey: pi,
          activateInstructions: [{ elementId: 'work', ancestorElementInstanceKey: '-1', variableInstructions: [] }],
        }),
      );

      // then it is rejected; with the second inner instance as ancestor a third job appears there
      expect(ambiguous.code).toBe(3);
      expect(ambiguous.message).toContain(
        "Expected to modify instance of process 'mm-mi' but it contains one or more activate instructions for an element that has a flow scope with more than one active instance: 'mi'. Can't decide in which instance of the flow scope the element should be activated. Please specify an ancestor element instance key for this activate instruction.",
      );
      await zbc.modifyProcessInstance({
        processInstanceKey: pi,
        activateInstructions: [
          { elementId: 'work', ancestorElementInstanceKey: innerInstances[1], variableInstructions: [] },
        ],
      });
      const jobs = await jobsOf(te, zbc, 'mm-mi-work', 10);
      expect(jobs.filter((j) => j.variables.item === 2)).toHaveLength(2);
      expect(jobs.filter((j) => j.variables.item === 1)).toHaveLength(1);
    });

    test('rejections carry Zeebe 8.8 wording', async () => {
      // given an instance waiting at task a, and one of the multi-instance process before its body
      const pi = await start('mm-two');
      const jobA = await jobFor(pi, 'mm-two-a');
      const modify = (req: Record<string, unknown>) =>
        rejection(zbc.modifyProcessInstance({ processInstanceKey: pi, ...req } as any));
      const activate = (elementId: string, ancestorElementInstanceKey = '-1') => ({
        activateInstructions: [{ elementId, ancestorElementInstanceKey, variableInstructions: [] }],
      });

      // when / then
      const notFound = await rejection(zbc.modifyProcessInstance({ processInstanceKey: '2251799813999249' }));
      expect(notFound).toEqual({
        code: 5,
        message: expect.stringContaining(
          "Expected to modify process instance but no process instance found with key '2251799813999249'",
        ),
      });
      expect((await modify(activate('nope'))).message).toContain(
        "Expected to modify instance of process 'mm-two' but it contains one or more activate instructions with an element that could not be found: 'nope'",
      );
      expect((await modify(activate('s'))).message).toContain(
        "Expected to modify instance of process 'mm-two' but it contains one or more activate instructions for elements that are unsupported: 's'. The activation of elements with type 'START_EVENT' is not supported. Supported element types are: [PROCESS, SUB_PROCESS,",
      );
      expect((await modify({ terminateInstructions: [{ elementInstanceKey: '2251799813999250' }] })).message).toContain(
        "Expected to modify instance of process 'mm-two' but it contains one or more terminate instructions with an element instance that could not be found: '2251799813999250'",
      );
      expect((await modify(activate('b', '2251799813999251'))).message).toContain(
        "Expected to modify instance of process 'mm-two' but it contains one or more activate instructions with an ancestor scope key that does not exist, or is not in an active state: '2251799813999251'",
      );
      expect((await modify(activate('b', jobA.elementInstanceKey))).message).toContain(
        `Expected to modify instance of process 'mm-two' but it contains one or more activate instructions with an ancestor scope key that is not an ancestor of the element to activate:\n- instance '${jobA.elementInstanceKey}' of element 'a' is not an ancestor of element 'b'`,
      );
      expect(
        (
          await modify({
            activateInstructions: [
              {
                elementId: 'b',
                ancestorElementInstanceKey: '-1',
                variableInstructions: [{ scopeId: 'a', variables: {} }],
              },
            ],
          })
        ).message,
      ).toContain(
        "Expected to modify instance of process 'mm-two' but it contains one or more variable instructions with a scope element that doesn't belong to the activating element's flow scope.",
      );
      // and the instance was not touched by any of them
      expect(te.activeElementIds(pi)).toEqual(['a']);
    });

    test('activating inside a multi-instance subprocess that has no instance is unsupported', async () => {
      // given an instance of a process whose multi-instance subprocess is not yet active
      const xml = bpmn(
        'mm-mi-later',
        `<bpmn:startEvent id="s"/>${serviceTask('first', 'mm-mi-later-first')}
         <bpmn:subProcess id="mi"><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1]"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
           <bpmn:startEvent id="ms"/>${serviceTask('work', 'mm-mi-later-work')}<bpmn:endEvent id="me"/>${chain('ms', 'work', 'me')}</bpmn:subProcess>
         <bpmn:endEvent id="e"/>${chain('s', 'first', 'mi', 'e')}`,
      );
      await deploy(zbc, 'mm-mi-later.bpmn', xml);
      const pi = await start('mm-mi-later');

      // when an element inside the multi-instance subprocess is activated
      const r = await rejection(
        zbc.modifyProcessInstance({
          processInstanceKey: pi,
          activateInstructions: [{ elementId: 'work', ancestorElementInstanceKey: '-1', variableInstructions: [] }],
        }),
      );

      // then Zeebe's multi-instance rejection
      expect(r.code).toBe(3);
      expect(r.message).toContain(
        "Expected to modify instance of process 'mm-mi-later' but it contains one or more activate instructions that would result in the activation of multi-instance element 'mi', which is currently unsupported.",
      );
    });
  });

  describe('migrate', () => {
    test('moves a waiting task to the new version; the job keeps its type and the target path is followed', async () => {
      // given v1 waiting at a, and a target process where a is renamed a2 and followed by c
      const pi = await start('mm-two');
      const jobA = await jobFor(pi, 'mm-two-a');
      const target = bpmn(
        'mm-two-v2',
        `<bpmn:startEvent id="s"/>${serviceTask('a2', 'mm-two-v2-a')}${serviceTask('c', 'mm-two-v2-c')}<bpmn:endEvent id="e"/>${chain('s', 'a2', 'c', 'e')}`,
      );
      const deployed = await deploy(zbc, 'mm-two-v2.bpmn', target);
      const targetKey = definitionKey(deployed);

      // when the instance is migrated with a → a2
      await zbc.migrateProcessInstance({
        processInstanceKey: pi,
        migrationPlan: {
          targetProcessDefinitionKey: targetKey,
          mappingInstructions: [{ sourceElementId: 'a', targetElementId: 'a2' }],
        },
      });

      // then the same job completes a2 and the instance continues at c of the target
      expect(te.activeElementIds(pi)).toEqual(['a2']);
      await zbc.completeJob({ jobKey: jobA.key, variables: {} });
      const jobC = await jobFor(pi, 'mm-two-v2-c');
      expect(jobC.bpmnProcessId).toBe('mm-two-v2');
      const migrated = await te.records({ processInstanceKey: pi, valueType: 'JOB' });
      expect(migrated.find((r) => r.intent === 'MIGRATED')?.value).toMatchObject({ elementId: 'a2', type: 'mm-two-a' });
    });

    test('a message catch event keeps its subscription; a new boundary timer of the target is opened', async () => {
      // given an instance waiting at a message catch event
      const msg = (id: string, extra = '') =>
        bpmn(
          id,
          `<bpmn:startEvent id="s"/><bpmn:receiveTask id="wait" messageRef="m"/>${extra}<bpmn:endEvent id="e"/>${chain('s', 'wait', 'e')}`,
          `<bpmn:message id="m" name="mm-paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>`,
        );
      await deploy(zbc, 'mm-msg.bpmn', msg('mm-msg'));
      const target = await deploy(
        zbc,
        'mm-msg-v2.bpmn',
        msg(
          'mm-msg-v2',
          `<bpmn:boundaryEvent id="remind" attachedToRef="wait" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>PT10M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent><bpmn:endEvent id="reminded"/>${flow('fr', 'remind', 'reminded')}`,
        ),
      );
      const pi = await start('mm-msg', { orderId: 'o-7' });
      await te.waitForIdle();

      // when migrated to the target
      await zbc.migrateProcessInstance({
        processInstanceKey: pi,
        migrationPlan: {
          targetProcessDefinitionKey: definitionKey(target),
          mappingInstructions: [{ sourceElementId: 'wait', targetElementId: 'wait' }],
        },
      });

      // then the target's boundary timer fires, and the kept subscription correlates the message
      await te.increaseTime(10 * 60_000 + 1);
      await te.hasPassedElement(pi, 'reminded');
      await zbc.publishMessage({ name: 'mm-paid', correlationKey: 'o-7', variables: {}, timeToLive: 0 });
      await te.isCompleted(pi);
      const subs = await te.records({ processInstanceKey: pi, valueType: 'MESSAGE_SUBSCRIPTION' });
      expect(subs.map((r) => r.intent)).toContain('MIGRATED');
    });

    test('preconditions reject with Zeebe 8.8 wording and leave the instance as it was', async () => {
      // given an instance waiting at a, and targets that break one precondition each
      const pi = await start('mm-two');
      await jobFor(pi, 'mm-two-a');
      const other = await deploy(
        zbc,
        'mm-two-other.bpmn',
        bpmn(
          'mm-two-other',
          `<bpmn:startEvent id="s"/><bpmn:userTask id="u"/>${serviceTask('a', 'x')}<bpmn:subProcess id="sp"><bpmn:startEvent id="ss"/>${serviceTask('deep', 'x')}<bpmn:endEvent id="se"/>${chain('ss', 'deep', 'se')}</bpmn:subProcess><bpmn:endEvent id="e"/>${chain('s', 'u', 'a', 'sp', 'e')}`,
        ),
      );
      const targetKey = definitionKey(other);
      const migrate = (mappingInstructions: { sourceElementId: string; targetElementId: string }[], key = targetKey) =>
        rejection(
          zbc.migrateProcessInstance({
            processInstanceKey: pi,
            migrationPlan: { targetProcessDefinitionKey: key, mappingInstructions },
          }),
        );

      // when / then
      expect(
        await rejection(
          zbc.migrateProcessInstance({
            processInstanceKey: '2251799813999249',
            migrationPlan: { targetProcessDefinitionKey: targetKey, mappingInstructions: [] },
          }),
        ),
      ).toEqual({
        code: 5,
        message: expect.stringContaining(
          "Expected to migrate process instance but no process instance found with key '2251799813999249'",
        ),
      });
      expect(await migrate([], '2251799813999252')).toEqual({
        code: 5,
        message: expect.stringContaining(
          "Expected to migrate process instance to process definition but no process definition found with key '2251799813999252'",
        ),
      });
      const unmapped = await migrate([]);
      expect(unmapped.code).toBe(9);
      expect(unmapped.message).toContain(
        `Expected to migrate process instance '${pi}' but no mapping instruction defined for active element with id 'a'. Elements cannot be migrated without a mapping.`,
      );
      expect((await migrate([{ sourceElementId: 'a', targetElementId: 'u' }])).message).toContain(
        `Expected to migrate process instance '${pi}' but active element with id 'a' and type 'SERVICE_TASK' is mapped to an element with id 'u' and different type 'USER_TASK'. Elements must be mapped to elements of the same type.`,
      );
      expect((await migrate([{ sourceElementId: 'a', targetElementId: 'deep' }])).message).toContain(
        `Expected to migrate process instance '${pi}' but the flow scope of active element with id 'a' is changed. The flow scope of the active element is expected to be 'mm-two-other' but was 'sp'. The flow scope of an element cannot be changed during migration yet.`,
      );
      expect((await migrate([{ sourceElementId: 'zz', targetElementId: 'a' }])).message).toContain(
        `Expected to migrate process instance '${pi}' but mapping instructions contain a non-existing source element id 'zz'. Elements provided in mapping instructions must exist in the source process definition.`,
      );
      expect(
        (
          await migrate([
            { sourceElementId: 'a', targetElementId: 'a' },
            { sourceElementId: 'a', targetElementId: 'u' },
          ])
        ).message,
      ).toContain(
        `Expected to migrate process instance '${pi}' but the mapping instructions contain duplicate source element ids '[a]'.`,
      );
      // and the instance still runs on its own definition
      expect(te.activeElementIds(pi)).toEqual(['a']);
      const recs = await te.records({ processInstanceKey: pi, valueType: 'PROCESS_INSTANCE' });
      expect(recs.some((r) => r.intent === 'ELEMENT_MIGRATED')).toBe(false);
    });
  });

  describe('REST v2 with CamundaRestClient', () => {
    test('modification and migration, and a rejection as problem+json', async () => {
      // given an instance waiting at a
      const pi = await start('mm-two');
      const jobA = await jobFor(pi, 'mm-two-a');

      // when it is modified over REST: b activated, a terminated
      await rest.modifyProcessInstance({
        processInstanceKey: pi,
        activateInstructions: [{ elementId: 'b', variableInstructions: [{ variables: { viaRest: true } }] }] as any,
        terminateInstructions: [{ elementInstanceKey: jobA.elementInstanceKey }],
      });
      await te.waitForIdle();

      // then b waits with the variable
      expect(te.activeElementIds(pi)).toEqual(['b']);
      await te.hasVariable(pi, 'viaRest', true);

      // when it is migrated over REST to a target with b renamed
      const target = await deploy(
        zbc,
        'mm-two-rest.bpmn',
        bpmn(
          'mm-two-rest',
          `<bpmn:startEvent id="s"/>${serviceTask('b2', 'mm-two-b')}<bpmn:endEvent id="e"/>${chain('s', 'b2', 'e')}`,
        ),
      );
      await rest.migrateProcessInstance({
        processInstanceKey: pi,
        targetProcessDefinitionKey: definitionKey(target),
        mappingInstructions: [{ sourceElementId: 'b', targetElementId: 'b2' }],
      });

      // then the instance waits at b2; an unmapped migration is a 409 problem with Zeebe's wording
      expect(te.activeElementIds(pi)).toEqual(['b2']);
      const res = await fetch(`${te.restAddress}/v2/process-instances/${pi}/migration`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          targetProcessDefinitionKey: definitionKey(target),
          mappingInstructions: [],
        }),
      });
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await res.json()).toMatchObject({
        title: 'INVALID_STATE',
        detail: expect.stringContaining(
          `but no mapping instruction defined for active element with id 'b2'. Elements cannot be migrated without a mapping.`,
        ),
      });
      const bad = await fetch(`${te.restAddress}/v2/process-instances/${pi}/modification`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ activateInstructions: [{ elementId: 'nope' }] }),
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { detail: string }).detail).toContain(
        "Expected to modify instance of process 'mm-two-rest' but it contains one or more activate instructions with an element that could not be found: 'nope'",
      );
    });
  });
});
