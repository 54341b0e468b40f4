import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import knexFactory from 'knex';
import { Camunda8 } from '@camunda8/sdk';
import { bpmn, chain, recordLog, serviceTask } from './helpers';

/**
 * Failover runs against the machine's PostgreSQL server (PGlite cannot be shared by two
 * processes): two `npm run engine` processes on the same schema, the owner is SIGKILLed, the
 * standby takes over and serves the same state.
 */
const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const ROOT = path.resolve(__dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

interface EngineProc {
  child: ChildProcess;
  listening: Promise<number>;
  output: string[];
  /** Resolves once the process printed a line containing `text`. */
  said(text: string): Promise<void>;
}

function startEngineProcess(schema: string, port: number): EngineProc {
  // `node --import tsx` keeps it ONE process (the tsx CLI would run the script in a child that
  // survives a SIGKILL of the CLI).
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'platform/engine-main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: PG_URL,
      ENGINE_DB_SCHEMA: schema,
      ENGINE_PORT: String(port),
      ENGINE_REST_PORT: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const waiting: { text: string; resolve: () => void }[] = [];
  const said = (text: string) =>
    new Promise<void>((resolve) => {
      if (output.some((l) => l.includes(text))) resolve();
      else waiting.push({ text, resolve });
    });
  const listening = new Promise<number>((resolve, reject) => {
    const onData = (buf: Buffer) => {
      for (const l of buf.toString().split('\n')) {
        if (!l.trim()) continue;
        output.push(l);
        if (l.includes('"listening"')) resolve(Date.now());
        for (const w of waiting.filter((x) => l.includes(x.text))) w.resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`engine exited with ${code}: ${output.join('\n')}`)));
  });
  listening.catch(() => undefined);
  return { child, listening, output, said };
}

describe('failover: one engine owns a database, a second one waits as hot standby', () => {
  const schema = `failover_${crypto.randomBytes(4).toString('hex')}`;
  const procs: EngineProc[] = [];
  const admin = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 } });

  beforeAll(async () => {
    await admin.raw(`create schema "${schema}"`);
  });
  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await admin.raw(`drop schema if exists "${schema}" cascade`);
    await admin.destroy();
  });

  test('the standby takes over within 5 s of the owner dying and continues its instances', async () => {
    // given an owner engine with a waiting instance, and a standby on another port
    const [p1, p2] = [await freePort(), await freePort()];
    const owner = startEngineProcess(schema, p1);
    procs.push(owner);
    await owner.listening;
    const standby = startEngineProcess(schema, p2);
    procs.push(standby);
    const client = (port: number) =>
      new Camunda8({
        ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${port}`,
        CAMUNDA_AUTH_STRATEGY: 'NONE',
        zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE', ZEEBE_GRPC_CLIENT_RETRY: false },
      } as any).getZeebeGrpcApiClient();
    const z1 = client(p1);
    await z1.deployResource({
      name: 'fo.bpmn',
      process: Buffer.from(
        bpmn(
          'fo',
          `<bpmn:startEvent id="s"/>${serviceTask('t', 'fo-work')}<bpmn:endEvent id="e"/>${chain('s', 't', 'e')}`,
        ),
      ),
    });
    const { processInstanceKey } = await z1.createProcessInstance({ bpmnProcessId: 'fo', variables: { n: 1 } });
    // the standby does not serve while the owner lives
    await standby.said('hot standby');
    const standbyServedEarly = await Promise.race([
      standby.listening.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 1500)),
    ]);
    expect(standbyServedEarly).toBe(false);
    await z1.close();

    // when the owner dies
    const killedAt = Date.now();
    owner.child.kill('SIGKILL');

    // then the standby serves within 5 s, with the owner's state
    const tookOverAt = await standby.listening;
    expect(tookOverAt - killedAt).toBeLessThan(5000);
    const z2 = client(p2);
    const jobs = await z2.activateJobs({
      type: 'fo-work',
      worker: 'w',
      maxJobsToActivate: 5,
      timeout: 60_000,
      requestTimeout: 2000,
    } as any);
    expect(jobs.map((j) => j.processInstanceKey)).toEqual([processInstanceKey]);
    await z2.completeJob({ jobKey: jobs[0].key, variables: {} });
    const records = await recordLog(admin, schema);
    expect(records.filter((r) => r.key === processInstanceKey && r.intent === 'ELEMENT_COMPLETED')).toHaveLength(1);
    await z2.close();
  }, 60_000);
});
