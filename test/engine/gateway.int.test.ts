/**
 * The gateway on the wire: @camunda8/sdk's ZeebeGrpcClient for the flows clients use, raw grpc-js
 * where exact status codes, messages and stream timing matter (the SDK wraps errors and workers).
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import fs from 'node:fs';
import path from 'node:path';
import { startTestEngine, type TestEngine } from '../../engine/testing';
import { createTestDb, type TestDb } from '../helpers/db';

const FIXTURES = path.join(__dirname, 'fixtures');
const PROTO = path.join(path.dirname(require.resolve('@camunda8/sdk/package.json')), 'dist/proto/zeebe.proto');
const FIRST_KEY = 2251799813685249n;

type ZeebeClient = ReturnType<TestEngine['client']>;

let t: TestDb;
let te: TestEngine;
let zbc: ZeebeClient;
let raw: any;

beforeAll(async () => {
  t = await createTestDb();
  te = await startTestEngine({ db: t.db });
  zbc = te.client();
  await zbc.topology();
  const def = protoLoader.loadSync(PROTO, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const gp = (grpc.loadPackageDefinition(def) as any).gateway_protocol;
  raw = new gp.Gateway(te.engine.address, grpc.credentials.createInsecure());
});
afterAll(async () => {
  raw?.close();
  await te?.stop();
  await t?.destroy();
});

/** A unary RPC through raw grpc-js; rejects with the grpc ServiceError. */
function call<T = any>(rpc: string, req: object): Promise<T> {
  return new Promise((resolve, reject) =>
    raw[rpc](req, (err: grpc.ServiceError | null, res: T) => (err ? reject(err) : resolve(res))),
  );
}

/** The status of a rejected call (throws if the call succeeded). */
async function statusOf(p: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as grpc.ServiceError;
    return { code: err.code, details: err.details ?? err.message };
  }
  throw new Error('Expected the call to be rejected, but it succeeded');
}

/** ActivateJobs through raw grpc-js: all jobs of all stream messages, and how long the call stayed open. */
function activate(req: {
  type: string;
  maxJobsToActivate?: number;
  timeout?: number;
  requestTimeout?: number;
  worker?: string;
  fetchVariable?: string[];
}): Promise<{ jobs: any[]; ms: number; messages: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const jobs: any[] = [];
    let messages = 0;
    const s = raw.ActivateJobs({ worker: 'raw', maxJobsToActivate: 10, timeout: 60_000, requestTimeout: -1, ...req });
    s.on('data', (m: any) => {
      messages++;
      jobs.push(...m.jobs);
    });
    s.on('error', reject);
    s.on('end', () => resolve({ jobs, ms: Date.now() - t0, messages }));
  });
}

/** A one-service-task process with its own id and job type, so tests don't share jobs. */
function taskProcess(id: string, type = id): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d-${id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${id}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements><zeebe:taskDefinition type="${type}" retries="3" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>`);
}

/** Deploys a one-task process and starts an instance; returns its key. */
async function startTaskInstance(
  id: string,
  variables: Record<string, string | number | boolean> = {},
): Promise<string> {
  await zbc.deployResource({ name: `${id}.bpmn`, process: taskProcess(id) });
  const r = await zbc.createProcessInstance({ bpmnProcessId: id, variables });
  return r.processInstanceKey;
}

/** Starts an instance and activates its one job. */
async function activatedJob(id: string, timeout = 60_000): Promise<any> {
  const pi = await startTaskInstance(id);
  const { jobs } = await activate({ type: id, timeout, maxJobsToActivate: 1 });
  expect(jobs).toHaveLength(1);
  expect(jobs[0].processInstanceKey).toBe(pi);
  return jobs[0];
}

const isKey = (k: unknown) => typeof k === 'string' && /^\d+$/.test(k) && BigInt(k) >= FIRST_KEY;

describe('keys', () => {
  it('are decimal strings from 2^51 + 1 upwards for deployments, definitions, instances, jobs and incidents', async () => {
    // when a process is deployed, started, its job activated and failed without retries
    const dep = await zbc.deployResource({ name: 'keys.bpmn', process: taskProcess('keys') });
    const pi = await zbc.createProcessInstance({ bpmnProcessId: 'keys', variables: {} });
    const { jobs } = await activate({ type: 'keys' });
    await call('FailJob', { jobKey: jobs[0].key, retries: 0, errorMessage: 'x' });
    const incident = await te.hasIncident(pi.processInstanceKey, 'JOB_NO_RETRIES');
    // then every key is a string ≥ 2251799813685249
    for (const k of [
      dep.key,
      dep.deployments[0].process.processDefinitionKey,
      pi.processInstanceKey,
      pi.processDefinitionKey,
      jobs[0].key,
      jobs[0].elementInstanceKey,
      incident.key,
    ]) {
      expect(isKey(k)).toBe(true);
    }
  });
});

describe('deployment', () => {
  it('detects duplicates: the same resource keeps its version, a changed one becomes version 2', async () => {
    // given a deployed process
    const first = await zbc.deployResource({ name: 'dup.bpmn', process: taskProcess('dup') });
    expect(first.deployments[0].process).toMatchObject({ bpmnProcessId: 'dup', version: 1 });
    // when the identical resource is deployed again
    const again = await zbc.deployResource({ name: 'dup.bpmn', process: taskProcess('dup') });
    // then it is the same definition and version
    expect(again.deployments[0].process).toMatchObject({
      version: 1,
      processDefinitionKey: first.deployments[0].process.processDefinitionKey,
    });
    // when a changed resource is deployed
    const changed = await zbc.deployResource({ name: 'dup.bpmn', process: taskProcess('dup', 'dup-v2') });
    // then it is version 2 with a new key
    expect(changed.deployments[0].process.version).toBe(2);
    expect(changed.deployments[0].process.processDefinitionKey).not.toBe(
      first.deployments[0].process.processDefinitionKey,
    );
  });

  it.each([
    ['invalid-no-task-type.bpmn', 'untyped-task'],
    ['invalid-feel.bpmn', 'bad-flow'],
    ['invalid-no-correlation.bpmn', 'wait-no-key'],
  ])('rejects %s with INVALID_ARGUMENT naming the element %s', async (file, elementId) => {
    // when an invalid BPMN is deployed
    const st = await statusOf(
      call('DeployResource', { resources: [{ name: file, content: fs.readFileSync(path.join(FIXTURES, file)) }] }),
    );
    // then it is rejected with code 3, the Zeebe preamble, the file and the element
    expect(st.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(st.details).toContain('Expected to deploy new resources, but encountered the following errors:');
    expect(st.details).toContain(file);
    expect(st.details).toContain(elementId);
  });

  it('rejects an invalid resource through the SDK too, and deploys nothing of the batch', async () => {
    // when a valid and an invalid resource are deployed together
    const st = await statusOf(
      call('DeployResource', {
        resources: [
          { name: 'atomic.bpmn', content: taskProcess('atomic') },
          { name: 'bad.bpmn', content: fs.readFileSync(path.join(FIXTURES, 'invalid-no-task-type.bpmn')) },
        ],
      }),
    );
    expect(st.code).toBe(grpc.status.INVALID_ARGUMENT);
    // then the valid one was not deployed either
    const create = await statusOf(zbc.createProcessInstance({ bpmnProcessId: 'atomic', variables: {} }));
    expect(create.code).toBe(grpc.status.NOT_FOUND);
  });
});

describe('rejections', () => {
  it('CompleteJob of an unknown key → 5 NOT_FOUND with Zeebe wording', async () => {
    const st = await statusOf(call('CompleteJob', { jobKey: '2251799813999999', variables: '{}' }));
    expect(st.code).toBe(grpc.status.NOT_FOUND);
    expect(st.details).toBe(
      "Command 'COMPLETE' rejected with code 'NOT_FOUND': Expected to complete job with key '2251799813999999', but no such job was found",
    );
  });

  it('CompleteJob of an unknown key through the SDK surfaces 5 NOT_FOUND', async () => {
    const st = await statusOf(zbc.completeJob({ jobKey: '2251799813999998', variables: {} }));
    expect(st.code).toBe(grpc.status.NOT_FOUND);
    expect(st.details).toContain("Expected to complete job with key '2251799813999998', but no such job was found");
  });

  it('FailJob on an already failed job → 9 FAILED_PRECONDITION', async () => {
    // given a job failed without retries
    const job = await activatedJob('fail-twice');
    await call('FailJob', { jobKey: job.key, retries: 0, errorMessage: 'first' });
    // when it is failed again
    const st = await statusOf(call('FailJob', { jobKey: job.key, retries: 0, errorMessage: 'second' }));
    // then it is rejected as invalid state
    expect(st.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(st.details).toBe(
      `Command 'FAIL' rejected with code 'INVALID_STATE': Expected to fail job with key '${job.key}', but it is in state 'FAILED'`,
    );
  });

  it('CreateProcessInstance of an unknown process → 5 NOT_FOUND', async () => {
    const st = await statusOf(
      call('CreateProcessInstance', { bpmnProcessId: 'no-such-process', version: -1, variables: '{}' }),
    );
    expect(st.code).toBe(grpc.status.NOT_FOUND);
    expect(st.details).toContain(
      "Expected to find process definition with process ID 'no-such-process', but none found",
    );
  });

  it.each([
    ['invalid JSON', '{"a":'],
    ['an array', '[1,2]'],
    ['a scalar', '42'],
  ])('variables that are %s → 3 INVALID_ARGUMENT', async (_what, variables) => {
    await zbc.deployResource({ name: 'vars.bpmn', process: taskProcess('vars') });
    const create = await statusOf(call('CreateProcessInstance', { bpmnProcessId: 'vars', version: -1, variables }));
    expect(create.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(create.details).toContain("Property 'variables' is invalid");
    const publish = await statusOf(call('PublishMessage', { name: 'm', correlationKey: 'k', variables }));
    expect(publish.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('ModifyProcessInstance and MigrateProcessInstance of an unknown instance → 5 NOT_FOUND with Zeebe wording', async () => {
    // when both are called for an instance that does not exist
    const modify = await statusOf(call('ModifyProcessInstance', { processInstanceKey: '1' }));
    const migrate = await statusOf(
      call('MigrateProcessInstance', { processInstanceKey: '1', migrationPlan: { targetProcessDefinitionKey: '1' } }),
    );

    // then each is NOT_FOUND with the broker's rejection text
    expect(modify.code).toBe(grpc.status.NOT_FOUND);
    expect(modify.details).toContain("Expected to modify process instance but no process instance found with key '1'");
    expect(migrate.code).toBe(grpc.status.NOT_FOUND);
    expect(migrate.details).toContain(
      "Expected to migrate process instance but no process instance found with key '1'",
    );
  });
});

describe('ActivateJobs long polling', () => {
  it('answers a parked request as soon as a job is created', async () => {
    // given a deployed process and a long poll parked with a 5 s request timeout
    await zbc.deployResource({ name: 'lp.bpmn', process: taskProcess('lp') });
    const polling = activate({ type: 'lp', requestTimeout: 5000 });
    await new Promise((r) => setTimeout(r, 200));
    // when an instance creates a job
    const pi = await zbc.createProcessInstance({ bpmnProcessId: 'lp', variables: { a: 1 } });
    // then the parked call returns that job well before its timeout
    const res = await polling;
    expect(res.jobs).toHaveLength(1);
    expect(res.jobs[0]).toMatchObject({ processInstanceKey: pi.processInstanceKey, type: 'lp', worker: 'raw' });
    expect(JSON.parse(res.jobs[0].variables)).toEqual({ a: 1 });
    expect(res.ms).toBeLessThan(2000);
  });

  it('ends an empty long poll with zero jobs at its request timeout', async () => {
    const res = await activate({ type: 'nobody-creates-this', requestTimeout: 1000 });
    expect(res.jobs).toEqual([]);
    expect(res.messages).toBe(0);
    expect(res.ms).toBeGreaterThanOrEqual(900);
    expect(res.ms).toBeLessThan(3000);
  });

  it('ends at once with zero jobs when requestTimeout is negative', async () => {
    const res = await activate({ type: 'nobody-creates-this', requestTimeout: -1 });
    expect(res.jobs).toEqual([]);
    expect(res.ms).toBeLessThan(1000);
  });

  it('rejects a blank type with 3 INVALID_ARGUMENT (ActivateJobs and StreamActivatedJobs)', async () => {
    await expect(activate({ type: '' })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    const streamed = await new Promise<grpc.ServiceError>((resolve, reject) => {
      const s = raw.StreamActivatedJobs({ type: ' ', worker: 'raw', timeout: 1000 });
      s.on('data', () => reject(new Error('Expected no job on an invalid stream')));
      s.on('error', resolve);
      s.on('end', () => reject(new Error('Expected the stream to fail')));
    });
    expect(streamed.code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});

describe('job push and workers', () => {
  it('streamJobs receives pushed jobs and completes them', async () => {
    // given a stream worker
    await zbc.deployResource({ name: 'pushed.bpmn', process: taskProcess('pushed') });
    const got: string[] = [];
    const worker = await zbc.streamJobs({
      type: 'pushed',
      worker: 'streamer',
      timeout: 30_000,
      tenantIds: [],
      taskHandler: (job) => {
        got.push(job.processInstanceKey);
        return job.complete({ pushed: true });
      },
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      // when instances create jobs
      const pis = await Promise.all(
        [1, 2, 3].map(() => zbc.createProcessInstance({ bpmnProcessId: 'pushed', variables: {} })),
      );
      // then every job reaches the stream worker and every instance completes
      for (const p of pis) await te.isCompleted(p.processInstanceKey);
      expect(got.sort()).toEqual(pis.map((p) => p.processInstanceKey).sort());
      expect(await te.variable(pis[0].processInstanceKey, 'pushed')).toBe(true);
    } finally {
      worker.close();
    }
  });

  it('a job whose timeout passes becomes activatable again', async () => {
    // given a job activated with a 10 s timeout
    const job = await activatedJob('timeout', 10_000);
    expect((await activate({ type: 'timeout' })).jobs).toEqual([]);
    // when the timeout passes on the engine clock
    await te.increaseTime(10_000);
    // then the job can be activated again, with its retries unchanged
    const again = await activate({ type: 'timeout' });
    expect(again.jobs.map((j) => j.key)).toEqual([job.key]);
    expect(again.jobs[0].retries).toBe(3);
  });

  it('UpdateJobTimeout moves the deadline; a non-activated job is 9 FAILED_PRECONDITION', async () => {
    // given a job activated for 10 minutes
    const job = await activatedJob('update-timeout', 600_000);
    // when its timeout is shortened to 2 s
    await zbc.updateJobTimeout({ jobKey: job.key, timeout: 2000 });
    await te.increaseTime(1000);
    expect((await activate({ type: 'update-timeout' })).jobs).toEqual([]);
    await te.increaseTime(1000);
    // then it times out after 2 s
    const again = await activate({ type: 'update-timeout', timeout: 5000 });
    expect(again.jobs.map((j) => j.key)).toEqual([job.key]);
    const left = Number(again.jobs[0].deadline) - te.now();
    expect(left).toBeGreaterThan(4000);
    expect(left).toBeLessThanOrEqual(5000);
    // and a job that is not activated cannot get a new timeout
    await te.increaseTime(5000);
    const st = await statusOf(call('UpdateJobTimeout', { jobKey: job.key, timeout: 1000 }));
    expect(st.code).toBe(grpc.status.FAILED_PRECONDITION);
    const missing = await statusOf(call('UpdateJobTimeout', { jobKey: '2251799813999997', timeout: 1000 }));
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
  });

  it('FailJob with retryBackOff keeps the job away until the back-off passes', async () => {
    // given a job failed with retries left and a 30 s back-off
    const job = await activatedJob('backoff');
    await zbc.failJob({ jobKey: job.key, retries: 2, errorMessage: 'later', retryBackOff: 30_000 });
    // then it is not activatable during the back-off
    expect((await activate({ type: 'backoff' })).jobs).toEqual([]);
    await te.increaseTime(29_000);
    expect((await activate({ type: 'backoff' })).jobs).toEqual([]);
    // when the back-off passes it comes back with the retries given
    await te.increaseTime(1000);
    const again = await activate({ type: 'backoff' });
    expect(again.jobs.map((j) => [j.key, j.retries])).toEqual([[job.key, 2]]);
  });

  it('a JOB_NO_RETRIES incident is resolved by UpdateJobRetries then ResolveIncident', async () => {
    // given a job failed without retries (an incident)
    const job = await activatedJob('resolve');
    await zbc.failJob({ jobKey: job.key, retries: 0, errorMessage: 'boom', retryBackOff: 0 });
    const incident = await te.hasIncident(job.processInstanceKey, 'JOB_NO_RETRIES', 'task');
    expect(incident.errorMessage).toBe('boom');
    // when the incident is resolved before the retries are raised, it is refused
    const early = await statusOf(call('ResolveIncident', { incidentKey: incident.key }));
    expect(early.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(early.details).toContain('has no retries left');
    expect((await activate({ type: 'resolve' })).jobs).toEqual([]);
    // when the retries are raised (alone that does not reactivate the job)
    await zbc.updateJobRetries({ jobKey: job.key, retries: 1 });
    expect((await activate({ type: 'resolve' })).jobs).toEqual([]);
    // and the incident is resolved
    await zbc.resolveIncident({ incidentKey: incident.key });
    // then the incident is gone and the job can be activated and completed
    expect(te.incidents(job.processInstanceKey)).toEqual([]);
    const again = await activate({ type: 'resolve' });
    expect(again.jobs.map((j) => [j.key, j.retries])).toEqual([[job.key, 1]]);
    await zbc.completeJob({ jobKey: job.key, variables: {} });
    await te.isCompleted(job.processInstanceKey);
  });

  it('UpdateJobRetries below 1 → 3 INVALID_ARGUMENT, unknown job → 5', async () => {
    const job = await activatedJob('retries-arg');
    expect((await statusOf(call('UpdateJobRetries', { jobKey: job.key, retries: 0 }))).code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect((await statusOf(call('UpdateJobRetries', { jobKey: '2251799813999996', retries: 2 }))).code).toBe(
      grpc.status.NOT_FOUND,
    );
  });
});

describe('variables', () => {
  it('SetVariables local stays in the task scope; propagated goes to the root', async () => {
    // given an instance waiting at its task
    const job = await activatedJob('set-vars');
    const pi = job.processInstanceKey;
    // when one variable is set locally and one propagated on the task's element instance
    await zbc.setVariables({ elementInstanceKey: job.elementInstanceKey, variables: { localOnly: 1 }, local: true });
    await zbc.setVariables({ elementInstanceKey: job.elementInstanceKey, variables: { shared: 2 }, local: false });
    // then the local one lives in the task scope and the propagated one in the process scope
    const vars = await te.records({ processInstanceKey: pi, valueType: 'VARIABLE' });
    expect(vars.find((r) => r.value.name === 'localOnly')?.value.scopeKey).toBe(job.elementInstanceKey);
    expect(vars.find((r) => r.value.name === 'shared')?.value.scopeKey).toBe(pi);
    // and a job activated now sees both
    await te.increaseTime(60_000);
    const again = await activate({ type: 'set-vars' });
    expect(JSON.parse(again.jobs[0].variables)).toEqual({ localOnly: 1, shared: 2 });
    // and after completion only the propagated one is in the process scope
    await zbc.completeJob({ jobKey: job.key, variables: {} });
    await te.isCompleted(pi);
    expect(await te.variable(pi, 'shared')).toBe(2);
    expect(await te.variable(pi, 'localOnly')).toBeUndefined();
  });

  it('SetVariables on an unknown scope → 5 NOT_FOUND', async () => {
    const st = await statusOf(
      call('SetVariables', { elementInstanceKey: '2251799813999995', variables: '{"a":1}', local: false }),
    );
    expect(st.code).toBe(grpc.status.NOT_FOUND);
  });
});

describe('CancelProcessInstance', () => {
  it('terminates the instance; its job is gone afterwards (CompleteJob → NOT_FOUND)', async () => {
    // given an instance with an activated job
    const job = await activatedJob('cancel-me');
    // when the instance is cancelled
    await zbc.cancelProcessInstance(job.processInstanceKey);
    // then it is terminated and its job no longer exists
    await te.isTerminated(job.processInstanceKey);
    const st = await statusOf(call('CompleteJob', { jobKey: job.key, variables: '{}' }));
    expect(st.code).toBe(grpc.status.NOT_FOUND);
    // and cancelling it again is NOT_FOUND as well
    expect((await statusOf(call('CancelProcessInstance', { processInstanceKey: job.processInstanceKey }))).code).toBe(
      grpc.status.NOT_FOUND,
    );
  });
});

describe('messages', () => {
  beforeAll(async () => {
    await zbc.deployResource({ processFilename: path.join(FIXTURES, 'message-wait.bpmn') });
  });

  it('PublishMessage with a messageId already buffered → 6 ALREADY_EXISTS', async () => {
    const msg = {
      name: 'order-paid',
      correlationKey: 'dedupe',
      messageId: 'm-1',
      timeToLive: '60000',
      variables: '{}',
    };
    const first = await call('PublishMessage', msg);
    expect(isKey(first.key)).toBe(true);
    const st = await statusOf(call('PublishMessage', msg));
    expect(st.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(st.details).toContain(
      "Expected to publish a new message with id 'm-1', but a message with that id was already published",
    );
  });

  it('a message published with a TTL before the subscription opens is correlated when the instance arrives', async () => {
    // given a message buffered for a minute
    await zbc.publishMessage({
      name: 'order-paid',
      correlationKey: 'ttl-1',
      timeToLive: 60_000,
      variables: { early: true },
    });
    // when an instance opens a subscription for that key
    const pi = await zbc.createProcessInstance({ bpmnProcessId: 'message-wait', variables: { orderId: 'ttl-1' } });
    // then it correlates at once and completes with the message's variables
    await te.isCompleted(pi.processInstanceKey);
    expect(await te.variable(pi.processInstanceKey, 'early')).toBe(true);
  });

  it('a message without TTL is not buffered', async () => {
    await zbc.publishMessage({ name: 'order-paid', correlationKey: 'no-ttl', timeToLive: 0, variables: {} });
    const pi = await zbc.createProcessInstance({ bpmnProcessId: 'message-wait', variables: { orderId: 'no-ttl' } });
    await te.isWaitingAtElements(pi.processInstanceKey, ['wait-paid']);
    await te.isActive(pi.processInstanceKey);
  });
});

describe('record log', () => {
  it('holds ELEMENT_ACTIVATED/COMPLETED records of a simple instance in order', async () => {
    // given a process start → end
    await zbc.deployResource({ processFilename: path.join(FIXTURES, 'no-task.bpmn') });
    // when an instance runs to completion
    const r = await zbc.createProcessInstanceWithResult({ bpmnProcessId: 'no-task', variables: { x: 1 } });
    expect(r.variables).toEqual({ x: 1 });
    // then the record log shows its element lifecycle in order
    const recs = await te.records({ processInstanceKey: r.processInstanceKey, valueType: 'PROCESS_INSTANCE' });
    const lifecycle = recs
      .filter((x) => x.intent === 'ELEMENT_ACTIVATED' || x.intent === 'ELEMENT_COMPLETED')
      .map((x) => `${x.value.elementId}:${x.intent}`);
    expect(lifecycle).toEqual([
      'no-task:ELEMENT_ACTIVATED',
      'start:ELEMENT_ACTIVATED',
      'start:ELEMENT_COMPLETED',
      'end:ELEMENT_ACTIVATED',
      'end:ELEMENT_COMPLETED',
      'no-task:ELEMENT_COMPLETED',
    ]);
    const positions = recs.map((x) => x.position);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});
