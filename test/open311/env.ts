/**
 * The Open311 and device tests' environment: the scenario harness (an embedded engine on its own
 * database, the sample catalog, every model deployed, the real scenario workers driven job by job)
 * plus the HTTP app on the same database with the demo keys (`demo-open311-key`, `demo-camera-key`).
 */
import { bootstrapAuth } from '../../server/auth/bootstrap';
import { createLogger } from '../../platform/logger';
import { startHarness, type Harness } from '../scenarios/harness';
import { startTestAppOn, type TestApp } from '../server/helpers/app';

export const OPEN311_KEY = 'demo-open311-key';
export const CAMERA_KEY = 'demo-camera-key';

export interface Open311Env {
  h: Harness;
  app: TestApp;
  stop(): Promise<void>;
}

export async function startOpen311Env(options: { deploy?: boolean } = {}): Promise<Open311Env> {
  const h = await startHarness(options);
  await bootstrapAuth(h.db, { demo: true, log: createLogger('silent'), print: () => {} });
  const app = await startTestAppOn(h.testDb, {
    context: { zbc: h.zbc, engine: h.te.engine, now: () => new Date(h.te.now()) },
  });
  return {
    h,
    app,
    async stop() {
      await app.close();
      await h.stop();
    },
  };
}

export interface Raw {
  status: number;
  contentType: string;
  text: string;
  headers: Headers;
}

export async function get(env: Open311Env, path: string): Promise<Raw> {
  const res = await fetch(env.app.url + path);
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    text: await res.text(),
    headers: res.headers,
  };
}

/** POSTs a form exactly as given (`application/x-www-form-urlencoded`, the way LWP/URI encode it). */
export async function postForm(
  env: Open311Env,
  path: string,
  fields: Array<[string, string]>,
  contentType = 'application/x-www-form-urlencoded',
): Promise<Raw> {
  const body = new URLSearchParams(fields).toString();
  const res = await fetch(env.app.url + path, { method: 'POST', headers: { 'content-type': contentType }, body });
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    text: await res.text(),
    headers: res.headers,
  };
}

/** A valid POST for the first service of the sample catalog (流动摊贩占道经营). */
export function validForm(extra: Array<[string, string]> = []): Array<[string, string]> {
  return [
    ['api_key', OPEN311_KEY],
    ['service_code', 'C01-M01'],
    ['attribute[situation]', 'C01-M01-S01'],
    ['lat', '29.9021'],
    ['long', '121.5532'],
    ['description', '小区门口每天有流动摊贩摆摊叫卖卖菜，三轮车占道影响通行'],
    ['first_name', '晓明'],
    ['last_name', '王'],
    ['phone', '13800000001'],
    ['email', 'wang@example.com'],
    ...extra,
  ];
}
