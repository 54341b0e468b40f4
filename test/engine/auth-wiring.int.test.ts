/**
 * The platform with auth on: its own SDK clients use the embedded engine's ENGINE_AUTH_* and
 * ENGINE_TLS_* settings (it deploys the scenario models through a TLS, token-guarded gateway), and
 * in external mode (ZEEBE_GRPC_ADDRESS) the SDK's own CAMUNDA_AUTH_STRATEGY variables reach the
 * cluster.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Camunda8 } from '@camunda8/sdk';
import { generate } from 'selfsigned';
import { startTestEngine } from '../../engine/testing';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { startPlatform } from '../../platform/platform';
import { createTestDatabase } from '../helpers/db';

test('the embedded engine with a token and TLS: the platform deploys through it, an anonymous client is refused', async () => {
  // given
  const database = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-auth-'));
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  fs.writeFileSync(path.join(dataDir, 'engine.crt'), pems.cert);
  fs.writeFileSync(path.join(dataDir, 'engine.key'), pems.private);
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    ENGINE_PORT: '0',
    ENGINE_AUTH_TOKEN: 'platform-token',
    ENGINE_TLS_CERT: path.join(dataDir, 'engine.crt'),
    ENGINE_TLS_KEY: path.join(dataDir, 'engine.key'),
    DATABASE_URL: database?.url,
    // several processes on a PostgreSQL server share one personal-data key (docs/security.md)
    PII_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
  });

  // when the platform starts: it deploys the scenario models with its own client before it resolves
  // (a refused deployment fails the start)
  const platform = await startPlatform(config, createLogger('silent'), { workers: false });
  const address = platform.zeebeAddress;
  const clients = [
    { CAMUNDA_AUTH_STRATEGY: 'BEARER', CAMUNDA_OAUTH_TOKEN: 'platform-token' },
    { CAMUNDA_AUTH_STRATEGY: 'NONE' },
  ].map((auth) =>
    new Camunda8({
      ZEEBE_GRPC_ADDRESS: address,
      CAMUNDA_CUSTOM_ROOT_CERT_STRING: pems.cert,
      ...auth,
      zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE' },
    } as any).getZeebeGrpcApiClient(),
  );
  try {
    const withToken = await clients[0].topology();
    const anonymous = await clients[1].topology().then(
      () => 0,
      (err: { code?: number }) => err.code,
    );

    // then
    expect(address).toMatch(/^grpcs:\/\/127\.0\.0\.1:\d+$/);
    expect(withToken.brokers).toHaveLength(1);
    expect(anonymous).toBe(16);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await platform.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  }
}, 180_000);

test('external mode: the SDK variables (CAMUNDA_AUTH_STRATEGY=BASIC) reach a cluster that requires them', async () => {
  // given a "cluster" that requires basic credentials, and the platform as a process with the SDK's
  // variables for it (the SDK reads its environment when it loads, so this needs a process of its own)
  const cluster = await startTestEngine({
    auth: { username: 'ops', password: 'cluster-pass' },
    assertionTimeoutMs: 90_000,
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-ext-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts'], {
    cwd: path.resolve(__dirname, '../..'),
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: '',
      ZEEBE_GRPC_ADDRESS: cluster.gatewayAddress,
      CAMUNDA_AUTH_STRATEGY: 'BASIC',
      CAMUNDA_BASIC_AUTH_USERNAME: 'ops',
      CAMUNDA_BASIC_AUTH_PASSWORD: 'cluster-pass',
      ZEEBE_CLIENT_LOG_LEVEL: 'NONE',
      LOG_LEVEL: 'silent',
    },
    stdio: 'ignore',
  });
  try {
    // when the platform deploys in the background once the cluster answers
    // then the models arrive
    await cluster.eventually(
      'the scenario models are deployed',
      async () => (await cluster.records({ valueType: 'PROCESS' })).length > 0,
    );
  } finally {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
    await cluster.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 180_000);

test('npm run engine refuses a non-loopback ENGINE_HOST without credentials, naming the variables', async () => {
  // given
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/engine-main.ts'], {
    cwd: path.resolve(__dirname, '../..'),
    env: {
      ...process.env,
      ENGINE_HOST: '0.0.0.0',
      ENGINE_PORT: '0',
      ENGINE_REST_PORT: 'off',
      DEMO: '',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));

  // when
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

  // then
  expect(code).toBe(1);
  expect(err).toContain('ENGINE_HOST=\\"0.0.0.0\\": the engine would accept anyone on a non-loopback address');
  expect(err).toContain('ENGINE_AUTH_TOKEN');
}, 120_000);
