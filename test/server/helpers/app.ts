import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { migrateAll } from '../../../platform/migrate-all';
import { createApp, type App, type AppContext } from '../../../server/app';
import { bootstrapAuth, DEMO_PASSWORD } from '../../../server/auth/bootstrap';
import { loadConfig, type Config } from '../../../platform/config';
import { createLogger } from '../../../platform/logger';
import { createTestDb, type TestDb } from '../../helpers/db';

/** A running app on its own database (PGlite, or a PostgreSQL schema with DATABASE_URL), on port 0. */
export interface TestApp {
  app: App;
  url: string;
  testDb: TestDb;
  config: Config;
  /** A fresh HTTP client with its own cookie jar. */
  client(): TestClient;
  /** A client logged in as `username` (demo password unless given). */
  loginAs(username: string, password?: string): Promise<TestClient>;
  /** Another app with a different configuration on the same database (no second migration). */
  spawn(options?: Pick<TestAppOptions, 'env' | 'context'>): Promise<TestApp>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Seed the demo users and keys (default true). */
  demo?: boolean;
  /** Extra environment for loadConfig (e.g. rate limits). */
  env?: Record<string, string>;
  /** Extra context (engine, zbc). */
  context?: Partial<AppContext>;
  /** Receives the bootstrap banner (outside demo mode). */
  print?: (text: string) => void;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const testDb = await createTestDb();
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const config = loadConfig({ LOG_LEVEL: 'silent', DEMO: options.demo === false ? '0' : '1', ...options.env });
  await migrateAll(testDb.db, { engine: false });
  await bootstrapAuth(testDb.db, { demo: config.demo, log, print: options.print ?? (() => {}) });
  return serve(testDb, config, options, true);
}

/** An app on a database the caller migrated and owns (closing the app leaves the database). */
export function startTestAppOn(
  testDb: TestDb,
  options: Pick<TestAppOptions, 'env' | 'context' | 'demo'> = {},
): Promise<TestApp> {
  const config = loadConfig({ LOG_LEVEL: 'silent', DEMO: options.demo === false ? '0' : '1', ...options.env });
  return serve(testDb, config, options, false);
}

async function serve(testDb: TestDb, config: Config, options: TestAppOptions, ownsDb: boolean): Promise<TestApp> {
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const app = createApp({
    db: testDb.db,
    config,
    log,
    // These tests run without an engine unless one is passed in; /healthz then says so.
    engineHealth: async () => 'not connected: this test app runs without an engine',
    ...options.context,
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t: TestApp = {
    app,
    url,
    testDb,
    config,
    client: () => new TestClient(url),
    async loginAs(username, password = DEMO_PASSWORD) {
      const c = new TestClient(url);
      const res = await c.login(username, password);
      if (res.status !== 200)
        throw new Error(`Expected login of ${username} to succeed, but got ${res.status}: ${JSON.stringify(res.body)}`);
      return c;
    },
    spawn: (more = {}) =>
      serve(testDb, loadConfig({ LOG_LEVEL: 'silent', DEMO: config.demo ? '1' : '0', ...more.env }), more, false),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (ownsDb) await testDb.destroy();
    },
  };
  return t;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** fetch with a cookie jar and the session's CSRF token sent on writes (unless told otherwise). */
export class TestClient {
  cookies = new Map<string, string>();
  csrfToken?: string;

  constructor(readonly baseUrl: string) {}

  async request(
    method: string,
    path: string,
    opts: { json?: unknown; body?: string; headers?: Record<string, string>; csrf?: boolean } = {},
  ): Promise<TestResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (opts.csrf !== false && this.csrfToken && !['GET', 'HEAD'].includes(method))
      headers['x-csrf-token'] ??= this.csrfToken;
    let body: string | undefined = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body, redirect: 'manual' });
    for (const sc of res.headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: any = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get = (path: string, opts?: Parameters<TestClient['request']>[2]) => this.request('GET', path, opts);
  post = (path: string, json?: unknown, opts?: Parameters<TestClient['request']>[2]) =>
    this.request('POST', path, { ...opts, json });
  patch = (path: string, json?: unknown, opts?: Parameters<TestClient['request']>[2]) =>
    this.request('PATCH', path, { ...opts, json });
  put = (path: string, json?: unknown, opts?: Parameters<TestClient['request']>[2]) =>
    this.request('PUT', path, { ...opts, json });
  delete = (path: string, opts?: Parameters<TestClient['request']>[2]) => this.request('DELETE', path, opts);

  async login(username: string, password: string): Promise<TestResponse> {
    const res = await this.post('/api/auth/login', { username, password });
    if (res.status === 200) this.csrfToken = res.body.csrfToken;
    return res;
  }
}
