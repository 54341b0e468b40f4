/**
 * The Camunda 8.8 REST API (`/v2`) of the embedded engine, driven by `@camunda8/sdk`'s
 * CamundaRestClient unmodified (ZEEBE_REST_ADDRESS=http://127.0.0.1:<port>, auth NONE).
 */
import { Camunda8 } from '@camunda8/sdk';
import { startTestEngine, type TestEngine } from '../../engine/testing';
import { createTestDb, type TestDb } from '../helpers/db';
import { bpmn, chain, serviceTask } from './helpers';

type RestClient = ReturnType<Camunda8['getCamundaRestClient']>;

const orderXml = bpmn(
  'rest-order',
  `<bpmn:startEvent id="s"/>${serviceTask('charge', 'rest-charge')}<bpmn:endEvent id="e"/>${chain('s', 'charge', 'e')}`,
);
const waitXml = bpmn(
  'rest-wait',
  `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>${chain('s', 'paid', 'e')}`,
  `<bpmn:message id="m" name="rest-paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>`,
);
const passXml = bpmn('rest-pass', `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>${chain('s', 'e')}`);

describe('REST API v2 with the SDK CamundaRestClient', () => {
  let te: TestEngine;
  let testDb: TestDb;
  let rest: RestClient;

  beforeAll(async () => {
    testDb = await createTestDb();
    te = await startTestEngine({ db: testDb.db, rest: true });
    rest = new Camunda8({
      ZEEBE_REST_ADDRESS: te.restAddress,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      CAMUNDA_LOG_LEVEL: 'none',
    } as any).getCamundaRestClient();
  });
  afterAll(async () => {
    await te.stop();
    await testDb.destroy();
  });

  test('topology and license answer in Camunda 8.8 shape', async () => {
    // when
    const topology = await rest.getTopology();
    const license = await rest.getLicenseStatus();

    // then
    expect(topology.brokers?.[0].partitions[0]).toEqual({ partitionId: 1, role: 'leader', health: 'healthy' });
    expect(topology.gatewayVersion).toMatch(/^8\.8\./);
    expect(license).toEqual({ validLicense: false, licenseType: 'unknown', isCommercial: false, expiresAt: null });
  });

  test('deploys, creates with awaitCompletion, and a REST worker activates and completes the job', async () => {
    // given
    const deployment = await rest.deployResources([
      { name: 'order.bpmn', content: orderXml },
      { name: 'pass.bpmn', content: passXml },
    ]);
    expect(deployment.processes.map((p) => p.processDefinitionId).sort()).toEqual(['rest-order', 'rest-pass']);
    expect(typeof deployment.deploymentKey).toBe('string');

    // when: an instance of a process without wait states completes before the answer
    const done = await rest.createProcessInstanceWithResult({
      processDefinitionId: 'rest-pass',
      variables: { greeting: 'hi' },
    });

    // then
    expect(done.variables).toEqual({ greeting: 'hi' });
    expect(typeof done.processInstanceKey).toBe('string');

    // when: the order waits at its job until a worker completes it over REST
    const created = await rest.createProcessInstance({ processDefinitionId: 'rest-order', variables: { amount: 12 } });
    const jobs = await rest.activateJobs({
      type: 'rest-charge',
      worker: 'rest-test',
      maxJobsToActivate: 5,
      timeout: 60_000,
    });

    // then
    expect(jobs).toHaveLength(1);
    expect(jobs[0].processInstanceKey).toBe(created.processInstanceKey);
    expect(jobs[0].variables).toEqual({ amount: 12 });
    await jobs[0].complete({ charged: true });
    await te.isCompleted(created.processInstanceKey);
    await te.hasVariable(created.processInstanceKey, 'charged', true);
  });

  test('a long-polling activation is answered as soon as a job appears', async () => {
    // given: a poll is parked before any instance exists
    const polling = rest.activateJobs({
      type: 'rest-charge',
      worker: 'rest-test',
      maxJobsToActivate: 1,
      timeout: 60_000,
      requestTimeout: 20_000,
    });
    await te.eventually('the activation to be parked', () => te.engine.runtime.broker.waitingTypes > 0);

    // when
    const created = await rest.createProcessInstance({ processDefinitionId: 'rest-order', variables: {} });

    // then
    const [job] = await polling;
    expect(job.processInstanceKey).toBe(created.processInstanceKey);
    await rest.failJob({ jobKey: job.jobKey, retries: 0, errorMessage: 'card declined', retryBackOff: 0 });
    await te.hasIncident(created.processInstanceKey, 'JOB_NO_RETRIES');
  });

  test('publishes and correlates messages; correlation without a subscriber is a 404 problem', async () => {
    // given
    await rest.deployResources([{ name: 'wait.bpmn', content: waitXml }]);
    const a = await rest.createProcessInstance({ processDefinitionId: 'rest-wait', variables: { orderId: 'o-1' } });
    const b = await rest.createProcessInstance({ processDefinitionId: 'rest-wait', variables: { orderId: 'o-2' } });
    await te.isWaitingAtElements(a.processInstanceKey, ['paid']);
    await te.isWaitingAtElements(b.processInstanceKey, ['paid']);

    // when
    const correlated = await rest.correlateMessage({
      name: 'rest-paid',
      correlationKey: 'o-1',
      variables: { via: 'correlate' },
    });
    const published = await rest.publishMessage({
      name: 'rest-paid',
      correlationKey: 'o-2',
      variables: {},
      timeToLive: 0,
    });

    // then
    expect(correlated.processInstanceKey).toBe(a.processInstanceKey);
    expect(typeof published.messageKey).toBe('string');
    await te.isCompleted(a.processInstanceKey);
    await te.isCompleted(b.processInstanceKey);
    await expect(
      rest.correlateMessage({ name: 'rest-paid', correlationKey: 'nobody', variables: {} }),
    ).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  test('searches process instances and definitions with filters, sorting and paging', async () => {
    // given: three more completed instances of rest-pass
    for (let i = 0; i < 3; i++)
      await rest.createProcessInstanceWithResult({ processDefinitionId: 'rest-pass', variables: { i } });

    // when
    const first = await rest.searchProcessInstances({
      filter: { processDefinitionId: 'rest-pass', state: 'COMPLETED' } as any,
      sort: [{ field: 'processInstanceKey', order: 'ASC' }],
      page: { limit: 2 },
    } as any);
    const next = await rest.searchProcessInstances({
      filter: { processDefinitionId: 'rest-pass', state: 'COMPLETED' } as any,
      sort: [{ field: 'processInstanceKey', order: 'ASC' }],
      page: { limit: 2, after: first.page.endCursor },
    } as any);
    const definitions = await rest.searchProcessDefinitions({ filter: { processDefinitionId: 'rest-order' } } as any);

    // then
    expect(first.page.totalItems).toBe(4);
    expect(first.items).toHaveLength(2);
    expect(next.items).toHaveLength(2);
    const keys = [...first.items, ...next.items].map((p: any) => BigInt(p.processInstanceKey));
    expect([...keys].sort((x, y) => (x < y ? -1 : 1))).toEqual(keys);
    expect(new Set(keys).size).toBe(4);
    expect(definitions.items).toHaveLength(1);
    const def = definitions.items[0] as any;
    expect(def).toMatchObject({ processDefinitionId: 'rest-order', version: 1, tenantId: '<default>' });
    expect(await rest.getProcessDefinitionXML(def.processDefinitionKey)).toContain('id="rest-order"');
  });

  test('process instances are found by root variables, also under $or; searchAfter pages like after', async () => {
    // given
    const x = await rest.createProcessInstanceWithResult({ processDefinitionId: 'rest-pass', variables: { tag: 'x' } });
    const y = await rest.createProcessInstanceWithResult({ processDefinitionId: 'rest-pass', variables: { tag: 'y' } });
    await rest.createProcessInstanceWithResult({ processDefinitionId: 'rest-pass', variables: { tag: 'z' } });

    // when
    const onlyX = await rest.searchProcessInstances({ filter: { variables: [{ name: 'tag', value: '"x"' }] } } as any);
    const xOrY = await rest.searchProcessInstances({
      filter: {
        $or: [
          { variables: [{ name: 'tag', value: '"x"' }] },
          { variables: [{ name: 'tag', value: { $like: '"y*' } }] },
        ],
      },
      sort: [{ field: 'startDate', order: 'DESC' }],
      page: { limit: 1 },
    } as any);
    const rest2 = await rest.searchProcessInstances({
      filter: {
        $or: [
          { variables: [{ name: 'tag', value: '"x"' }] },
          { variables: [{ name: 'tag', value: { $like: '"y*' } }] },
        ],
      },
      sort: [{ field: 'startDate', order: 'DESC' }],
      page: { limit: 1, searchAfter: xOrY.page.endCursor },
    } as any);

    // then
    expect(onlyX.items.map((p: any) => p.processInstanceKey)).toEqual([x.processInstanceKey]);
    expect(xOrY.page.totalItems).toBe(2);
    const both = [...xOrY.items, ...rest2.items].map((p: any) => p.processInstanceKey);
    expect(new Set(both)).toEqual(new Set([x.processInstanceKey, y.processInstanceKey]));
    expect(both).toHaveLength(2);
  });

  test('an unknown process is a 404 problem with Zeebe wording; a malformed key a 400 problem', async () => {
    // when
    const missing = await rest.createProcessInstance({ processDefinitionId: 'does-not-exist' } as any).catch((e) => e);
    const badKey = await rest
      .createProcessInstance({ processDefinitionKey: 'order-1', variables: {} } as any)
      .catch((e: unknown) => e);

    // then
    expect(missing.statusCode).toBe(404);
    expect(missing.message).toContain(
      "Command 'CREATE' rejected with code 'NOT_FOUND': Expected to find process definition with process ID 'does-not-exist', but none found",
    );
    expect((badKey as { statusCode: number }).statusCode).toBe(400);
    expect((badKey as Error).message).toContain("The provided processDefinitionKey 'order-1' is not a valid key");
  });
});
