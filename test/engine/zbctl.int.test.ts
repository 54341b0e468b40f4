/**
 * The real zbctl (Go, grpc-go) against the embedded engine: one process per command, exactly one RPC
 * each, protojson output (random whitespace, so it is parsed, never compared as bytes).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { startTestEngine, type TestEngine } from '../../engine/testing';
import { createTestDb, type TestDb } from '../helpers/db';

const ZBCTL = path.join(__dirname, '../../node_modules/zbctl/bin/zbctl-cli.linux');
const FIXTURES = path.join(__dirname, 'fixtures');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let t: TestDb;
let te: TestEngine;

function zbctl(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      ZBCTL,
      [...args, '--insecure', '--address', te.engine.address],
      { timeout: 30_000, env: { ...process.env, HOME: process.env.HOME ?? '/tmp' } },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Runs zbctl and expects exit code 0. */
async function ok(...args: string[]): Promise<string> {
  const r = await zbctl(...args);
  if (r.code !== 0)
    throw new Error(`zbctl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

async function okJson<T = any>(...args: string[]): Promise<T> {
  return JSON.parse(await ok(...args)) as T;
}

beforeAll(async () => {
  t = await createTestDb();
  te = await startTestEngine({ db: t.db });
});
afterAll(async () => {
  await te?.stop();
  await t?.destroy();
});

describe('zbctl against the embedded engine', () => {
  it('status shows one broker leading a healthy partition 1', async () => {
    // when zbctl asks for the topology (plain text)
    const text = await ok('status');
    // then it reports a single-node cluster, partition 1 led and healthy
    expect(text).toMatch(/Cluster size:\s*1/);
    expect(text).toMatch(/Partitions count:\s*1/);
    expect(text).toMatch(/Partition 1\s*:\s*Leader, Healthy/);
    // and the JSON form carries the same topology
    const topo = await okJson('status', '-o', 'json');
    expect(topo.clusterSize).toBe(1);
    expect(topo.brokers).toHaveLength(1);
    expect(topo.brokers[0].partitions).toEqual([
      expect.objectContaining({ partitionId: 1, role: 'LEADER', health: 'HEALTHY' }),
    ]);
  });

  it('deploy resource (DeployResource) and the legacy deploy (DeployProcess) both deploy a process', async () => {
    // when a BPMN file is deployed with `deploy resource`
    const file = path.join(FIXTURES, 'one-task.bpmn');
    const res = await okJson('deploy', 'resource', file);
    // then the response names the process with version 1 and string keys
    expect(res.deployments).toHaveLength(1);
    expect(res.deployments[0].process).toMatchObject({ bpmnProcessId: 'one-task', version: 1, resourceName: file });
    expect(BigInt(res.key)).toBeGreaterThanOrEqual(2251799813685249n);
    expect(BigInt(res.deployments[0].process.processDefinitionKey)).toBeGreaterThanOrEqual(2251799813685249n);

    // when another file is deployed with the legacy `deploy <file>` form (DeployProcess RPC)
    const legacy = await okJson('deploy', path.join(FIXTURES, 'no-task.bpmn'));
    // then the process is deployed as well
    expect(legacy.processes).toEqual([expect.objectContaining({ bpmnProcessId: 'no-task', version: 1 })]);
  });

  it('create instance --withResult waits for the instance to finish and returns its variables', async () => {
    // given a process without wait states
    await ok('deploy', 'resource', path.join(FIXTURES, 'no-task.bpmn'));
    // when zbctl creates an instance with variables and waits for the result
    const res = await okJson(
      'create',
      'instance',
      'no-task',
      '--variables',
      '{"orderId":"A-1","amount":42.5}',
      '--withResult',
    );
    // then it gets the completed instance's variables
    expect(res.bpmnProcessId).toBe('no-task');
    expect(JSON.parse(res.variables)).toEqual({ orderId: 'A-1', amount: 42.5 });
    await te.isCompleted(res.processInstanceKey);
  });

  it('activate jobs, complete job: the instance completes with the variables given', async () => {
    // given an instance waiting at a service task
    await ok('deploy', 'resource', path.join(FIXTURES, 'one-task.bpmn'));
    const created = await okJson('create', 'instance', 'one-task', '--variables', '{"n":7}');
    expect(typeof created.processInstanceKey).toBe('string');
    // when zbctl activates the job
    const act = await okJson(
      'activate',
      'jobs',
      'work',
      '--maxJobsToActivate',
      '5',
      '--timeout',
      '30s',
      '--worker',
      'zbctl-test',
    );
    const job = act.jobs.find((j: any) => j.processInstanceKey === created.processInstanceKey);
    // then the job carries the instance's variables, the worker and a deadline 30 s ahead
    expect(job).toMatchObject({
      type: 'work',
      elementId: 'work',
      bpmnProcessId: 'one-task',
      worker: 'zbctl-test',
      retries: 3,
    });
    expect(JSON.parse(job.variables)).toEqual({ n: 7 });
    expect(Number(job.deadline) - te.now()).toBeGreaterThan(29_000);
    expect(Number(job.deadline) - te.now()).toBeLessThanOrEqual(30_000);
    // when zbctl completes it with variables
    const out = await ok('complete', 'job', job.key, '--variables', '{"done":true}');
    expect(out).toContain(`Completed job with key '${job.key}'`);
    // then the instance completes with the job's variables merged in
    await te.isCompleted(created.processInstanceKey);
    expect(await te.variable(created.processInstanceKey, 'done')).toBe(true);
    // and completing it again is rejected with NotFound
    const again = await zbctl('complete', 'job', job.key);
    expect(again.code).not.toBe(0);
    expect(again.stderr + again.stdout).toMatch(
      /code = NotFound desc = .*Expected to complete job with key '\d+', but no such job was found/,
    );
  });

  it('fail job --retries 0 raises a JOB_NO_RETRIES incident with the error message', async () => {
    // given an activated job
    await ok('deploy', 'resource', path.join(FIXTURES, 'one-task.bpmn'));
    const created = await okJson('create', 'instance', 'one-task');
    const act = await okJson('activate', 'jobs', 'work', '--maxJobsToActivate', '1', '--timeout', '1m');
    expect(act.jobs).toHaveLength(1);
    const job = act.jobs[0];
    // when zbctl fails it without retries
    const out = await ok('fail', 'job', job.key, '--retries', '0', '--errorMessage', 'boom');
    expect(out).toContain(`Failed job with key '${job.key}' and set remaining retries to '0'`);
    // then the job's instance has a JOB_NO_RETRIES incident carrying the message
    const incident = await te.hasIncident(job.processInstanceKey, 'JOB_NO_RETRIES');
    expect(incident).toMatchObject({ errorMessage: 'boom', elementId: 'work', jobKey: job.key });
    expect(job.processInstanceKey).toBe(created.processInstanceKey);
    // and no job of that type is activatable any more
    const none = await okJson('activate', 'jobs', 'work', '--requestTimeout', '1s');
    expect(none.jobs.filter((j: any) => j.key === job.key)).toEqual([]);
  });

  it('publish message correlates to the instance waiting with that correlation key', async () => {
    // given an instance waiting for a message keyed by orderId
    await ok('deploy', 'resource', path.join(FIXTURES, 'message-wait.bpmn'));
    const created = await okJson('create', 'instance', 'message-wait', '--variables', '{"orderId":"k-42"}');
    await te.isWaitingAtElements(created.processInstanceKey, ['wait-paid']);
    // when zbctl publishes the message with that key and variables
    const res = await okJson(
      'publish',
      'message',
      'order-paid',
      '--correlationKey',
      'k-42',
      '--variables',
      '{"paid":99}',
    );
    // then a message key comes back and the instance completes with the message's variables
    expect(BigInt(res.key)).toBeGreaterThanOrEqual(2251799813685249n);
    await te.isCompleted(created.processInstanceKey);
    expect(await te.variable(created.processInstanceKey, 'paid')).toBe(99);
  });
});
