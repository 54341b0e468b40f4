import fs from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { ENGINE_PROBE_TIMEOUT_MS, startPlatform, type Platform } from '../../platform/platform';
import { createTestDatabase } from '../helpers/db';
import { INTAKE_START_DEADLINE_MS } from '../../domain/cases/pending-start';

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** GET with node:http, optionally on a keep-alive agent; resolves status and parsed JSON body. */
function get(url: string, agent?: http.Agent): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}

describe('startPlatform against an external Zeebe address', () => {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  let dataDir: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let platform: Platform | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-platform-'));
  });
  afterEach(async () => {
    await platform?.stop();
    platform = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  afterAll(() => database?.drop());

  const configFor = (zeebeGrpcAddress: string) =>
    loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      ZEEBE_GRPC_ADDRESS: zeebeGrpcAddress,
      DATABASE_URL: database?.url,
      PII_MASTER_KEY: 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=', // a fixed test key (outside demo mode one is required)
      LOG_LEVEL: 'silent',
    });

  it('answers /healthz 503 with db ok and the engine error when nothing listens there', async () => {
    // given a Zeebe address whose port is closed
    const port = await closedPort();
    platform = await startPlatform(configFor(`grpc://127.0.0.1:${port}`), log);

    // when /healthz is asked
    const started = Date.now();
    const res = await get(`${platform.url}/healthz`);

    // then it says which part is down, and says it quickly
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'unavailable',
      db: 'ok',
      engine: expect.stringMatching(new RegExp(`^error: .*127\\.0\\.0\\.1:${port}`)),
      details: {
        calendar: expect.objectContaining({
          status: expect.stringMatching(/^(ok|fallback)$/),
          coveredFrom: '2025-01-01',
        }),
        intake: { pendingStarts: 0, oldestSince: null, lastError: null },
      },
    });
    expect(Date.now() - started).toBeLessThan(ENGINE_PROBE_TIMEOUT_MS + 1000);
    expect(platform.zeebeAddress).toBe(`grpc://127.0.0.1:${port}`);
  });

  it('files a report at once while the Zeebe address accepts connections but never answers', async () => {
    // given an address that accepts TCP connections but never answers, and a platform on it
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      platform = await startPlatform(configFor(`grpc://127.0.0.1:${port}`), log);

      // when a resident reports a problem
      const started = Date.now();
      const res = await fetch(`${platform.url}/api/cases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'platform-report-1' },
        body: JSON.stringify({ description: '小区门口路灯不亮', reporter: { phone: '13800000001' } }),
      });

      // then the answer comes within the intake deadline: filed, with its case number, dispatch pending
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({
        caseNo: expect.stringMatching(/^JB\d{8}-\d{6}$/),
        status: 'received',
        dispatch: 'pending',
      });
      expect(Date.now() - started).toBeLessThan(INTAKE_START_DEADLINE_MS + 1500);

      // and /healthz counts the report waiting for its process
      const health = await get(`${platform.url}/healthz`);
      expect(health.body.details.intake).toMatchObject({ pendingStarts: 1 });
    } finally {
      silent.close();
      for (const socket of sockets) socket.destroy();
    }
  });

  it('gives up on a silent engine after the probe timeout, and drains that request on stop', async () => {
    // given an address that accepts TCP connections but never answers
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      // (without workers and model deployment, whose channels would dial the engine first)
      platform = await startPlatform(configFor(`grpc://127.0.0.1:${port}`), log, {
        workers: false,
        deployModels: false,
      });

      // when /healthz is in flight (its probe has dialled the engine) while the platform is asked to stop
      const dialled = once(silent, 'connection');
      const inFlight = get(`${platform.url}/healthz`);
      await dialled;
      const stopped = platform.stop();
      platform = undefined;

      // then the request still gets its answer (drained, not cut) and the stop completes after it
      const res = await inFlight;
      expect(res.status).toBe(503);
      expect(res.body.engine).toContain(`within ${ENGINE_PROBE_TIMEOUT_MS} ms`);
      await stopped;
    } finally {
      silent.close();
      for (const socket of sockets) socket.destroy();
    }
  });

  it('stops at once despite idle keep-alive connections, and then refuses connections', async () => {
    // given a running platform and a client holding a keep-alive connection open
    platform = await startPlatform(configFor(`grpc://127.0.0.1:${await closedPort()}`), log);
    const url = platform.url;
    const agent = new http.Agent({ keepAlive: true });
    await get(`${url}/healthz`, agent);

    // when it stops
    const started = Date.now();
    await platform.stop();
    platform = undefined;

    // then the idle connection did not hold it up, and nobody listens any more
    expect(Date.now() - started).toBeLessThan(3000);
    await expect(get(`${url}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    agent.destroy();
  });

  it('leaves nothing running when a step fails', async () => {
    // given the HTTP port already taken
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const config = { ...configFor(`grpc://127.0.0.1:${await closedPort()}`), port };

      // when the platform starts, then it fails with the listen error
      await expect(startPlatform(config, log)).rejects.toMatchObject({ code: 'EADDRINUSE' });

      // and the database it opened was closed again: the same data directory starts fine
      platform = await startPlatform({ ...config, port: 0 }, log);
      expect((await get(`${platform.url}/healthz`)).body.db).toBe('ok');
    } finally {
      taken.close();
    }
  });
});

describe('startPlatform with the embedded engine', () => {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  let dataDir: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-embedded-'));
  });
  afterAll(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  });

  it('migrates, starts the engine, and answers /healthz 200; stop frees the engine port', async () => {
    // given no ZEEBE_GRPC_ADDRESS, so the platform runs its own engine (on a free port)
    const config = loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      ENGINE_PORT: '0',
      DATABASE_URL: database?.url,
      PII_MASTER_KEY: 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=', // a fixed test key (outside demo mode one is required)
      LOG_LEVEL: 'silent',
    });

    // when it starts
    const platform = await startPlatform(config, log);
    try {
      // then the engine answers Topology through the SDK and the database answers too
      const res = await get(`${platform.url}/healthz`);
      expect(res).toEqual({
        status: 200,
        body: {
          status: 'ok',
          db: 'ok',
          engine: 'ok',
          details: {
            calendar: expect.objectContaining({
              status: expect.stringMatching(/^(ok|fallback)$/),
              coveredFrom: '2025-01-01',
            }),
            intake: { pendingStarts: 0, oldestSince: null, lastError: null },
          },
        },
      });
      expect(platform.zeebeAddress).toMatch(/^grpc:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await platform.stop();
    }

    // and after stop nothing listens on the engine's port
    const enginePort = Number(platform.zeebeAddress.split(':').pop());
    await expect(
      new Promise((resolve, reject) => net.connect(enginePort, '127.0.0.1').on('connect', resolve).on('error', reject)),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
