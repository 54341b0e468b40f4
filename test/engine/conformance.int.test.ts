/**
 * Conformance suite: every public Zeebe-extension model in ../shared/conformance runs to the
 * outcome its README states. Everything goes through a real `@camunda8/sdk` Zeebe gRPC client
 * (deploy, create, publish, broadcast, activate/complete/fail/throw); the test engine is only used
 * for the clock (`increaseTime`), `waitForIdle` and record-log / incident assertions.
 *
 * One engine is shared by the file; models whose assertions depend on global state (timer start,
 * "the callee is not deployed yet") get an engine of their own. Each engine gets its own database
 * from createTestDb(): in-memory PGlite, or a fresh schema on PostgreSQL when DATABASE_URL is set.
 */
import path from 'node:path';
import type { Job } from '@camunda8/sdk/dist/zeebe/lib/interfaces-1.0';
import { startTestEngine, type TestEngine } from '../../engine/testing';
import { createTestDb } from '../helpers/db';

const MODELS = path.join(__dirname, '../../../shared/conformance');
const model = (file: string) => path.join(MODELS, file);

type ZeebeClient = ReturnType<TestEngine['client']>;
type AnyJob = Job<Record<string, any>, Record<string, any>>;

interface Harness {
  te: TestEngine;
  zbc: ZeebeClient;
  stop(): Promise<void>;
}

async function newHarness(): Promise<Harness> {
  const tdb = await createTestDb();
  const te = await startTestEngine({ db: tdb.db });
  // The engine clock only moves when a test moves it (increaseTime), so due times are exact.
  te.clock.freeze();
  const zbc = te.client();
  return {
    te,
    zbc,
    async stop() {
      await te.stop();
      await tdb.destroy();
    },
  };
}

/** Helpers bound to one engine + client. */
function helpers(h: () => Harness) {
  /** Activates up to `n` jobs of a type (long-polling until at least one is there). */
  async function activate(type: string, n = 1, timeout = 600_000): Promise<AnyJob[]> {
    const { zbc, te } = h();
    await te.waitForIdle();
    const jobs: AnyJob[] = [];
    const deadline = Date.now() + 5000;
    while (jobs.length < n && Date.now() < deadline) {
      const got = await zbc.activateJobs({ type, worker: 'conformance', maxJobsToActivate: n - jobs.length, timeout, requestTimeout: 1000 });
      jobs.push(...(got as AnyJob[]));
    }
    return jobs;
  }

  /** Exactly one job of `type` is activatable (for process instance `pi` when given). */
  async function takeJob(type: string, pi?: string, timeout?: number): Promise<AnyJob> {
    const jobs = await activate(type, 1, timeout);
    expect(jobs.map((j) => j.type)).toEqual([type]);
    if (pi) expect(jobs[0].processInstanceKey).toBe(pi);
    return jobs[0];
  }

  /** No job of `type` can be activated right now. */
  async function noJob(type: string): Promise<void> {
    const { zbc, te } = h();
    await te.waitForIdle();
    const jobs = await zbc.activateJobs({ type, worker: 'conformance', maxJobsToActivate: 10, timeout: 600_000, requestTimeout: -1 });
    expect(jobs.map((j) => `${j.type}@${j.elementId}`)).toEqual([]);
  }

  async function complete(job: AnyJob, variables: Record<string, unknown> = {}): Promise<void> {
    await h().zbc.completeJob({ jobKey: job.key, variables });
    await h().te.waitForIdle();
  }

  /** Activates the next job of `type` and completes it. */
  async function completeNext(type: string, pi?: string, variables: Record<string, unknown> = {}): Promise<AnyJob> {
    const job = await takeJob(type, pi);
    await complete(job, variables);
    return job;
  }

  async function deploy(...files: string[]) {
    const out = [];
    for (const f of files) out.push(await h().zbc.deployResource({ processFilename: model(f) }));
    await h().te.waitForIdle();
    return out;
  }

  async function create(bpmnProcessId: string, variables: Record<string, unknown> = {}): Promise<string> {
    const r = await h().zbc.createProcessInstance({ bpmnProcessId, variables });
    await h().te.waitForIdle();
    return r.processInstanceKey;
  }

  /** Keys of the process instances of a process id, oldest first (from the record log). */
  async function instancesOf(bpmnProcessId: string): Promise<string[]> {
    const recs = await h().te.records({ valueType: 'PROCESS_INSTANCE', limit: 1_000_000 });
    return recs
      .filter((r) => r.intent === 'ELEMENT_ACTIVATED' && r.value.bpmnElementType === 'PROCESS' && r.value.bpmnProcessId === bpmnProcessId)
      .map((r) => r.key);
  }

  /** Completed at the named end event. */
  async function completedAt(pi: string, endEventId: string): Promise<void> {
    await h().te.isCompleted(pi);
    await h().te.hasPassedElement(pi, endEventId);
  }

  async function publish(name: string, correlationKey: string, variables: Record<string, unknown> = {}, timeToLive = 0) {
    const r = await h().zbc.publishMessage({ name, correlationKey, variables, timeToLive });
    await h().te.waitForIdle();
    return r;
  }

  return { activate, takeJob, noJob, complete, completeNext, deploy, create, instancesOf, completedAt, publish };
}

const USER_TASK = 'io.camunda.zeebe:userTask';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('conformance models (../shared/conformance)', () => {
  let shared: Harness;
  const { activate, takeJob, noJob, complete, completeNext, deploy, create, instancesOf, completedAt, publish } = helpers(() => shared);
  const te = () => shared.te;
  const zbc = () => shared.zbc;

  beforeAll(async () => {
    shared = await newHarness();
  });

  afterAll(async () => {
    await shared?.stop();
  });

  describe('zpt-pr-created.bpmn (+ zpt-automated-tests.bpmn)', () => {
    it('runs the happy path from the prCreated message to Event_12sbcc5', async () => {
      // given both processes are deployed
      await deploy('zpt-automated-tests.bpmn', 'zpt-pr-created.bpmn');

      // when a PR is created
      await publish('prCreated', '', { prId: '123' });
      const [pi] = await instancesOf('prCreatedProcess');
      expect(pi).toBeDefined();

      // then the review is requested and the tests are triggered in a child instance
      const review = await takeJob(USER_TASK, pi);
      expect(review.elementId).toBe('requestReview');
      const [child] = await instancesOf('automatedTestsProcess');
      expect(child).toBeDefined();
      await complete(review);

      // when the review arrives (event-based gateway: message wins over the P1D timer)
      await te().isWaitingAtElements(pi, ['Gateway_1wymgxc']);
      await publish('reviewReceived', '123', { reviewResult: 'approved' });

      // and the three test runs of the child finish
      const runs = await activate('runTests', 3);
      expect(runs.map((j) => j.variables.operatingSystem).sort()).toEqual(['macos', 'ubuntu', 'windows']);
      for (const j of runs) await complete(j);
      await te().isCompleted(child);

      // then the join fires, the code is merged and the snapshot deployed
      const merge = await takeJob(USER_TASK, pi);
      expect(merge.elementId).toBe('mergeCode');
      await complete(merge);
      await completeNext('deploySnapshot', pi);

      await completedAt(pi, 'Event_12sbcc5');
      await te().hasNotPassedElement(pi, 'remindReviewer');
      await te().hasNotPassedElement(pi, 'makeChanges');
    });
  });

  describe('zpt-automated-tests.bpmn', () => {
    it('runs one runTests job per operating system and completes at Event_0mdz5cy', async () => {
      // given
      await deploy('zpt-automated-tests.bpmn');

      // when
      const pi = await create('automatedTestsProcess');

      // then three jobs exist at once, each with its own local operatingSystem
      const jobs = await activate('runTests', 3);
      expect(jobs.map((j) => j.variables.operatingSystem).sort()).toEqual(['macos', 'ubuntu', 'windows']);
      expect(new Set(jobs.map((j) => j.elementInstanceKey)).size).toBe(3);
      for (const j of jobs) expect(j.processInstanceKey).toBe(pi);

      // when all are completed
      for (const j of jobs) await complete(j);

      // then
      await completedAt(pi, 'Event_0mdz5cy');
      expect(await te().variable(pi, 'operatingSystem')).toBeUndefined();
    });
  });

  describe('zpt-timer-events-terminate.bpmn', () => {
    it('completes at EndEvent_FastFlow after 1 s and cancels the 30-day timer', async () => {
      // given
      await deploy('zpt-timer-events-terminate.bpmn');
      const pi = await create('Process_Timer_Test_01');
      await te().isWaitingAtElements(pi, ['TimerEvent_Wait30d', 'Activity_InvokeDummyWorker']);

      // when the job is completed and one second passes
      await completeNext('SimpleLog01', pi);
      await te().isWaitingAtElements(pi, ['TimerEvent_Wait1s', 'TimerEvent_Wait30d']);
      await te().increaseTime(1000);

      // then the terminate end event completes the instance and the long timer is cancelled
      await completedAt(pi, 'EndEvent_FastFlow');
      await te().hasNotPassedElement(pi, 'EndEvent_SlowFlow');
      const timers = await te().records({ processInstanceKey: pi, valueType: 'TIMER' });
      expect(timers.filter((r) => r.value.targetElementId === 'TimerEvent_Wait30d').map((r) => r.intent)).toEqual(['CREATED', 'CANCELED']);
    });
  });

  describe('zpt-timer-start-event-daily.bpmn', () => {
    let own: Harness;
    const o = helpers(() => own);
    beforeAll(async () => {
      own = await newHarness();
    });
    afterAll(async () => {
      await own?.stop();
    });

    it('starts one instance per day, each completing at endevent', async () => {
      // given the process is deployed
      await o.deploy('zpt-timer-start-event-daily.bpmn');
      expect(await o.instancesOf('timer-start-event-daily')).toEqual([]);

      // when almost a day passes, nothing starts yet
      await own.te.increaseTime(DAY - 1000);
      expect(await o.instancesOf('timer-start-event-daily')).toEqual([]);

      // when the day is full, one instance starts and completes
      await own.te.increaseTime(1000);
      const first = await o.instancesOf('timer-start-event-daily');
      expect(first).toHaveLength(1);
      await o.completedAt(first[0], 'endevent');

      // and every further day starts exactly one more
      await own.te.increaseTime(DAY);
      await own.te.increaseTime(DAY);
      const all = await o.instancesOf('timer-start-event-daily');
      expect(all).toHaveLength(3);
      for (const pi of all) await o.completedAt(pi, 'endevent');
    });
  });

  describe('zpt-message-event.bpmn', () => {
    it('waits at Event_1qemgo0 and completes at Event_1pevv8z after the message', async () => {
      // given
      await deploy('zpt-message-event.bpmn');
      const pi = await create('message-event', { correlationKey: 'k1' });

      // then
      await te().isWaitingAtElements(pi, ['Event_1qemgo0'], true);

      // when
      await publish('message', 'k1');

      // then
      await completedAt(pi, 'Event_1pevv8z');
    });
  });

  describe('zpt-message-start-event.bpmn', () => {
    it('starts an instance per published start-message, completing at Event_0hmgljx', async () => {
      // given
      await deploy('zpt-message-start-event.bpmn');
      expect(await instancesOf('message-start-event')).toEqual([]);

      // when
      await publish('start-message', '');

      // then
      const [pi, ...more] = await instancesOf('message-start-event');
      expect(more).toEqual([]);
      await completedAt(pi, 'Event_0hmgljx');
    });
  });

  describe('zpt-looping-servicetask.bpmn', () => {
    it('runs exactly 3 test jobs one after another and completes with loopAmount = 3', async () => {
      // given
      await deploy('zpt-looping-servicetask.bpmn');
      const pi = await create('looping-servicetask', { totalLoops: 3 });
      await te().hasVariable(pi, 'loopAmount', 0);

      // when each job is completed, exactly one next job appears
      for (let i = 0; i < 3; i++) {
        const job = await takeJob('test', pi);
        await noJob('test');
        expect(job.retries).toBe(1);
        expect(job.variables.loopAmount).toBe(i);
        // the task has output mappings: this variable must not reach the process
        await complete(job, { notMerged: true });
      }

      // then
      await noJob('test');
      await completedAt(pi, 'endevent');
      expect(await te().variable(pi, 'loopAmount')).toBe(3);
      expect(await te().variable(pi, 'notMerged')).toBeUndefined();
    });
  });

  describe('zpt-multiple-tasks.bpmn', () => {
    it('opens three test jobs at once and completes with loopAmount = 1', async () => {
      // given
      await deploy('zpt-multiple-tasks.bpmn');
      const pi = await create('multiple-tasks');

      // then all three jobs are activatable at the same time
      const jobs = await activate('test', 3);
      expect(jobs.map((j) => j.elementId).sort()).toEqual(['servicetask1', 'servicetask2', 'servicetask3']);

      // when the first two complete, the join still waits
      await complete(jobs[0]);
      await complete(jobs[1]);
      await te().isActive(pi);

      // when the last one completes
      await complete(jobs[2]);

      // then
      await completedAt(pi, 'endevent');
      expect(await te().variable(pi, 'loopAmount')).toBe(1);
    });
  });

  describe('zpt-call-activity.bpmn (+ zpt-start-end.bpmn)', () => {
    let own: Harness;
    const o = helpers(() => own);
    beforeAll(async () => {
      own = await newHarness();
    });
    afterAll(async () => {
      await own?.stop();
    });

    it('raises CALLED_ELEMENT_ERROR at callactivity while start-end is not deployed', async () => {
      // given only the caller is deployed
      await o.deploy('zpt-call-activity.bpmn');

      // when
      const pi = await o.create('call-activity');

      // then
      await own.te.hasIncident(pi, 'CALLED_ELEMENT_ERROR', 'callactivity');
      await own.te.isActive(pi);
    });

    it('completes parent and child at once when both are deployed', async () => {
      // given
      await o.deploy('zpt-start-end.bpmn');

      // when
      const pi = await o.create('call-activity');

      // then the child completed at Event_0ahcnkn and points at its parent
      const children = (await own.te.records({ valueType: 'PROCESS_INSTANCE', limit: 1_000_000 })).filter(
        (r) => r.intent === 'ELEMENT_ACTIVATED' && r.value.bpmnElementType === 'PROCESS' && r.value.bpmnProcessId === 'start-end' && r.value.parentProcessInstanceKey === pi,
      );
      expect(children).toHaveLength(1);
      const child = children[0].key;
      const callRec = (await own.te.records({ processInstanceKey: pi, valueType: 'PROCESS_INSTANCE' })).find((r) => r.value.elementId === 'callactivity');
      expect(children[0].value.parentElementInstanceKey).toBe(callRec!.key);
      await o.completedAt(child, 'Event_0ahcnkn');
      await o.completedAt(pi, 'Event_1w612bd');
    });

    it('the incident of the first instance resolves once the callee exists', async () => {
      // given the instance created before start-end was deployed
      const [pi] = await o.instancesOf('call-activity');
      const incident = await own.te.hasIncident(pi, 'CALLED_ELEMENT_ERROR', 'callactivity');

      // when
      await own.zbc.resolveIncident({ incidentKey: incident.key });
      await own.te.waitForIdle();

      // then
      await o.completedAt(pi, 'Event_1w612bd');
    });
  });

  describe('zpt-start-end.bpmn', () => {
    it('completes at Event_0ahcnkn as soon as it is created', async () => {
      // given
      await deploy('zpt-start-end.bpmn');

      // when
      const r = await zbc().createProcessInstanceWithResult({ bpmnProcessId: 'start-end', variables: { x: 1 }, requestTimeout: 10_000 });

      // then
      expect(r.variables).toEqual({ x: 1 });
      await completedAt(r.processInstanceKey, 'Event_0ahcnkn');
    });
  });

  describe('c8ex-get-up.bpmn', () => {
    it('gets the kids to school in 35 simulated minutes, completing at KidsAreAtSchoolEndEvent', async () => {
      // given
      await deploy('c8ex-get-up.bpmn');
      const pi = await create('GetUpProcess');

      // when the kids are called
      const call = await takeJob('callKids', pi);
      expect(call.variables.message).toBe('Please get up');
      await complete(call);

      // then breakfast is prepared by the script task while the 15-minute timer runs
      await te().hasVariable(pi, 'breakfastPrepared', true);
      await te().hasPassedElement(pi, 'PrepareBreakfastTask');
      await noJob('checkProgress');

      // when 15 minutes pass, progress is checked: ready
      await te().increaseTime(15 * MINUTE);
      const check = await takeJob('checkProgress', pi);
      expect(check.variables.options).toEqual(['in bed', 'in bathroom', 'dressing', 'ready']);
      await complete(check, { progress: 'ready' });

      // when they had breakfast for 15 minutes
      await te().increaseTime(15 * MINUTE);

      // then the subprocess ended normally (the running-late boundary is cancelled)
      await te().hasPassedElement(pi, 'KidsAreFedEndEvent');
      await te().hasPassedElement(pi, 'GetEmFedSubProcess');

      // when 5 more minutes pass
      await te().increaseTime(5 * MINUTE);

      // then
      await completedAt(pi, 'KidsAreAtSchoolEndEvent');
      await te().hasNotPassedElement(pi, 'MakeThemReadyTask');
      await te().hasNotPassedElement(pi, 'RunningLateBoundaryEvent');
    });
  });

  describe('c8ex-rollback-on-error.bpmn', () => {
    it('creates jobs whose types come from variables and completes at ProcessCompleteEndEvent', async () => {
      // given
      await deploy('c8ex-rollback-on-error.bpmn');
      const pi = await create('RollbackOnErrorProcess');

      // when the user task is completed with the job types
      const task = await takeJob(USER_TASK, pi);
      expect(task.elementId).toBe('EnterDataTask');
      expect(task.customHeaders.rollbackOnError).toBe('validateDataType, saveDataType');
      await complete(task, { validateDataType: 'v-1', saveDataType: 's-1' });

      // then jobs of exactly those types appear, one after the other
      await noJob('s-1');
      const v = await completeNext('v-1', pi);
      expect(v.elementId).toBe('ValidateDataTask');
      const s = await completeNext('s-1', pi);
      expect(s.elementId).toBe('SaveDataTask');
      await completedAt(pi, 'ProcessCompleteEndEvent');
    });
  });

  describe('c8ex-async-retry-counter.bpmn', () => {
    it('retries after a fail message and completes at AsyncMessagingDoneEndEvent on success', async () => {
      // given
      await deploy('c8ex-async-retry-counter.bpmn');
      const pi = await create('AsyncRetryCounterProcess', { callbackId: '123' });
      await completeNext('sendMessage', pi, { retryCounter: 1 });
      await te().isWaitingAtElements(pi, ['Gateway_0lo9ey2'], true);

      // when the call-back reports a failure and the retry delay passes
      await publish('fail', '123');
      await te().isWaitingAtElements(pi, ['DeferRetryEvent'], true);
      await noJob('sendMessage');
      await te().increaseTime(5000);

      // then a new sendMessage job appears
      await completeNext('sendMessage', pi, { retryCounter: 2 });

      // when the call-back reports success
      await publish('success', '123');

      // then
      await completedAt(pi, 'AsyncMessagingDoneEndEvent');
      await te().hasPassedElement(pi, 'SendMessageTask', 2);
    });
  });

  describe('c8ex-multi-instance-call-activity.bpmn', () => {
    it('collects the child results in input order into resultList and completes at Event_02e5cqb', async () => {
      // given one deployment holding two processes
      const [dep] = await deploy('c8ex-multi-instance-call-activity.bpmn');
      expect(dep.deployments.map((d: any) => d.process?.bpmnProcessId).sort()).toEqual(['ElementCreationProcess', 'MICallActivityProcess']);
      const pi = await create('MICallActivityProcess');

      // when the sequence is created
      await completeNext('sequenceCreation', pi, { sequence: [1, 2, 3] });

      // then three child instances each have one elementCreation job
      const jobs = await activate('elementCreation', 3);
      expect(jobs.map((j) => j.variables.element).sort()).toEqual([1, 2, 3]);
      expect(new Set(jobs.map((j) => j.processInstanceKey)).size).toBe(3);

      // when they complete in reverse order
      for (const j of [...jobs].sort((a, b) => b.variables.element - a.variables.element)) {
        await complete(j, { result: j.variables.element * 10 });
      }

      // then the result list follows the input order
      const logging = await takeJob('resultLogging', pi);
      expect(logging.variables.resultList).toEqual([10, 20, 30]);
      await complete(logging);
      await completedAt(pi, 'Event_02e5cqb');
      expect(await te().variable(pi, 'resultList')).toEqual([10, 20, 30]);
    });
  });

  describe('c8ex-request-state.bpmn', () => {
    it('answers state requests in a non-interrupting event subprocess and completes at Event_0iwvm60', async () => {
      // given
      await deploy('c8ex-request-state.bpmn');
      const pi = await create('request-state-process', { myId: 'r1' });

      // when the state is requested while task1 waits
      await publish('RequestStateMessage', 'r1');

      // then a request-state-task job appears and task1 is untouched
      const req1 = await takeJob('request-state-task', pi);
      expect(req1.elementId).toBe('Event_0l8v0bk');
      await completeNext('task1', pi);
      await te().increaseTime(30_000);
      await completeNext('task2', pi);

      // when the state is requested a second time
      await publish('RequestStateMessage', 'r1');
      const req2 = await takeJob('request-state-task', pi);
      await te().increaseTime(30_000);
      await completeNext('task3', pi);
      await te().increaseTime(30_000);
      await completeNext('task4', pi);

      // then the main flow ended but the instance waits for the open request jobs
      await te().hasPassedElement(pi, 'Event_0iwvm60');
      await te().isActive(pi);
      await complete(req1);
      await te().isActive(pi);
      await complete(req2);

      // then
      await completedAt(pi, 'Event_0iwvm60');
      await te().hasPassedElement(pi, 'Event_0l8v0bk', 2);
    });
  });

  describe('c8ex-twitter-review.bpmn', () => {
    it('publishes an approved tweet (end_event_tweet_published)', async () => {
      // given
      await deploy('c8ex-twitter-review.bpmn');
      const pi = await create('TwitterDemoProcess', { tweet: 'Hello world', boss: 'Zeebot', author: 'bernd' });

      // when the boss approves
      const review = await takeJob(USER_TASK, pi);
      expect(review.elementId).toBe('user_task_review_tweet');
      expect(review.customHeaders['io.camunda.zeebe:assignee']).toBe('Zeebot');
      await complete(review, { approved: true });
      await completeNext('publishTweet', pi);

      // then
      await completedAt(pi, 'end_event_tweet_published');
    });

    it('rejects a tweet that is not approved (end_event_tweet_rejected)', async () => {
      // given
      const pi = await create('TwitterDemoProcess', { tweet: 'Hello world', boss: 'Zeebot', author: 'bernd' });

      // when
      await complete(await takeJob(USER_TASK, pi), { approved: false });
      await noJob('publishTweet');
      await completeNext('sendRejection', pi);

      // then
      await completedAt(pi, 'end_event_tweet_rejected');
    });
  });

  describe('c8ex-payment-process.bpmn', () => {
    it('completes at PaymentCompletedEndEvent when the credit covers everything', async () => {
      // given
      await deploy('c8ex-payment-process.bpmn');
      const pi = await create('paymentProcess');

      // when
      await completeNext('customerCreditHandling', pi, { remainingAmount: 0 });

      // then
      await completedAt(pi, 'PaymentCompletedEndEvent');
      await te().hasPassedElement(pi, 'NoCreditCardPaymentRequiredEvent');
      await te().hasNotPassedElement(pi, 'ChargeCreditCardTask');
    });

    it('charges the credit card with openAmount = the rest and completes at PaymentCompletedEndEvent', async () => {
      // given
      const pi = await create('paymentProcess');

      // when
      await completeNext('customerCreditHandling', pi, { remainingAmount: 10 });

      // then
      const charge = await takeJob('creditCardCharging', pi);
      expect(charge.variables.openAmount).toBe(10);
      await complete(charge);
      await completedAt(pi, 'PaymentCompletedEndEvent');
      expect(await te().variable(pi, 'openAmount')).toBeUndefined();
    });
  });

  describe('c8ex-synchronous-response.bpmn', () => {
    it('answers through a message-throw job of type responseFor_42 and completes at Event_1qo0rla', async () => {
      // given
      await deploy('c8ex-synchronous-response.bpmn');
      const result = zbc().createProcessInstanceWithResult({ bpmnProcessId: 'responseProcess', variables: { requestId: '42' }, requestTimeout: 20_000 });

      // when
      const calc = await takeJob('calculateSomething');
      const pi = calc.processInstanceKey;
      await complete(calc);
      await te().hasPassedElement(pi, 'Event_0m7q448');
      const response = await takeJob('responseFor_42', pi);
      expect(response.elementId).toBe('Event_19o6q23');
      await complete(response);

      // then
      expect((await result).processInstanceKey).toBe(pi);
      await completedAt(pi, 'Event_1qo0rla');
      await te().hasPassedElement(pi, 'Event_0mgrigj');
    });
  });

  describe('c8ex-backup-call-api.bpmn', () => {
    it('raises UNHANDLED_ERROR_EVENT at Event_0a68kjb without a backupId', async () => {
      // given
      await deploy('c8ex-backup-call-api.bpmn');

      // when
      const pi = await create('Process_callBackupApi');

      // then
      const incident = await te().hasIncident(pi, 'UNHANDLED_ERROR_EVENT', 'Event_0a68kjb');
      expect(incident.errorMessage).toContain('BACKUP_FAIL');
      await te().isActive(pi);
      expect(await te().variable(pi, 'retryCount')).toBe(0);
      expect(await te().variable(pi, 'maxTries')).toBe(6);
      expect(await te().variable(pi, 'waitTime')).toBe('PT5S');
      expect(await te().variable(pi, 'serviceName')).toBeNull();
    });

    it('starts a backup, waits waitTime and completes at Event_1csulpg once the state is COMPLETED', async () => {
      // given
      const pi = await create('Process_callBackupApi', { backupId: 7, serviceName: 'zeebe-gateway', servicePort: '9600', pathPrefix: '' });

      // when the start call is made
      const start = await takeJob('io.camunda:http-json:1', pi);
      expect(start.elementId).toBe('Activity_16as3sg');
      expect(start.variables).toMatchObject({
        authentication: { type: 'noAuth' },
        method: 'POST',
        url: 'http://camunda-zeebe-gateway:9600/actuator/backups',
        headers: { 'Content-Type': 'application/json' },
        connectionTimeoutInSeconds: '20',
        body: { backupId: 7 },
      });
      expect(Object.keys(start.customHeaders)).toEqual(expect.arrayContaining(['resultVariable', 'retryBackoff']));
      await complete(start);

      // then the next call waits for the 5 s timer
      await noJob('io.camunda:http-json:1');
      await te().increaseTime(5000);
      await te().hasVariable(pi, 'retryCount', 1);
      const check = await takeJob('io.camunda:http-json:1', pi);
      expect(check.elementId).toBe('Activity_1tyrzdg');
      expect(check.variables).toMatchObject({ method: 'GET', url: 'http://camunda-zeebe-gateway:9600/actuator/backups/7' });
      await complete(check, { state: 'COMPLETED' });

      // then
      await completedAt(pi, 'Event_1csulpg');
    });

    it('completes at Event_1csulpg with only {backupId: 7} (the url is null)', async () => {
      // given
      const pi = await create('Process_callBackupApi', { backupId: 7 });

      // when
      await completeNext('io.camunda:http-json:1', pi);
      await te().increaseTime(5000);
      await completeNext('io.camunda:http-json:1', pi, { state: 'COMPLETED' });

      // then
      await completedAt(pi, 'Event_1csulpg');
      expect(te().incidents(pi)).toEqual([]);
    });
  });

  describe('node-signal-start.bpmn', () => {
    it('starts an instance per broadcast test-signal, completing at Event_0jluwfy', async () => {
      // given
      await deploy('node-signal-start.bpmn');

      // when
      await zbc().broadcastSignal({ signalName: 'test-signal', variables: { success: true } });
      await te().waitForIdle();

      // then
      const [pi, ...more] = await instancesOf('Signal');
      expect(more).toEqual([]);
      const job = await takeJob('signal-service-task', pi);
      expect(job.variables.success).toBe(true);
      await complete(job);
      await completedAt(pi, 'Event_0jluwfy');
    });
  });

  describe('node-msg-start-two-processes.bpmn', () => {
    it('deploys two processes, each started by its own message', async () => {
      // given
      const [dep] = await deploy('node-msg-start-two-processes.bpmn');
      expect(dep.deployments.map((d: any) => d.process?.bpmnProcessId).sort()).toEqual(['emit-frame-process', 'msg-start-process']);

      // when MSG-START_JOB is published
      await publish('MSG-START_JOB', '');

      // then
      const [pi1, ...more1] = await instancesOf('msg-start-process');
      expect(more1).toEqual([]);
      const log = await takeJob('console-log-msg', pi1);
      expect(log.retries).toBe(5);
      expect(log.customHeaders.message).toBe('Workflow started via MSG-START in');
      await complete(log);
      await completedAt(pi1, 'EndEvent_115574o');
      expect(await instancesOf('emit-frame-process')).toEqual([]);

      // when MSG-EMIT_FRAME is published
      await publish('MSG-EMIT_FRAME', '');

      // then
      const [pi2, ...more2] = await instancesOf('emit-frame-process');
      expect(more2).toEqual([]);
      const frame = await takeJob('console-log', pi2);
      expect(frame.customHeaders.message).toBe('Workflow started via MSG-EMIT_FRAME in');
      await complete(frame);
      await completedAt(pi2, 'EndEvent_1tvtelu');
    });
  });

  describe('sdk-throw-error.bpmn', () => {
    it('catches BUSINESS_ERROR on the subprocess, maps `something` and completes at EndEvent_0cwovsu', async () => {
      // given
      await deploy('sdk-throw-error.bpmn');
      const result = zbc().createProcessInstanceWithResult({ bpmnProcessId: 'throw-bpmn-error', variables: {}, requestTimeout: 20_000 });

      // when the worker throws the business error
      const job = await takeJob('throw-bpmn-error-task');
      const pi = job.processInstanceKey;
      await zbc().throwError({ jobKey: job.key, errorCode: 'BUSINESS_ERROR', errorMessage: 'Well, that did not work', variables: { something: 'someValue' } });
      await te().waitForIdle();

      // then the sad flow runs
      await completeNext('sad-flow', pi, { bpmnErrorCaught: true });

      // then
      const r = await result;
      expect(r.variables).toMatchObject({ bpmnErrorCaught: true, something: 'someValue' });
      await completedAt(pi, 'EndEvent_0cwovsu');
      await te().hasPassedElement(pi, 'IntermediateThrowEvent_0zfx5n9');
      await te().hasNotPassedElement(pi, 'EndEvent_1hj6q7z');
    });
  });

  describe('sdk-worker-failure-backoff.bpmn', () => {
    it('honours retryBackOff, then takes Path A and completes at EndEvent_1g2ztlo', async () => {
      // given
      await deploy('sdk-worker-failure-backoff.bpmn');
      const pi = await create('worker-failure-backoff', { conditionVariable: true });
      const job = await takeJob('wait-worker-failure-backoff', pi);
      expect(job.retries).toBe(3);

      // when the worker fails it with a 2 s back-off
      await zbc().failJob({ jobKey: job.key, retries: 1, retryBackOff: 2000, errorMessage: 'backing off' });

      // then it cannot be activated before the back-off elapsed
      await noJob('wait-worker-failure-backoff');
      await te().increaseTime(1900);
      await noJob('wait-worker-failure-backoff');
      await te().increaseTime(100);
      const again = await takeJob('wait-worker-failure-backoff', pi);
      expect(again.key).toBe(job.key);
      expect(again.retries).toBe(1);

      // when
      await complete(again);
      await noJob('pathB-worker-failure-backoff');
      await completeNext('pathA-worker-failure-backoff', pi);

      // then
      await completedAt(pi, 'EndEvent_1g2ztlo');
    });
  });

  describe('sdk-update-job-no-incoming-outgoing.bpmn', () => {
    it('builds the graph from sequence flows alone, honours job timeouts and completes at EndEvent_1', async () => {
      // given
      await deploy('sdk-update-job-no-incoming-outgoing.bpmn');
      const pi = await create('UpdateJobTestProcess', { foo: 'bar' });

      // when the job is activated with a 5 s timeout
      const job = await takeJob('update-job-type', pi, 5000);
      expect(job.retries).toBe(3);

      // then it is activatable again only once the timeout passed
      await te().increaseTime(4900);
      await noJob('update-job-type');
      await te().increaseTime(100);
      const again = await takeJob('update-job-type', pi, 5000);
      expect(again.key).toBe(job.key);

      // when the timeout is updated to 10 s
      await zbc().updateJobTimeout({ jobKey: again.key, timeout: 10_000 });
      await te().increaseTime(9900);
      await noJob('update-job-type');
      await te().increaseTime(100);
      const third = await takeJob('update-job-type', pi);
      expect(third.key).toBe(job.key);

      // when
      await complete(third);

      // then
      await completedAt(pi, 'EndEvent_1');
    });
  });
});
