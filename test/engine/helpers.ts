import { startTestEngine, type TestEngine } from '../../engine/testing';
import { createTestDb, type TestDb } from '../helpers/db';

/** Wraps process content into a BPMN document with the Zeebe namespace. */
export function bpmn(processId: string, body: string, extraRoot = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs_${processId}" targetNamespace="http://onematter.test">
  <bpmn:process id="${processId}" isExecutable="true">${body}</bpmn:process>${extraRoot}
</bpmn:definitions>`;
}

export const flow = (id: string, source: string, target: string, condition?: string) =>
  condition
    ? `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}"><bpmn:conditionExpression>${condition.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</bpmn:conditionExpression></bpmn:sequenceFlow>`
    : `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}" />`;

export const serviceTask = (id: string, type: string, ext = '', attrs = '') =>
  `<bpmn:serviceTask id="${id}" ${attrs}><bpmn:extensionElements><zeebe:taskDefinition type="${type}" />${ext}</bpmn:extensionElements></bpmn:serviceTask>`;

/** Chains elements with flows f1, f2, … in order. */
export const chain = (...ids: string[]) =>
  ids
    .slice(1)
    .map((id, i) => flow(`chain_${ids[i]}_${id}`, ids[i], id))
    .join('');

/** A test engine on its own database (PGlite, or a PostgreSQL schema when DATABASE_URL is set). */
export async function engineForTest(): Promise<{
  te: TestEngine;
  zbc: ReturnType<TestEngine['client']>;
  testDb: TestDb;
  stop(): Promise<void>;
}> {
  const testDb = await createTestDb();
  const te = await startTestEngine({ db: testDb.db });
  const zbc = te.client();
  await zbc.topology();
  return {
    te,
    zbc,
    testDb,
    async stop() {
      await te.stop();
      await testDb.destroy();
    },
  };
}

/** Deploys one BPMN document given as a string. */
export async function deploy(zbc: ReturnType<TestEngine['client']>, name: string, xml: string) {
  return zbc.deployResource({ name, process: Buffer.from(xml) });
}

/** Activates the currently available jobs of a type (after the engine went idle). */
export async function jobsOf(te: TestEngine, zbc: ReturnType<TestEngine['client']>, type: string, max = 50) {
  await te.waitForIdle();
  return zbc.activateJobs({ type, worker: 'test', maxJobsToActivate: max, timeout: 60_000, requestTimeout: -1 } as any);
}

/** Activates exactly one job of the type and completes it with variables. */
export async function completeOne(
  te: TestEngine,
  zbc: ReturnType<TestEngine['client']>,
  type: string,
  variables: Record<string, any> = {},
) {
  const jobs = await jobsOf(te, zbc, type, 1);
  if (jobs.length !== 1) throw new Error(`Expected one job of type '${type}', but found ${jobs.length}`);
  await zbc.completeJob({ jobKey: jobs[0].key, variables });
  await te.waitForIdle();
  return jobs[0];
}

/** Every record in the engine's record log, read straight from the database (one row per batch). */
export async function recordLog(
  db: import('knex').Knex,
  schema?: string,
): Promise<import('../../engine').EngineRecord[]> {
  const q = schema ? db.withSchema(schema).from('engine_record_batch') : db('engine_record_batch');
  const batches: { records: string }[] = await q.orderBy('first_position').select('records' as any);
  return batches.flatMap((b) => JSON.parse(b.records));
}
