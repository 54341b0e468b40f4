/**
 * Fire-lane latency benchmark (npm run bench:fire-lane). Prints figures and the machine; never a
 * timed test.
 *
 *   npm run bench:fire-lane                     # PGlite, and PostgreSQL (DATABASE_URL or the local server) if reachable
 *   npm run bench:fire-lane -- --quick          # 10 s instead of 60 s
 *   npm run bench:fire-lane -- --db pglite      # one database only (pglite | postgres)
 *   npm run bench:fire-lane -- --rate 40        # events per second (default 20)
 *   npm run bench:fire-lane -- --profile        # also: where a new case's time goes (debug logging: slower)
 *   BENCH_TRACE=1 npm run bench:fire-lane       # also: every SQL statement shape, counted per event
 *
 * What it does: boots the whole platform in this process (database, embedded engine, job workers,
 * SMS dispatcher, HTTP server — `startPlatform`, as `npm start` does) with `SMS_PROVIDER=webhook`
 * pointing at a local HTTP double, seeds a vehicle registry and lanes, then a camera posts
 * `POST /api/device-events` at a paced rate, each event a new car (so every event opens a case and
 * sends a notice). Latency = the webhook double receiving the notice − the moment the camera
 * started its POST: detection → SMS handed to the provider, end to end through HTTP, the device
 * service, the engine, `vehicle.lookup`, `sms.notify`, the outbox and the dispatcher.
 * It also counts database statements and transactions per event (all of them: engine and app).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import knexFactory from 'knex';
import pino from 'pino';
import { createDb } from '../db/knex';
import { migrateAll } from '../platform/migrate-all';
import { seedCatalog } from '../domain/catalog/seed-catalog';
import { upsertApiKeyByHash } from '../server/auth/api-key-queries';
import { sha256Hex } from '../server/auth/tokens';
import { loadConfig } from '../platform/config';
import { upsertLanes, type FireLane } from '../domain/fire-lane/lanes';
import { upsertVehicles } from '../domain/fire-lane/vehicle-registry';
import { createLogger } from '../platform/logger';
import { startPlatform } from '../platform/platform';

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const quick = args.includes('--quick');
const profile = args.includes('--profile');
const RATE = Number(arg('--rate') ?? 20);
const SECONDS = Number(arg('--seconds') ?? (quick ? 10 : 60));
const WARMUP = 40;
const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const CAMERA_KEY = 'bench-camera-key';
const LANES = 20;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const f1 = (n: number) => n.toFixed(1);

/** A local SMS gateway: records when each notice arrives (by case id). */
async function startGateway(): Promise<{ url: string; arrivals: Map<string, number>; close(): Promise<void> }> {
  const arrivals = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        caseId: string;
        template: string;
        id: string;
      };
      if (body.template === 'fire-lane.notice' && !arrivals.has(body.caseId)) arrivals.set(body.caseId, at);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ messageId: `gw-${body.id}` }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`,
    arrivals,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const plateOf = (i: number) => `浙A${String(10000 + i).padStart(5, '0')}`;

async function seed(dbOptions: Parameters<typeof createDb>[0], vehicles: number): Promise<void> {
  const db = createDb(dbOptions);
  try {
    await migrateAll(db);
    await seedCatalog(db);
    await upsertApiKeyByHash(db, {
      id: crypto.randomUUID(),
      kind: 'device',
      name: 'bench camera',
      keyHash: sha256Hex(CAMERA_KEY),
      deviceId: null,
      createdBy: 'bench',
    });
    const lanes: FireLane[] = Array.from({ length: LANES }, (_, i) => ({
      id: `B-${String(i + 1).padStart(2, '0')}`,
      name: `基准小区${i + 1}号楼消防通道`,
      compound: `基准小区${(i % 5) + 1}`,
      street: null,
      propertyCompany: null,
      propertyContactName: null,
      propertyContactPhone: null,
      onSiteDepartment: null,
    }));
    await upsertLanes(db, lanes);
    await upsertVehicles(
      db,
      Array.from({ length: vehicles }, (_, i) => ({
        plate: plateOf(i),
        ownerName: `车主${i}`,
        ownerPhone: `1380100${String(i).padStart(4, '0')}`,
        compound: null,
      })),
      { source: 'bench' },
    );
  } finally {
    await db.destroy();
  }
}

interface Result {
  db: string;
  events: number;
  sms: number;
  latency: number[];
  httpMs: number[];
  statementsPerEvent: number;
  transactionsPerEvent: number;
  achievedRate: number;
  stages: Record<string, number[]>;
}

/** With --profile: the device service's per-case stage timings, read from its debug log line. */
function stageLogger(stages: Record<string, number[]>) {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.includes('fire-lane detection timings')) continue;
        const t = JSON.parse(line) as Record<string, unknown>;
        for (const k of ['caseTxMs', 'engineStartMs', 'finishMs']) (stages[k] ??= []).push(Number(t[k]));
      }
      done();
    },
  });
  // debug for the device service only would need a logger per route; the rest is discarded above
  return pino({ level: 'debug' }, sink);
}

async function run(kind: 'pglite' | 'postgres'): Promise<Result> {
  const total = Math.round(RATE * SECONDS);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-bench-fl-'));
  let databaseUrl: string | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  if (kind === 'postgres') {
    const name = `bench_fl_${process.pid}_${Date.now()}`;
    const admin = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 } });
    await admin.raw(`create database "${name}"`);
    await admin.destroy();
    const u = new URL(PG_URL);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDb = async () => {
      const a = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 } });
      await a.raw(`drop database if exists "${name}" with (force)`);
      await a.destroy();
    };
  }
  await seed(databaseUrl ? { databaseUrl } : { pgliteDir: path.join(dataDir, 'pg') }, total + WARMUP + 10);
  const gateway = await startGateway();
  Object.assign(process.env, { SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: gateway.url, SMS_DAILY_CAP_PER_PHONE: '10' });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ENGINE_PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    // a key made for this run: the bench's owners are sealed like a deployment's
    PII_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
    SMS_PROVIDER: 'webhook',
    SMS_WEBHOOK_URL: gateway.url,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const stages: Record<string, number[]> = {};
  const platform = await startPlatform(config, profile ? stageLogger(stages) : createLogger('error'));
  let statements = 0;
  let transactions = 0;
  const trace = new Map<string, number>();
  platform.db.on('query', (q: { sql?: string }) => {
    statements += 1;
    if (process.env.BENCH_TRACE) {
      const k = (q.sql ?? '').replace(/\$\d+/g, '?').replace(/\s+/g, ' ').slice(0, 110);
      trace.set(k, (trace.get(k) ?? 0) + 1);
    }
    if (/^\s*(begin|start transaction)/i.test(q.sql ?? '')) transactions += 1;
  });
  // A fresh connection per event, as cameras make them (keep-alive sockets closed by the server mid-run reset).
  const agent = new http.Agent({ keepAlive: false, maxSockets: 256 });
  const post = (i: number): Promise<{ caseId: string; startedAt: number; httpMs: number }> =>
    new Promise((resolve, reject) => {
      const lane = `B-${String((i % LANES) + 1).padStart(2, '0')}`;
      const body = JSON.stringify({
        deviceId: `cam-${lane}`,
        type: 'fire-lane.occupied',
        laneId: lane,
        plate: plateOf(i),
        detectedAt: new Date().toISOString(),
        eventId: `bench-${i}`,
      });
      const startedAt = performance.now();
      const req = http.request(
        `${platform.url}/api/device-events`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${CAMERA_KEY}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 202) return reject(new Error(`event ${i}: ${res.statusCode} ${text}`));
            resolve({
              caseId: (JSON.parse(text) as { caseId: string }).caseId,
              startedAt,
              httpMs: performance.now() - startedAt,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const waitFor = async (caseIds: string[], ms: number) => {
    const until = Date.now() + ms;
    while (caseIds.some((c) => !gateway.arrivals.has(c)) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
  };

  try {
    // Warm-up (JIT, connections, job streams): not measured.
    const warm = await Promise.all(Array.from({ length: WARMUP }, (_, i) => post(total + i)));
    await waitFor(
      warm.map((w) => w.caseId),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    statements = 0;
    transactions = 0;
    for (const k of Object.keys(stages)) stages[k] = [];

    const t0 = performance.now();
    const sent: Promise<{ caseId: string; startedAt: number; httpMs: number }>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      sent.push(post(i));
      if (i % RATE === 0) process.stderr.write(`\r  ${kind}: ${i}/${total} events`);
    }
    const results = await Promise.all(sent);
    const achievedRate = total / ((performance.now() - t0) / 1000);
    await waitFor(
      results.map((r) => r.caseId),
      60_000,
    );
    process.stderr.write(`\r  ${kind}: ${total}/${total} events\n`);
    if (process.env.BENCH_TRACE)
      for (const [k, n] of [...trace].sort((a, b) => b[1] - a[1]).slice(0, 45))
        console.error(`${(n / total).toFixed(2).padStart(6)}  ${k}`);
    const latency = results
      .filter((r) => gateway.arrivals.has(r.caseId))
      .map((r) => gateway.arrivals.get(r.caseId)! - r.startedAt);
    return {
      db: kind,
      events: total,
      sms: latency.length,
      latency,
      httpMs: results.map((r) => r.httpMs),
      statementsPerEvent: statements / total,
      transactionsPerEvent: transactions / total,
      achievedRate,
      stages,
    };
  } finally {
    agent.destroy();
    await platform.stop();
    await gateway.close();
    await dropDb?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function postgresReachable(): Promise<boolean> {
  const k = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 2000 });
  try {
    await k.raw('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await k.destroy();
  }
}

async function main() {
  const only = arg('--db');
  const kinds: ('pglite' | 'postgres')[] = only
    ? [only as 'pglite' | 'postgres']
    : ['pglite', ...((await postgresReachable()) ? (['postgres'] as const) : [])];
  const cpus = os.cpus();
  console.log(
    `fire-lane benchmark — ${RATE} events/s for ${SECONDS} s (new car per event), detection → SMS handed to the provider (webhook double)`,
  );
  console.log(
    `machine: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}`,
  );
  console.log(
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')} (1, 5, 15 min) — other jobs on the machine skew the figures`,
  );
  for (const kind of kinds) {
    const r = await run(kind);
    const l = r.latency;
    console.log(
      `load average after ${r.db}: ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(', ')}`,
    );
    console.log(
      `${r.db.padEnd(8)} events ${r.events} (${f1(r.achievedRate)}/s), notices delivered ${r.sms}/${r.events}\n` +
        `         detection → SMS handed to provider: p50 ${f1(pct(l, 50))} ms · p95 ${f1(pct(l, 95))} ms · p99 ${f1(pct(l, 99))} ms · max ${f1(Math.max(...l))} ms\n` +
        `         camera POST answered (202):          p50 ${f1(pct(r.httpMs, 50))} ms · p99 ${f1(pct(r.httpMs, 99))} ms\n` +
        `         per event: ${f1(r.statementsPerEvent)} SQL statements, ${f1(r.transactionsPerEvent)} transactions (engine + app)`,
    );
    for (const [k, xs] of Object.entries(r.stages))
      console.log(`         ${k.padEnd(14)} p50 ${f1(pct(xs, 50))} ms · p99 ${f1(pct(xs, 99))} ms`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
