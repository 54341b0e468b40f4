/**
 * The API tests' platform: the scenario harness (embedded engine with the models deployed, the
 * sample catalog, the real job handlers driven job by job — no sleeps) plus the HTTP app on the same
 * database with the demo users, talking to the engine through the SDK client.
 */
import { bootstrapAuth } from '../../server/auth/bootstrap';
import { createLogger } from '../../platform/logger';
import { startHarness, type Harness } from '../scenarios/harness';
import { startTestAppOn, type TestApp, type TestClient } from '../server/helpers/app';

export interface ApiPlatform {
  h: Harness;
  t: TestApp;
  /** Logged-in clients, cached per user. */
  as(username: string): Promise<TestClient>;
  anonymous(): TestClient;
  stop(): Promise<void>;
}

export async function startApiPlatform(): Promise<ApiPlatform> {
  const h = await startHarness();
  await bootstrapAuth(h.db, { demo: true, log: createLogger('silent'), print: () => {} });
  const t = await startTestAppOn(h.testDb, {
    context: { zbc: h.zbc, now: () => new Date(h.te.now()) },
    env: { RATE_LIMIT_INTAKE_IP: '1000/1m' },
  });
  const clients = new Map<string, TestClient>();
  return {
    h,
    t,
    async as(username) {
      if (!clients.has(username)) clients.set(username, await t.loginAs(username));
      return clients.get(username)!;
    },
    anonymous: () => t.client(),
    async stop() {
      await t.close();
      await h.stop();
    },
  };
}
