/**
 * Model structure limits at deploy (issue 18 H2): a model over a limit is refused by one streaming
 * pass before any expensive work, with Zeebe's INVALID_ARGUMENT wording naming the limit and the
 * value, and deploying a large legal model leaves the event loop free for other clients.
 * Everything goes through the real @camunda8/sdk client against the embedded engine.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startTestEngine, type TestEngine } from '../../engine/testing';
import { createTestDb, type TestDb } from '../helpers/db';
import { bpmn, chain, deploy } from './helpers';
import { longChain, nestedSubprocesses } from './fixtures-limits';

type ZeebeClient = ReturnType<TestEngine['client']>;

/** The gRPC status of a rejected SDK call (throws if it succeeded). */
async function rejection(p: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: number; details?: string; message: string };
    return { code: err.code, details: err.details ?? err.message };
  }
  throw new Error('Expected the call to be rejected, but it succeeded');
}

/** Runs `work` while sampling the event-loop delay; returns its result and the max delay in ms. */
async function withLoopDelay<T>(work: () => Promise<T>): Promise<{ result: T; maxDelayMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  try {
    const result = await work();
    // One more sampling interval, so a block just before the answer is recorded too.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { result, maxDelayMs: h.max / 1e6 };
  } finally {
    h.disable();
  }
}

describe('model structure limits at deploy', () => {
  let t: TestDb;
  let te: TestEngine;
  let zbc: ZeebeClient;
  beforeAll(async () => {
    t = await createTestDb();
    te = await startTestEngine({ db: t.db });
    zbc = te.client();
    await zbc.topology();
    await deploy(
      zbc,
      'small.bpmn',
      bpmn('small', '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>' + chain('s', 'e')),
    );
  }, 60_000);
  afterAll(async () => {
    await te?.stop();
    await t?.destroy();
  });

  it('refuses the 2,000-nested-subprocess model with INVALID_ARGUMENT naming the limit, without blocking', async () => {
    // given the model that took an engine down: 2,000 nested subprocesses (≈93 KB)
    const xml = nestedSubprocesses('deep', 2000);
    expect(xml.length).toBeGreaterThan(90_000);

    // when it is deployed
    const { result: st, maxDelayMs } = await withLoopDelay(() => rejection(deploy(zbc, 'deep.bpmn', xml)));

    // then it is refused with Zeebe's wording, the limit and the value it reached
    expect(st.code).toBe(3);
    expect(st.details).toContain(
      "Command 'CREATE' rejected with code 'INVALID_ARGUMENT': Expected to deploy new resources, but encountered the following errors:",
    );
    expect(st.details).toContain("'deep.bpmn'");
    expect(st.details).toContain('maxSubprocessDepth');
    expect(st.details).toContain('depth of at least 33, over the limit of 32');
    // and the refusal never held the event loop (no stack overflow, no long parse)
    expect(maxDelayMs).toBeLessThan(200);
    // and the engine still serves
    const pi = await zbc.createProcessInstance({ bpmnProcessId: 'small', variables: {} });
    expect(pi.bpmnProcessId).toBe('small');
  });

  it('serves a concurrent CreateProcessInstance promptly while a large legal model deploys', async () => {
    // given a large but legal model (300 service tasks, within every limit)
    const xml = longChain('long', 300);

    // when it is deployed while another client creates instances
    const { result, maxDelayMs } = await withLoopDelay(() =>
      Promise.all([
        deploy(zbc, 'long.bpmn', xml),
        ...Array.from({ length: 5 }, () => zbc.createProcessInstance({ bpmnProcessId: 'small', variables: {} })),
      ]),
    );

    // then both succeed and the event loop was never blocked for long
    const [dep, ...instances] = result;
    expect(dep.deployments[0]).toMatchObject({ process: { bpmnProcessId: 'long', version: 1 } });
    expect(instances).toHaveLength(5);
    expect(maxDelayMs).toBeLessThan(200);
  });
});

describe('configured model limits', () => {
  let t: TestDb;
  let te: TestEngine;
  let zbc: ZeebeClient;
  beforeAll(async () => {
    t = await createTestDb();
    te = await startTestEngine({ db: t.db, modelLimits: { maxElements: 20, maxExpressionLength: 40 } });
    zbc = te.client();
    await zbc.topology();
  }, 60_000);
  afterAll(async () => {
    await te?.stop();
    await t?.destroy();
  });

  it('refuses a model with more elements than the configured limit, naming it', async () => {
    // when a chain of 30 tasks is deployed to an engine allowing 20 elements
    const st = await rejection(deploy(zbc, 'many.bpmn', longChain('many', 30)));
    // then it is refused naming maxElements
    expect(st.code).toBe(3);
    expect(st.details).toContain('count of elements reaches at least 21, over the limit of 20');
    expect(st.details).toContain('maxElements');
  });

  it('refuses an expression longer than the configured limit, and deploys one within it', async () => {
    const withCondition = (id: string, condition: string) =>
      bpmn(
        id,
        `<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" default="fd"/><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>` +
          `<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g"/>` +
          `<bpmn:sequenceFlow id="fc" sourceRef="g" targetRef="e1"><bpmn:conditionExpression>${condition}</bpmn:conditionExpression></bpmn:sequenceFlow>` +
          `<bpmn:sequenceFlow id="fd" sourceRef="g" targetRef="e2"/>`,
      );
    // when a 61-character condition and a short one are deployed
    const long = `=${Array.from({ length: 15 }, (_, i) => `x${i % 10}`).join('+')}`;
    const st = await rejection(deploy(zbc, 'long-expr.bpmn', withCondition('longexpr', long)));
    const ok = await deploy(zbc, 'short-expr.bpmn', withCondition('shortexpr', '=x > 1'));
    // then only the long one is refused, naming maxExpressionLength and its length
    expect(st.code).toBe(3);
    expect(st.details).toContain(`length in characters of ${long.length}, over the limit of 40 (maxExpressionLength`);
    expect(ok.deployments).toHaveLength(1);
  });
});
