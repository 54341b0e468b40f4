/**
 * ENGINE_REST_PORT: the standalone engine (`npm run engine`, platform/engine-main.ts) and the
 * platform's embedded engine serve the Camunda 8.8 REST API (`/v2`) there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Camunda8 } from '@camunda8/sdk';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { startPlatform } from '../../platform/platform';
import { createTestDatabase } from '../helpers/db';

const ROOT = path.resolve(__dirname, '../..');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const restClient = (address: string) =>
  new Camunda8({
    ZEEBE_REST_ADDRESS: address,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    CAMUNDA_LOG_LEVEL: 'none',
  } as any).getCamundaRestClient();

describe('ENGINE_REST_PORT', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) {
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    child = undefined;
  });

  test('npm run engine serves /v2 on ENGINE_REST_PORT and names it in its listening line', async () => {
    // given
    child = spawn(process.execPath, ['--import', 'tsx', 'platform/engine-main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ENGINE_PORT: '0', ENGINE_REST_PORT: '0', DATABASE_URL: '', ENGINE_DATA_DIR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const listening = await new Promise<{ rest?: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`engine did not start within 90 s:\n${out}`)), 90_000);
      child!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line));
        }
      });
      child!.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    });

    // when
    expect(listening.rest).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
    const rest = restClient(listening.rest!.replace(/\/v2$/, ''));
    const topology = await rest.getTopology();

    // then
    expect(topology.clusterSize).toBe(1);
  }, 120_000);

  test('the platform serves /v2 from its embedded engine when ENGINE_REST_PORT is set', async () => {
    // given
    const database = await createTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-rest-'));
    const restPort = await freePort();
    const config = loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      ENGINE_PORT: '0',
      ENGINE_REST_PORT: String(restPort),
      DATABASE_URL: database?.url,
      PII_MASTER_KEY: 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=', // a fixed test key (outside demo mode one is required)
      LOG_LEVEL: 'silent',
    });
    const platform = await startPlatform(config, createLogger('silent'), { workers: false, deployModels: false });
    try {
      // when
      const rest = restClient(`http://127.0.0.1:${restPort}`);
      const topology = await rest.getTopology();

      // then
      expect(topology.brokers?.[0].partitions[0].role).toBe('leader');
    } finally {
      await platform.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      await database?.drop();
    }
  }, 120_000);
});
