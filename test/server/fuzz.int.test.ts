/**
 * Robustness: thousands of malformed requests — broken and hostile JSON, wrong content types,
 * forms, odd query strings and path parameters, bad cookies and keys — against every route the
 * app defines (plus the operational ones). Nothing may answer 5xx, the process must not crash, and
 * every write either happened completely (and was answered 2xx) or not at all.
 *
 * Deterministic: a seeded PRNG (FUZZ_SEED, default 7) and a bounded count (FUZZ_COUNT, default
 * 2000) and time (FUZZ_MS, default 30 s). A failure prints the seed and the request that broke it.
 */
import http from 'node:http';
import { Camunda8, type Zeebe } from '@camunda8/sdk';
import { z } from 'zod';
import { startEngine, type Engine } from '../../engine';
import { deployProcesses } from '../../domain/processes/deploy';
import { migrateAll } from '../../platform/migrate-all';
import { bootstrapAuth, DEMO_DEVICE_KEY } from '../../server/auth/bootstrap';
import type { AnyRoute } from '../../server/http/define-route';
import { createTestDb, type TestDb } from '../helpers/db';
import { startTestAppOn, type TestApp, type TestClient } from './helpers/app';

const SEED = Number(process.env.FUZZ_SEED ?? 7);
const COUNT = Number(process.env.FUZZ_COUNT ?? 2000);
const BUDGET_MS = Number(process.env.FUZZ_MS ?? 30_000); // a safety bound; on a loaded 2-core machine 2,000 requests take ~10 s

/** mulberry32: tiny, fast, good enough to pick cases reproducibly. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)], chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const NASTY_STRINGS = [
  '',
  ' ',
  'a'.repeat(5000),
  '\u0000',
  '\uffff',
  '\ud800',
  '𠜎𠜱',
  '中文字段',
  '13812345678',
  '<script>alert(1)</script>',
  "' or 1=1 --",
  '../../etc/passwd',
  '%00',
  '${7*7}',
  '{{7*7}}',
  'null',
  'true',
  '-1',
  '1e309',
  'NaN',
  '__proto__',
  'constructor',
  '\r\nX-Injected: 1',
];
const NASTY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
  '$where',
  'a.b',
  '0',
];

function randomString(r: Rng): string {
  if (r.chance(0.5)) return r.pick(NASTY_STRINGS);
  const len = r.int(r.chance(0.1) ? 400 : 20);
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCodePoint(r.chance(0.8) ? 32 + r.int(95) : r.int(0x2ffff));
  return s.replace(/[\ud800-\udfff]/g, '?');
}

function randomJson(r: Rng, depth = 0, keys: string[] = []): unknown {
  const kind = r.int(depth > 3 ? 6 : 9);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1, 2 ** 53, -(2 ** 63), 1e308, 0.5, 101, 12, 65536]);
    case 3:
    case 4:
    case 5:
      return randomString(r);
    case 6:
      return Array.from({ length: r.int(5) }, () => randomJson(r, depth + 1, keys));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(6); i > 0; i--)
        o[
          r.chance(0.6) && keys.length
            ? r.pick(keys)
            : r.chance(0.3)
              ? r.pick(NASTY_KEYS)
              : randomString(r).slice(0, 20)
        ] = randomJson(r, depth + 1, keys);
      return o;
    }
  }
}

/** A value valid for a JSON Schema (the route's documented body), to mutate into a near miss. */
function sample(schema: any, r: Rng): unknown {
  if (!schema || typeof schema !== 'object') return null;
  if (schema.enum) return r.pick(schema.enum);
  if (schema.anyOf) return sample(r.pick(schema.anyOf), r);
  switch (schema.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const [k, s] of Object.entries<any>(schema.properties ?? {}))
        if ((schema.required ?? []).includes(k) || r.chance(0.5)) o[k] = sample(s, r);
      return o;
    }
    case 'array':
      return Array.from({ length: r.int(3) }, () => sample(schema.items, r));
    case 'string':
      return schema.format === 'uuid' ? '00000000-0000-4000-8000-000000000000' : 'fuzz' + r.int(1e6);
    case 'integer':
      return Math.max(schema.minimum ?? 0, 1);
    case 'number':
      return 1;
    case 'boolean':
      return r.chance(0.5);
    default:
      return randomJson(r, 2);
  }
}

function mutate(value: unknown, r: Rng, keys: string[]): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = { ...(value as Record<string, unknown>) };
    const k = r.chance(0.8) && Object.keys(o).length ? r.pick(Object.keys(o)) : r.pick([...NASTY_KEYS, ...keys]);
    if (r.chance(0.2)) delete o[k];
    else o[k] = r.chance(0.3) ? mutate(o[k], r, keys) : randomJson(r, 1, keys);
    return o;
  }
  return randomJson(r, 1, keys);
}

interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** encodeURIComponent that tolerates lone surrogates (they become U+FFFD, as a browser would send). */
const enc = (s: string) => encodeURIComponent((s as any).toWellFormed());

function nastyParam(r: Rng): string {
  return r.pick([
    () => enc(randomString(r)) || 'x',
    () => '%zz',
    () => '%E4%B8',
    () => '..%2F..%2Fadmin',
    () => '00000000-0000-4000-8000-000000000000',
    () => String(r.int(1e9)),
    () => '9'.repeat(40),
    () => 'a'.repeat(3000),
    () => '%00',
  ])();
}

function nastyQuery(r: Rng, keys: string[]): string {
  const parts: string[] = [];
  for (let i = r.int(5); i > 0; i--) {
    const key = r.pick([...keys, ...NASTY_KEYS, 'a[b][c]', 'a[]', 'a[0]', '%zz', 'q'.repeat(300)]);
    const value = r.pick([
      () => enc(randomString(r)),
      () => '%',
      () => '%E4',
      () => String(r.int(1e12)),
      () => '',
      () => 'true',
    ])();
    // Raw keys keep their brackets and stray % (what a sloppy client sends); only bytes HTTP forbids are escaped.
    parts.push(
      r.chance(0.1) ? key.replace(/[^\x21-\x7e]/g, (c) => enc(c)).replace(/#/g, '%23') : `${enc(key)}=${value}`,
    );
    if (r.chance(0.2)) parts.push(parts[parts.length - 1]); // repeated key → array
  }
  return parts.length ? `?${parts.join('&')}` : r.pick(['', '?', '?&&', '?=']);
}

function nastyBody(r: Rng, route: AnyRoute | undefined): { body?: string | Buffer; type?: string } {
  const schema = route?.request?.body
    ? z.toJSONSchema(route.request.body, { io: 'input', unrepresentable: 'any' })
    : undefined;
  const keys = Object.keys((schema as any)?.properties ?? {});
  return r.pick([
    () => ({ body: JSON.stringify(mutate(sample(schema, r), r, keys)), type: 'application/json' }),
    () => ({ body: JSON.stringify(mutate(sample(schema, r), r, keys)), type: 'application/json' }),
    () => ({ body: JSON.stringify(randomJson(r, 0, keys)), type: 'application/json' }),
    () => ({
      body: r.pick([
        '{',
        '{"a":',
        '[1,2',
        '"str"',
        'null',
        '1e999999',
        '{"a":1}}',
        '\u0000',
        '{"__proto__":{"admin":true}}',
        '{"constructor":{"prototype":{"x":1}}}',
        '',
      ]),
      type: 'application/json',
    }),
    () => ({ body: '['.repeat(5000) + ']'.repeat(5000), type: 'application/json' }),
    () => ({ body: `{"variables":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`, type: 'application/json' }),
    () => ({
      body: Buffer.from(Array.from({ length: r.int(200) }, () => r.int(256))),
      type: r.pick(['application/json', 'application/octet-stream', 'text/plain']),
    }),
    () => ({
      body: keys.map((k) => `${k}=${enc(randomString(r))}`).join('&'),
      type: 'application/x-www-form-urlencoded',
    }),
    () => ({
      body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
      type: 'multipart/form-data; boundary=x',
    }),
    () => ({ body: JSON.stringify(sample(schema, r)), type: 'application/json; charset=latin1' }),
    () => ({
      body: JSON.stringify(sample(schema, r)),
      type: r.pick(['text/plain', 'application/xml', 'application/json-patch+json']),
    }),
    () => ({ body: 'x'.repeat(1024 * 1024 + 10), type: 'application/json' }),
    () => ({}),
  ])();
}

function send(
  base: string,
  agent: http.Agent,
  req: RawRequest,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(base);
    // Node's client sends GET/DELETE bodies without a length unless told: the server would then read the body as the next request.
    if (req.body !== undefined) req.headers['content-length'] = String(Buffer.byteLength(req.body));
    const r = http.request(
      { host: u.hostname, port: u.port, method: req.method, path: req.path, headers: req.headers, agent },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), body }),
        );
      },
    );
    r.on('error', reject);
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

describe('fuzzing every endpoint', () => {
  let testDb: TestDb;
  let t: TestApp;
  let engine: Engine;
  let zbc: Zeebe.ZeebeGrpcClient;
  let admin: TestClient;
  let targetUserId: string;

  beforeAll(async () => {
    testDb = await createTestDb();
    await migrateAll(testDb.db, { engine: false });
    await bootstrapAuth(testDb.db, { demo: true, log: { info() {}, warn() {} } });
    // The embedded engine, so the incident endpoints answer as they do in production (not 501).
    engine = await startEngine({ db: testDb.db, port: 0 });
    zbc = new Camunda8({
      ZEEBE_GRPC_ADDRESS: `grpc://${engine.address}`,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE' },
    }).getZeebeGrpcApiClient();
    const engineHealth = () => zbc.topology().then(() => 'ok' as const);
    // The scenario models, as the platform deploys them at start, so intake endpoints run for real.
    await deployProcesses(zbc, { db: testDb.db });
    t = await startTestAppOn(testDb, {
      env: { RATE_LIMIT_LOGIN_IP: '20/10m', RATE_LIMIT_INTAKE_IP: '1000/1m' },
      context: { engine, zbc, engineHealth },
    });
    admin = await t.loginAs('admin');
    targetUserId = (
      await admin.post('/api/admin/users', {
        username: 'fuzz.target',
        displayName: 'Target',
        roles: ['clerk'],
        departments: ['tax'],
      })
    ).body.user.id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await zbc?.close();
    await engine?.stop();
    await testDb?.destroy();
  });

  it(`answers ${COUNT} malformed requests without a 5xx, a crash or a half-written row`, async () => {
    // given the routes, callers and a seeded generator
    const r = prng(SEED);
    const routes: Array<AnyRoute | { method: string; path: string }> = [
      ...t.app.locals.routes,
      { method: 'get', path: '/healthz' },
      { method: 'get', path: '/metrics' },
      { method: 'post', path: '/api/nothing-here/:x' },
    ];
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const before = await counts(t);
    const tally = { users: 0, keys: 0, revoked: 0, byStatus: new Map<number, number>() };
    const started = Date.now();
    let sent = 0;

    // when thousands of malformed requests arrive, a few at a time
    const worker = async () => {
      while (sent < COUNT && Date.now() - started < BUDGET_MS) {
        const n = sent++;
        const route = r.pick(routes);
        const defined = 'handler' in route ? route : undefined;
        // The admin is weighted up so that many requests reach validation and the services behind it.
        const caller = r.pick([
          'anonymous',
          'admin',
          'admin',
          'admin',
          'admin-no-csrf',
          'device',
          'bad-key',
          'bad-cookie',
        ] as const);
        const path =
          route.path.replace(/:(\w+)/g, (_m, name) => (name === 'id' && r.chance(0.3) ? targetUserId : nastyParam(r))) +
          nastyQuery(
            r,
            Object.keys(
              defined?.request?.query
                ? ((z.toJSONSchema(defined.request.query, { io: 'input', unrepresentable: 'any' }) as any).properties ??
                    {})
                : {},
            ),
          );
        const method = r.chance(0.9)
          ? route.method.toUpperCase()
          : r.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']);
        const { body, type } = method === 'GET' || method === 'HEAD' ? {} : nastyBody(r, defined);
        const headers: Record<string, string> = {};
        if (type) headers['content-type'] = type;
        // Never end the admin's own session: logout and password changes go without the CSRF token.
        const sessionEnding = /logout|me\/password/.test(route.path);
        if (caller === 'admin' || caller === 'admin-no-csrf') {
          headers.cookie = `om_session=${admin.cookies.get('om_session')}`;
          if (caller === 'admin' && !sessionEnding) headers['x-csrf-token'] = admin.csrfToken!;
        }
        if (caller === 'device') headers.authorization = `Bearer ${DEMO_DEVICE_KEY}`;
        // Headers a route reads itself (Idempotency-Key): malformed, oversized, and one value reused across bodies.
        for (const h of defined?.requestHeaders ?? [])
          if (r.chance(0.6))
            headers[h.name.toLowerCase()] = r.pick([
              '',
              '   ',
              'x'.repeat(201),
              'key with spaces',
              'fuzz-reused-key',
              'fuzz-reused-key',
              randomString(r)
                .replace(/[^\x20-\x7e]/g, '')
                .slice(0, 300),
            ]);
        if (caller === 'bad-key')
          headers.authorization = r.pick([
            'Bearer',
            'Bearer x y',
            `Bearer ${randomString(r).replace(/[^\x21-\x7e]/g, '')}`,
            'Basic Zm9v',
            'bearer ' + 'k'.repeat(4000),
          ]);
        if (caller === 'bad-cookie')
          headers.cookie = r.pick([
            'om_session=%zz',
            'om_session=',
            'om_session="unterminated',
            `om_session=${'A'.repeat(43)}`,
            'a=b; om_session=' + 'x'.repeat(9000),
            ';;;=;',
          ]);
        const req: RawRequest = { method, path, headers, body };
        const res = await send(t.url, agent, req).catch((err) => ({ status: -1, type: '', body: String(err) }));
        tally.byStatus.set(res.status, (tally.byStatus.get(res.status) ?? 0) + 1);
        const where = `seed ${SEED}, request #${n}: ${method} ${path.slice(0, 300)} as ${caller} (${type ?? 'no body'}) ${String(body ?? '').slice(0, 300)}`;
        if (res.status < 100 || res.status >= 500)
          throw new Error(
            `Expected no 5xx and no dropped connection, but got ${res.status} for ${where}\n${res.body.slice(0, 500)}`,
          );
        // (431 comes from Node's HTTP parser for headers past 16 KiB, before any app code runs.)
        if (
          res.status >= 400 &&
          res.status !== 431 &&
          path.startsWith('/api/') &&
          method !== 'HEAD' &&
          !/problem\+json/.test(res.type)
        )
          throw new Error(`Expected problem+json for ${res.status}, but got ${res.type} for ${where}`);
        if (res.status === 201 && route.path === '/api/admin/users') tally.users++;
        if (res.status === 201 && route.path === '/api/admin/api-keys') tally.keys++;
        if (
          res.status === 200 &&
          route.method === 'delete' &&
          method === 'DELETE' &&
          route.path === '/api/admin/api-keys/:id'
        )
          tally.revoked++;
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    agent.destroy();
    if (process.env.FUZZ_REPORT)
      console.log({
        sent,
        ms: Date.now() - started,
        byStatus: Object.fromEntries([...tally.byStatus].sort((a, b) => a[0] - b[0])),
      });

    // then it got through a good share of the requests within the budget
    expect(sent).toBeGreaterThanOrEqual(Math.min(COUNT, 1000));
    // and the writes that were answered 2xx are exactly the rows that appeared
    const after = await counts(t);
    expect(after.users - before.users).toBe(tally.users);
    expect(after.keys - before.keys).toBe(tally.keys);
    expect(after.revoked - before.revoked).toBe(tally.revoked);
    expect(after.orphanMemberships).toBe(0);
    // and the server still works normally
    expect((await t.client().get('/api/departments')).status).toBe(200);
    expect((await admin.get('/api/me')).status).toBe(200);
    expect((await t.client().get('/healthz')).status).toBe(200);
    // at least some requests got past validation (the fuzzer is not only bouncing off 400s)
    expect([...tally.byStatus.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
  }, 60_000);
});

async function counts(t: TestApp) {
  const db = t.testDb.db;
  const n = async (q: any) => Number((await q.count('* as n'))[0].n);
  return {
    users: await n(db('app_user')),
    keys: await n(db('api_key')),
    revoked: await n(db('api_key').whereNotNull('revoked_at')),
    orphanMemberships: await n(db('user_department').whereNotIn('user_id', db('app_user').select('id'))),
  };
}
