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

/** The corpus lives outside the repository (CI has it beside the clone); CONFORMANCE_DIR names it. */
const MODELS = path.resolve(process.env.CONFORMANCE_DIR ?? path.join(__dirname, '../../../shared/conformance'));
const model = (file: string) => path.join(MODELS, file);

type ZeebeClient = ReturnType<TestEngine['client']>;
type Vars = Record<string, any>;
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
      const got = await zbc.activateJobs({
        type,
        worker: 'conformance',
        maxJobsToActivate: n - jobs.length,
        timeout,
        requestTimeout: 1000,
      });
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
    const jobs = await zbc.activateJobs({
      type,
      worker: 'conformance',
      maxJobsToActivate: 10,
      timeout: 600_000,
      requestTimeout: -1,
    });
    expect(jobs.map((j) => `${j.type}@${j.elementId}`)).toEqual([]);
  }

  async function complete(job: AnyJob, variables: Vars = {}): Promise<void> {
    await h().zbc.completeJob({ jobKey: job.key, variables });
    await h().te.waitForIdle();
  }

  /** Activates the next job of `type` and completes it. */
  async function completeNext(type: string, pi?: string, variables: Vars = {}): Promise<AnyJob> {
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

  async function create(bpmnProcessId: string, variables: Vars = {}): Promise<string> {
    const r = await h().zbc.createProcessInstance({ bpmnProcessId, variables });
    await h().te.waitForIdle();
    return r.processInstanceKey;
  }

  /** Keys of the process instances of a process id, oldest first (from the record log). */
  async function instancesOf(bpmnProcessId: string): Promise<string[]> {
    const recs = await h().te.records({ valueType: 'PROCESS_INSTANCE', limit: 1_000_000 });
    return recs
      .filter(
        (r) =>
          r.intent === 'ELEMENT_ACTIVATED' &&
          r.value.bpmnElementType === 'PROCESS' &&
          r.value.bpmnProcessId === bpmnProcessId,
      )
      .map((r) => r.key);
  }

  /** Completed at the named end event. */
  async function completedAt(pi: string, endEventId: string): Promise<void> {
    await h().te.isCompleted(pi);
    await h().te.hasPassedElement(pi, endEventId);
  }

  async function publish(name: string, correlationKey: string, variables: Vars = {}, timeToLive = 0) {
    const r = await h().zbc.publishMessage({ name, correlationKey, variables, timeToLive });
    await h().te.waitForIdle();
    return r;
  }

  /** How often an element completed in an instance. */
  async function passedCount(pi: string, elementId: string): Promise<number> {
    const recs = await h().te.records({ processInstanceKey: pi, valueType: 'PROCESS_INSTANCE' });
    return recs.filter((r) => r.value.elementId === elementId && r.intent === 'ELEMENT_COMPLETED').length;
  }

  /** Cancels an instance a test leaves behind on purpose (incident paths), keeping the shared engine tidy. */
  async function cancel(pi: string): Promise<void> {
    await h().zbc.cancelProcessInstance(pi);
    await h().te.isTerminated(pi);
  }

  /** Completes the three runTests jobs of a pr-created child instance. */
  async function runAllTests(): Promise<void> {
    const runs = await activate('runTests', 3);
    expect(runs).toHaveLength(3);
    for (const j of runs) await complete(j);
  }

  return {
    activate,
    takeJob,
    noJob,
    complete,
    completeNext,
    deploy,
    create,
    instancesOf,
    completedAt,
    publish,
    passedCount,
    cancel,
    runAllTests,
  };
}

const USER_TASK = 'io.camunda.zeebe:userTask';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe(`conformance models (${MODELS})`, () => {
  let shared: Harness;
  const {
    activate,
    takeJob,
    noJob,
    complete,
    completeNext,
    deploy,
    create,
    instancesOf,
    completedAt,
    publish,
    passedCount,
    cancel,
    runAllTests,
  } = helpers(() => shared);
  const te = () => shared.te;
  const zbc = () => shared.zbc;

  beforeAll(async () => {
    shared = await newHarness();
  });

  afterAll(async () => {
    await shared?.stop();
  });

  describe('zpt-pr-created.bpmn (+ zpt-automated-tests.bpmn)', () => {
    beforeAll(async () => {
      await deploy('zpt-automated-tests.bpmn', 'zpt-pr-created.bpmn');
    });

    it('runs the happy path from the prCreated message to Event_12sbcc5', async () => {
      // given both processes are deployed

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

    it('reminds the reviewer after a day, then re-opens the event-based gateway', async () => {
      // given a second PR waiting for its review
      await publish('prCreated', '', { prId: 'rem-1' });
      const pi = (await instancesOf('prCreatedProcess')).pop()!;
      await complete(await takeJob(USER_TASK, pi));
      await runAllTests();
      await te().isWaitingAtElements(pi, ['Gateway_1wymgxc']);

      // when a day passes without a review
      await te().increaseTime(DAY);

      // then the reviewer is reminded and the message subscription is closed meanwhile
      const subs = await te().records({ processInstanceKey: pi, valueType: 'MESSAGE_SUBSCRIPTION' });
      expect(subs.map((r) => r.intent)).toEqual(['CREATED', 'DELETED']);
      await completeNext('remindReviewer', pi);

      // when the gateway is open again and the approval arrives
      await te().isWaitingAtElements(pi, ['Gateway_1wymgxc']);
      await publish('reviewReceived', 'rem-1', { reviewResult: 'approved' });
      await complete(await takeJob(USER_TASK, pi));
      await completeNext('deploySnapshot', pi);

      // then
      await completedAt(pi, 'Event_12sbcc5');
      const order = (await te().records({ processInstanceKey: pi, valueType: 'PROCESS_INSTANCE' }))
        .filter(
          (r) =>
            r.intent === 'ELEMENT_COMPLETED' &&
            ['requestReview', 'remindReviewer', 'mergeCode', 'deploySnapshot'].includes(r.value.elementId as string),
        )
        .map((r) => r.value.elementId);
      expect(order).toEqual(['requestReview', 'remindReviewer', 'mergeCode', 'deploySnapshot']);
    });

    it('sends a rejected PR back through makeChanges and requestReview', async () => {
      // given
      await publish('prCreated', '', { prId: 'rej-1' });
      const pi = (await instancesOf('prCreatedProcess')).pop()!;
      await complete(await takeJob(USER_TASK, pi));
      await runAllTests();

      // when the review rejects the PR
      await publish('reviewReceived', 'rej-1', { reviewResult: 'rejected' });

      // then changes are made and the review is requested again
      const changes = await takeJob(USER_TASK, pi);
      expect(changes.elementId).toBe('makeChanges');
      await complete(changes);
      const again = await takeJob(USER_TASK, pi);
      expect(again.elementId).toBe('requestReview');
      await complete(again);

      // when it is approved
      await publish('reviewReceived', 'rej-1', { reviewResult: 'approved' });
      const merge = await takeJob(USER_TASK, pi);
      expect(merge.elementId).toBe('mergeCode');
      await complete(merge);
      await completeNext('deploySnapshot', pi);

      // then
      await completedAt(pi, 'Event_12sbcc5');
      expect(await passedCount(pi, 'requestReview')).toBe(2);
    });

    it('raises CONDITION_ERROR at Gateway_0febbwp for an unknown review result', async () => {
      // given
      await publish('prCreated', '', { prId: 'odd-1' });
      const pi = (await instancesOf('prCreatedProcess')).pop()!;
      await complete(await takeJob(USER_TASK, pi));
      await runAllTests();

      // when
      await publish('reviewReceived', 'odd-1', { reviewResult: 'maybe' });

      // then
      await te().hasIncident(pi, 'CONDITION_ERROR', 'Gateway_0febbwp');
      await cancel(pi);
    });
  });

  describe('zpt-automated-tests.bpmn', () => {
    beforeAll(async () => {
      await deploy('zpt-automated-tests.bpmn');
    });

    it('runs one runTests job per operating system and completes at Event_0mdz5cy', async () => {
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
    beforeAll(async () => {
      await deploy('zpt-timer-events-terminate.bpmn');
    });

    it('completes at EndEvent_FastFlow after 1 s and cancels the 30-day timer', async () => {
      // given
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
      expect(timers.filter((r) => r.value.targetElementId === 'TimerEvent_Wait30d').map((r) => r.intent)).toEqual([
        'CREATED',
        'CANCELED',
      ]);
    });

    it('ends at EndEvent_SlowFlow after 30 days and cancels the open job', async () => {
      // given
      const pi = await create('Process_Timer_Test_01');
      const job = await takeJob('SimpleLog01', pi);

      // when 30 days pass
      await te().increaseTime(30 * DAY);

      // then
      await completedAt(pi, 'EndEvent_SlowFlow');
      await te().hasNotPassedElement(pi, 'EndEvent_FastFlow');
      await expect(zbc().completeJob({ jobKey: job.key, variables: {} })).rejects.toMatchObject({ code: 5 });
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
    beforeAll(async () => {
      await deploy('zpt-message-event.bpmn');
    });

    it('waits at Event_1qemgo0 and completes at Event_1pevv8z after the message', async () => {
      // given
      const pi = await create('message-event', { correlationKey: 'k1' });

      // then
      await te().isWaitingAtElements(pi, ['Event_1qemgo0'], true);

      // when
      await publish('message', 'k1');

      // then
      await completedAt(pi, 'Event_1pevv8z');
    });

    it('correlates a buffered message when the subscription opens', async () => {
      // given a message published before the instance exists, with a TTL
      await publish('message', 'k2', {}, 60_000);

      // when
      const pi = await create('message-event', { correlationKey: 'k2' });

      // then
      await completedAt(pi, 'Event_1pevv8z');
    });
  });

  describe('zpt-message-start-event.bpmn', () => {
    beforeAll(async () => {
      await deploy('zpt-message-start-event.bpmn');
    });

    it('starts an instance per published start-message, completing at Event_0hmgljx', async () => {
      // given
      expect(await instancesOf('message-start-event')).toEqual([]);

      // when
      await publish('start-message', '');

      // then
      const [pi, ...more] = await instancesOf('message-start-event');
      expect(more).toEqual([]);
      await completedAt(pi, 'Event_0hmgljx');
    });

    it('starts one more instance per further publication', async () => {
      // when
      await publish('start-message', '');
      await publish('start-message', 'some-key');

      // then
      const all = await instancesOf('message-start-event');
      expect(all).toHaveLength(3);
      for (const pi of all) await completedAt(pi, 'Event_0hmgljx');
    });
  });

  describe('zpt-looping-servicetask.bpmn', () => {
    beforeAll(async () => {
      await deploy('zpt-looping-servicetask.bpmn');
    });

    it('runs exactly 3 test jobs one after another and completes with loopAmount = 3', async () => {
      // given
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

    it('raises JOB_NO_RETRIES at servicetask when the job fails without retries', async () => {
      // given
      const pi = await create('looping-servicetask', { totalLoops: 3 });
      const job = await takeJob('test', pi);

      // when
      await zbc().failJob({ jobKey: job.key, retries: 0, errorMessage: 'boom', retryBackOff: 0 });

      // then
      const incident = await te().hasIncident(pi, 'JOB_NO_RETRIES', 'servicetask');
      expect(incident.errorMessage).toBe('boom');
      await cancel(pi);
    });
  });

  describe('zpt-multiple-tasks.bpmn', () => {
    beforeAll(async () => {
      await deploy('zpt-multiple-tasks.bpmn');
    });

    it('opens three test jobs at once and completes with loopAmount = 1', async () => {
      // given
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

    it('raises CALLED_ELEMENT_ERROR without the callee; once start-end is deployed, parent and child complete at once', async () => {
      // given only the caller is deployed
      await o.deploy('zpt-call-activity.bpmn');

      // when
      const first = await o.create('call-activity');

      // then
      const incident = await own.te.hasIncident(first, 'CALLED_ELEMENT_ERROR', 'callactivity');
      await own.te.isActive(first);

      // when the callee is deployed and a new instance created
      await o.deploy('zpt-start-end.bpmn');
      const pi = await o.create('call-activity');

      // then the child completed at Event_0ahcnkn and points at its parent and the call activity
      const children = (await own.te.records({ valueType: 'PROCESS_INSTANCE', limit: 1_000_000 })).filter(
        (r) =>
          r.intent === 'ELEMENT_ACTIVATED' &&
          r.value.bpmnElementType === 'PROCESS' &&
          r.value.bpmnProcessId === 'start-end' &&
          r.value.parentProcessInstanceKey === pi,
      );
      expect(children).toHaveLength(1);
      const callRec = (await own.te.records({ processInstanceKey: pi, valueType: 'PROCESS_INSTANCE' })).find(
        (r) => r.value.elementId === 'callactivity',
      );
      expect(children[0].value.parentElementInstanceKey).toBe(callRec!.key);
      await o.completedAt(children[0].key, 'Event_0ahcnkn');
      await o.completedAt(pi, 'Event_1w612bd');

      // when the first instance's incident is resolved
      await own.zbc.resolveIncident({ incidentKey: incident.key });
      await own.te.waitForIdle();

      // then it completes too
      await o.completedAt(first, 'Event_1w612bd');
    });
  });

  describe('zpt-start-end.bpmn', () => {
    beforeAll(async () => {
      await deploy('zpt-start-end.bpmn');
    });

    it('completes at Event_0ahcnkn as soon as it is created', async () => {
      // when
      const r = await zbc().createProcessInstanceWithResult({
        bpmnProcessId: 'start-end',
        variables: { x: 1 },
        requestTimeout: 10_000,
      });

      // then
      expect(r.variables).toEqual({ x: 1 });
      await completedAt(r.processInstanceKey, 'Event_0ahcnkn');
    });
  });

  describe('c8ex-get-up.bpmn', () => {
    beforeAll(async () => {
      await deploy('c8ex-get-up.bpmn');
    });

    it('gets the kids to school in 35 simulated minutes, completing at KidsAreAtSchoolEndEvent', async () => {
      // given
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

    it('loops back on "in bed" without preparing breakfast again', async () => {
      // given
      const pi = await create('GetUpProcess');
      await completeNext('callKids', pi);
      await te().increaseTime(15 * MINUTE);

      // when the kids are still in bed
      await completeNext('checkProgress', pi, { progress: 'in bed' });

      // then they are called again, and breakfast is not prepared twice
      await completeNext('callKids', pi);
      expect(await passedCount(pi, 'PrepareBreakfastTask')).toBe(1);

      // when they are dressing (5-minute wait), then ready
      await te().increaseTime(15 * MINUTE);
      await completeNext('checkProgress', pi, { progress: 'dressing' });
      await noJob('checkProgress');
      await te().increaseTime(5 * MINUTE);
      await completeNext('checkProgress', pi, { progress: 'ready' });
      await te().increaseTime(15 * MINUTE);
      await te().increaseTime(5 * MINUTE);

      // then
      await completedAt(pi, 'KidsAreAtSchoolEndEvent');
      await te().hasPassedElement(pi, 'KidsAreFedEndEvent');
      expect(await passedCount(pi, 'TellKidsToGetUpTask')).toBe(2);
    });

    it('interrupts the subprocess when running late (PT1H boundary wins over a later inner timer)', async () => {
      // given: in bed at 15 and 30 min, dressing at 45, ready at 50 min
      const pi = await create('GetUpProcess');
      await completeNext('callKids', pi);
      for (const progress of ['in bed', 'in bed']) {
        await te().increaseTime(15 * MINUTE);
        await completeNext('checkProgress', pi, { progress });
        await completeNext('callKids', pi);
      }
      await te().increaseTime(15 * MINUTE);
      await completeNext('checkProgress', pi, { progress: 'dressing' });
      await te().increaseTime(5 * MINUTE);
      await completeNext('checkProgress', pi, { progress: 'ready' });

      // when 15 more minutes pass: the boundary is due at 60 min, breakfast would end at 65
      await te().increaseTime(15 * MINUTE);

      // then the subprocess is interrupted and the tail runs
      await te().hasPassedElement(pi, 'RunningLateBoundaryEvent');
      await te().hasPassedElement(pi, 'MakeThemReadyTask');
      await te().increaseTime(5 * MINUTE);
      await completedAt(pi, 'KidsAreAtSchoolEndEvent');
      await te().hasNotPassedElement(pi, 'KidsAreFedEndEvent');
    });
  });

  describe('c8ex-rollback-on-error.bpmn', () => {
    beforeAll(async () => {
      await deploy('c8ex-rollback-on-error.bpmn');
    });

    it('creates jobs whose types come from variables and completes at ProcessCompleteEndEvent', async () => {
      // given
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

    it('raises an incident at ValidateDataTask without a job type, and continues after SetVariables + ResolveIncident', async () => {
      // given
      const pi = await create('RollbackOnErrorProcess');

      // when the user task is completed without the job types
      await complete(await takeJob(USER_TASK, pi), {});

      // then the job type expression has no value (type unsure in the README; EXTRACT_VALUE_ERROR in Zeebe)
      const incident = await te().hasIncident(pi, 'EXTRACT_VALUE_ERROR', 'ValidateDataTask');

      // when the types are set and the incident resolved
      await zbc().setVariables({
        elementInstanceKey: pi,
        variables: { validateDataType: 'v-2', saveDataType: 's-2' },
        local: false,
      });
      await zbc().resolveIncident({ incidentKey: incident.key });
      await te().waitForIdle();

      // then
      await completeNext('v-2', pi);
      await completeNext('s-2', pi);
      await completedAt(pi, 'ProcessCompleteEndEvent');
    });
  });

  describe('c8ex-async-retry-counter.bpmn', () => {
    beforeAll(async () => {
      await deploy('c8ex-async-retry-counter.bpmn');
    });

    it('retries after a fail message and completes at AsyncMessagingDoneEndEvent on success', async () => {
      // given
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

    it('recovers from JOB_NO_RETRIES with UpdateJobRetries and ResolveIncident', async () => {
      // given
      const pi = await create('AsyncRetryCounterProcess', { callbackId: '456' });
      const job = await takeJob('sendMessage', pi);

      // when the worker gives up
      await zbc().failJob({ jobKey: job.key, retries: 0, errorMessage: 'no more', retryBackOff: 0 });
      const incident = await te().hasIncident(pi, 'JOB_NO_RETRIES', 'SendMessageTask');
      await noJob('sendMessage');

      // when an operator gives it a retry and resolves the incident
      await zbc().updateJobRetries({ jobKey: job.key, retries: 1 });
      await zbc().resolveIncident({ incidentKey: incident.key });
      await te().waitForIdle();

      // then the job is back; complete it and report success
      const again = await takeJob('sendMessage', pi);
      expect(again.key).toBe(job.key);
      expect(again.retries).toBe(1);
      await complete(again);
      await publish('success', '456');
      await completedAt(pi, 'AsyncMessagingDoneEndEvent');
      expect(te().incidents(pi)).toEqual([]);
    });

    it('raises an incident at Gateway_0lo9ey2 without callbackId, and continues once it is set', async () => {
      // given
      const pi = await create('AsyncRetryCounterProcess');

      // when
      await completeNext('sendMessage', pi);

      // then the correlation key is null when the gateway opens its subscriptions
      const incident = await te().hasIncident(pi, 'EXTRACT_VALUE_ERROR', 'Gateway_0lo9ey2');

      // when
      await zbc().setVariables({ elementInstanceKey: pi, variables: { callbackId: '789' }, local: false });
      await zbc().resolveIncident({ incidentKey: incident.key });
      await te().waitForIdle();
      await publish('success', '789');

      // then
      await completedAt(pi, 'AsyncMessagingDoneEndEvent');
    });
  });

  describe('c8ex-multi-instance-call-activity.bpmn', () => {
    let dep: Awaited<ReturnType<typeof deploy>>[number];
    beforeAll(async () => {
      [dep] = await deploy('c8ex-multi-instance-call-activity.bpmn');
    });

    it('collects the child results in input order into resultList and completes at Event_02e5cqb', async () => {
      // given one deployment holding two processes
      expect(dep.deployments.map((d: any) => d.process?.bpmnProcessId).sort()).toEqual([
        'ElementCreationProcess',
        'MICallActivityProcess',
      ]);
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

    it('finishes the multi-instance body at once for an empty sequence (resultList = [])', async () => {
      // given
      const pi = await create('MICallActivityProcess');

      // when
      await completeNext('sequenceCreation', pi, { sequence: [] });

      // then
      const logging = await takeJob('resultLogging', pi);
      expect(logging.variables.resultList).toEqual([]);
      await complete(logging);
      await completedAt(pi, 'Event_02e5cqb');
      await noJob('elementCreation');
    });
  });

  describe('c8ex-request-state.bpmn', () => {
    beforeAll(async () => {
      await deploy('c8ex-request-state.bpmn');
    });

    it('answers state requests in a non-interrupting event subprocess and completes at Event_0iwvm60', async () => {
      // given
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

    it('raises an incident when myId is missing, and runs once it is set and the incident resolved', async () => {
      // given / when
      const pi = await create('request-state-process');

      // then the event subprocess subscription cannot be opened when the process activates: as in
      // Zeebe, the incident is on the process element itself (type and element unsure in the README)
      const incident = await te().hasIncident(pi, 'EXTRACT_VALUE_ERROR', 'request-state-process');
      await noJob('task1');

      // when
      await zbc().setVariables({ elementInstanceKey: pi, variables: { myId: 'r2' }, local: false });
      await zbc().resolveIncident({ incidentKey: incident.key });
      await te().waitForIdle();

      // then the main flow runs and the subscription uses the new key
      await publish('RequestStateMessage', 'r2');
      const req = await takeJob('request-state-task', pi);
      await completeNext('task1', pi);
      await te().increaseTime(30_000);
      await completeNext('task2', pi);
      await te().increaseTime(30_000);
      await completeNext('task3', pi);
      await te().increaseTime(30_000);
      await completeNext('task4', pi);
      await complete(req);
      await completedAt(pi, 'Event_0iwvm60');
    });
  });

  describe('c8ex-twitter-review.bpmn', () => {
    beforeAll(async () => {
      await deploy('c8ex-twitter-review.bpmn');
    });

    it('publishes an approved tweet (end_event_tweet_published)', async () => {
      // given
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

    it('handles a duplicate tweet error and goes back to the review', async () => {
      // given an approved tweet
      const pi = await create('TwitterDemoProcess', { tweet: 'Hello world', boss: 'Zeebot', author: 'bernd' });
      await complete(await takeJob(USER_TASK, pi), { approved: true });

      // when publishing reports a duplicate
      const publishJob = await takeJob('publishTweet', pi);
      await zbc().throwError({ jobKey: publishJob.key, errorCode: 'duplicateMessage', errorMessage: 'duplicate' });
      await te().waitForIdle();

      // then the author handles it
      const handle = await takeJob(USER_TASK, pi);
      expect(handle.elementId).toBe('user_task_handle_duplicate');
      expect(handle.customHeaders['io.camunda.zeebe:assignee']).toBe('bernd');
      await complete(handle);

      // and the review starts again
      const review = await takeJob(USER_TASK, pi);
      expect(review.elementId).toBe('user_task_review_tweet');
      await complete(review, { approved: true });
      await completeNext('publishTweet', pi);
      await completedAt(pi, 'end_event_tweet_published');
      await te().hasPassedElement(pi, 'boundary_event_tweet_duplicated');
    });

    it('raises an incident at gateway_approved when the review sets no `approved`', async () => {
      // given
      const pi = await create('TwitterDemoProcess', { tweet: 'Hello world', boss: 'Zeebot', author: 'bernd' });

      // when
      await complete(await takeJob(USER_TASK, pi), {});

      // then
      // README deviation: the README's detail section expects CONDITION_ERROR ("both conditions are
      // false"). But the second condition is `=approved`, which evaluates to null when `approved`
      // is missing, and Zeebe turns a non-boolean condition result into EXTRACT_VALUE_ERROR
      // (reference/zeebe-semantics.md §6; Zeebe's ExpressionProcessor.evaluateBooleanExpression).
      await te().hasIncident(pi, 'EXTRACT_VALUE_ERROR', 'gateway_approved');
      await cancel(pi);
    });

    it('raises EXTRACT_VALUE_ERROR at user_task_review_tweet when the assignee expression (=boss) is null', async () => {
      // given / when
      const pi = await create('TwitterDemoProcess', { tweet: 'Hello world', author: 'bernd' });

      // then (Zeebe evaluates the assignee as a non-nullable string expression)
      const incident = await te().hasIncident(pi, 'EXTRACT_VALUE_ERROR', 'user_task_review_tweet');
      await noJob(USER_TASK);

      // when the boss is set and the incident resolved
      await zbc().setVariables({ elementInstanceKey: pi, variables: { boss: 'Zeebot' }, local: false });
      await zbc().resolveIncident({ incidentKey: incident.key });

      // then the review task is created with its assignee
      const review = await takeJob(USER_TASK, pi);
      expect(review.customHeaders['io.camunda.zeebe:assignee']).toBe('Zeebot');
      await complete(review, { approved: false });
      await completeNext('sendRejection', pi);
      await completedAt(pi, 'end_event_tweet_rejected');
    });
  });

  describe('c8ex-payment-process.bpmn', () => {
    beforeAll(async () => {
      await deploy('c8ex-payment-process.bpmn');
    });

    it('completes at PaymentCompletedEndEvent when the credit covers everything', async () => {
      // given
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

    it('raises CONDITION_ERROR at CreditSufficientGateway for a negative remaining amount', async () => {
      // given
      const pi = await create('paymentProcess');

      // when
      await completeNext('customerCreditHandling', pi, { remainingAmount: -5 });

      // then
      await te().hasIncident(pi, 'CONDITION_ERROR', 'CreditSufficientGateway');
      await cancel(pi);
    });

    it('catches creditCardError, maps its message and ends at PaymentFailedEndEvent once the form exists', async () => {
      // given a credit card charge
      const pi = await create('paymentProcess');
      await completeNext('customerCreditHandling', pi, { remainingAmount: 10 });
      const charge = await takeJob('creditCardCharging', pi);

      // when the card is rejected
      await zbc().throwError({
        jobKey: charge.key,
        errorCode: 'creditCardError',
        errorMessage: 'expired card',
        variables: { errorMessage: 'expired' },
      });
      await te().waitForIdle();

      // then the boundary maps the message; the linked form is missing
      await te().hasVariable(pi, 'creditCardErrorMessage', 'expired');
      const incident = await te().hasIncident(pi, 'FORM_NOT_FOUND', 'CheckPaymentDataTask');

      // when the form is deployed and the incident resolved
      const form = await zbc().deployResource({
        name: 'checkPayment.form',
        form: Buffer.from(JSON.stringify({ id: 'checkPayment', type: 'default', schemaVersion: 16, components: [] })),
      });
      await zbc().resolveIncident({ incidentKey: incident.key });
      await te().waitForIdle();

      // then the user task points at the form; giving up ends the payment as failed
      const check = await takeJob(USER_TASK, pi);
      expect(check.elementId).toBe('CheckPaymentDataTask');
      expect(check.customHeaders['io.camunda.zeebe:formKey']).toBe((form.deployments[0] as any).form.formKey);
      await complete(check, { errorResolved: false });
      await completedAt(pi, 'PaymentFailedEndEvent');
    });
  });

  describe('c8ex-synchronous-response.bpmn', () => {
    beforeAll(async () => {
      await deploy('c8ex-synchronous-response.bpmn');
    });

    it('answers through a message-throw job of type responseFor_42 and completes at Event_1qo0rla', async () => {
      // given
      const result = zbc().createProcessInstanceWithResult({
        bpmnProcessId: 'responseProcess',
        variables: { requestId: '42' },
        requestTimeout: 20_000,
      });

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

    it('raises an incident at Event_19o6q23 when requestId is missing', async () => {
      // given
      const pi = await create('responseProcess');

      // when
      await completeNext('calculateSomething', pi);

      // then ("responseFor_" + null is null: the job type cannot be evaluated; the type is unsure in the README)
      const incident = await te().hasIncident(pi, undefined, 'Event_19o6q23');
      expect(incident.errorType).toBe('EXTRACT_VALUE_ERROR');
      await cancel(pi);
    });
  });

  describe('c8ex-backup-call-api.bpmn', () => {
    beforeAll(async () => {
      await deploy('c8ex-backup-call-api.bpmn');
    });

    it('raises UNHANDLED_ERROR_EVENT at Event_0a68kjb without a backupId', async () => {
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
      const pi = await create('Process_callBackupApi', {
        backupId: 7,
        serviceName: 'zeebe-gateway',
        servicePort: '9600',
        pathPrefix: '',
      });

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
      expect(check.variables).toMatchObject({
        method: 'GET',
        url: 'http://camunda-zeebe-gateway:9600/actuator/backups/7',
      });
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

    it('gives up after maxTries timers when the backup never completes', async () => {
      // given
      const pi = await create('Process_callBackupApi', {
        backupId: 8,
        serviceName: 's',
        servicePort: '1',
        pathPrefix: '',
      });
      await completeNext('io.camunda:http-json:1', pi);

      // when every status check says PENDING
      for (let i = 1; i <= 6; i++) {
        await te().increaseTime(5000);
        await te().hasVariable(pi, 'retryCount', i);
        await completeNext('io.camunda:http-json:1', pi, { state: 'PENDING' });
      }

      // then after the 6th timer it completes anyway
      await completedAt(pi, 'Event_1csulpg');
      expect(await passedCount(pi, 'Event_1yi69fg')).toBe(6);
    });
  });

  describe('node-signal-start.bpmn', () => {
    beforeAll(async () => {
      await deploy('node-signal-start.bpmn');
    });

    it('starts an instance per broadcast test-signal, completing at Event_0jluwfy', async () => {
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

    it('starts another instance for each later broadcast', async () => {
      // when
      await zbc().broadcastSignal({ signalName: 'test-signal', variables: { success: false } });
      await te().waitForIdle();

      // then
      const all = await instancesOf('Signal');
      expect(all).toHaveLength(2);
      const job = await takeJob('signal-service-task', all[1]);
      expect(job.variables.success).toBe(false);
      await complete(job);
      await completedAt(all[1], 'Event_0jluwfy');
    });
  });

  describe('node-msg-start-two-processes.bpmn', () => {
    let dep: Awaited<ReturnType<typeof deploy>>[number];
    beforeAll(async () => {
      [dep] = await deploy('node-msg-start-two-processes.bpmn');
    });

    it('deploys two processes, each started by its own message', async () => {
      // given one resource holding two processes
      expect(dep.deployments.map((d: any) => d.process?.bpmnProcessId).sort()).toEqual([
        'emit-frame-process',
        'msg-start-process',
      ]);

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
    beforeAll(async () => {
      await deploy('sdk-throw-error.bpmn');
    });

    it('catches BUSINESS_ERROR on the subprocess, maps `something` and completes at EndEvent_0cwovsu', async () => {
      // given
      const result = zbc().createProcessInstanceWithResult({
        bpmnProcessId: 'throw-bpmn-error',
        variables: {},
        requestTimeout: 20_000,
      });

      // when the worker throws the business error
      const job = await takeJob('throw-bpmn-error-task');
      const pi = job.processInstanceKey;
      await zbc().throwError({
        jobKey: job.key,
        errorCode: 'BUSINESS_ERROR',
        errorMessage: 'Well, that did not work',
        variables: { something: 'someValue' },
      });
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

    it('ends at EndEvent_1cl3tk3 through EndEvent_1hj6q7z when the job completes normally', async () => {
      // given
      const pi = await create('throw-bpmn-error');

      // when
      await completeNext('throw-bpmn-error-task', pi);

      // then
      await completedAt(pi, 'EndEvent_1cl3tk3');
      await te().hasPassedElement(pi, 'EndEvent_1hj6q7z');
      await noJob('sad-flow');
    });

    it('maps `something` to null when ThrowError carries no variables', async () => {
      // given
      const pi = await create('throw-bpmn-error');
      const job = await takeJob('throw-bpmn-error-task', pi);

      // when
      await zbc().throwError({ jobKey: job.key, errorCode: 'BUSINESS_ERROR', errorMessage: 'no vars' });
      await te().waitForIdle();
      await completeNext('sad-flow', pi);

      // then
      await completedAt(pi, 'EndEvent_0cwovsu');
      expect(await te().variable(pi, 'something')).toBeNull();
    });

    it('raises UNHANDLED_ERROR_EVENT at Task_0bki2a1 for any other error code', async () => {
      // given
      const pi = await create('throw-bpmn-error');
      const job = await takeJob('throw-bpmn-error-task', pi);

      // when
      await zbc().throwError({ jobKey: job.key, errorCode: 'OTHER_ERROR', errorMessage: 'nobody catches this' });

      // then
      await te().hasIncident(pi, 'UNHANDLED_ERROR_EVENT', 'Task_0bki2a1');
      await cancel(pi);
    });
  });

  describe('sdk-worker-failure-backoff.bpmn', () => {
    beforeAll(async () => {
      await deploy('sdk-worker-failure-backoff.bpmn');
    });

    it('honours retryBackOff, then takes Path A and completes at EndEvent_1g2ztlo', async () => {
      // given
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

    it('takes Path B after SetVariables, and recovers from JOB_NO_RETRIES', async () => {
      // given
      const pi = await create('worker-failure-backoff', { conditionVariable: true });
      const job = await takeJob('wait-worker-failure-backoff', pi);

      // when the condition is changed on the instance and the job runs out of retries
      await zbc().setVariables({ elementInstanceKey: pi, variables: { conditionVariable: false }, local: false });
      await zbc().failJob({ jobKey: job.key, retries: 0, errorMessage: 'out of retries', retryBackOff: 0 });
      const incident = await te().hasIncident(pi, 'JOB_NO_RETRIES', 'ServiceTask_0cz2k8t');

      // when it gets a retry back
      await zbc().updateJobRetries({ jobKey: job.key, retries: 1 });
      await zbc().resolveIncident({ incidentKey: incident.key });
      await completeNext('wait-worker-failure-backoff', pi);

      // then Path B runs
      await noJob('pathA-worker-failure-backoff');
      await completeNext('pathB-worker-failure-backoff', pi);
      await completedAt(pi, 'EndEvent_1g2ztlo');
    });

    it('raises CONDITION_ERROR at ExclusiveGateway_11b1kdc without conditionVariable', async () => {
      // given
      const pi = await create('worker-failure-backoff');

      // when
      await completeNext('wait-worker-failure-backoff', pi);

      // then
      await te().hasIncident(pi, 'CONDITION_ERROR', 'ExclusiveGateway_11b1kdc');
      await cancel(pi);
    });
  });

  describe('sdk-update-job-no-incoming-outgoing.bpmn', () => {
    beforeAll(async () => {
      await deploy('sdk-update-job-no-incoming-outgoing.bpmn');
    });

    it('builds the graph from sequence flows alone, honours job timeouts and completes at EndEvent_1', async () => {
      // given
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
