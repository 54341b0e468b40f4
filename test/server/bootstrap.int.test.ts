import { migrateAll } from '../../platform/migrate-all';
import {
  bootstrapAuth,
  DEMO_DEVICE_KEY,
  DEMO_OPEN311_KEY,
  DEMO_PASSWORD,
  DEMO_USERS,
} from '../../server/auth/bootstrap';
import { createTestDb, type TestDb } from '../helpers/db';
import { startTestAppOn } from './helpers/app';

const quiet = { info() {}, warn() {} };

/** One database through its life: a real install, then demo mode, then real again. */
describe('bootstrapAuth', () => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await createTestDb();
    await migrateAll(testDb.db, { engine: false });
  });
  afterAll(() => testDb.destroy());

  it('creates admin with a random password printed once, and nothing answers to the demo password', async () => {
    // given an empty database and a captured stdout
    const printed: string[] = [];
    const print = (text: string) => printed.push(text);

    // when the platform bootstraps twice (two starts)
    const first = await bootstrapAuth(testDb.db, { demo: false, log: quiet, print });
    const second = await bootstrapAuth(testDb.db, { demo: false, log: quiet, print });

    // then exactly one banner was printed, carrying the password
    expect(printed).toHaveLength(1);
    expect(first.adminPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(printed[0]).toContain(`password: ${first.adminPassword}`);
    expect(printed[0]).toMatch(/^=+\n/);
    expect(second.adminPassword).toBeUndefined();
    // and only admin exists, departments are seeded
    expect((await testDb.db('app_user').select('username')).map((u) => u.username)).toEqual(['admin']);
    expect(Number((await testDb.db('department').count('* as n'))[0].n)).toBeGreaterThanOrEqual(33);
  });

  it('re-enables admin with a new printed password when no active admin is left, and lets it in with that only', async () => {
    // given no active admin any more (the admin was deactivated), and the app outside demo mode
    const printed: string[] = [];
    const first = await bootstrapAuth(testDb.db, { demo: false, log: quiet, print: (x) => printed.push(x) });
    expect(first.adminPassword).toBeUndefined(); // the admin of the previous test exists: nothing printed
    await testDb.db('app_user').where({ username: 'admin' }).update({ active: false });
    await bootstrapAuth(testDb.db, { demo: false, log: quiet, print: (x) => printed.push(x) });
    const t = await startTestAppOn(testDb, { demo: false });
    try {
      const password = /password: (\S+)/.exec(printed[0])![1];

      // when logging in with the demo password, and with the printed one
      const demo = await t.client().login('admin', DEMO_PASSWORD);
      const real = await t.client().login('admin', password);

      // then
      expect(demo.status).toBe(401);
      expect(real.status).toBe(200);
      expect(real.body.user.roles).toEqual(['admin']);
      for (const username of ['designer', 'supervisor', 'clerk.housing'])
        expect((await t.client().login(username, DEMO_PASSWORD)).status).toBe(401);
      expect(
        (await t.client().get('/api/admin/users', { headers: { authorization: `Bearer ${DEMO_DEVICE_KEY}` } })).status,
      ).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('seeds the demo users and keys of DOMAIN.md, idempotently, and retires them when demo mode ends', async () => {
    // given demo mode, started twice
    const printed: string[] = [];
    await bootstrapAuth(testDb.db, { demo: true, log: quiet, print: (x) => printed.push(x) });
    await bootstrapAuth(testDb.db, { demo: true, log: quiet, print: (x) => printed.push(x) });

    // then every demo user exists once, clerks in their department, and nothing was printed
    const users = await testDb.db('app_user').select('username', 'active');
    expect(users).toHaveLength(DEMO_USERS.length);
    expect(users.map((u) => u.username)).toEqual(
      expect.arrayContaining([
        'admin',
        'designer',
        'supervisor',
        'clerk.housing',
        'clerk.mediation-center',
        'clerk.town-cicheng',
      ]),
    );
    const housing = await testDb
      .db('user_department')
      .join('app_user', 'app_user.id', 'user_department.user_id')
      .where('username', 'clerk.housing')
      .select('department_code');
    expect(housing).toEqual([{ department_code: 'housing' }]);
    expect(await testDb.db('api_key').whereNull('revoked_at').select('kind').orderBy('kind')).toEqual([
      { kind: 'device' },
      { kind: 'open311' },
    ]);
    expect(printed).toEqual([]);

    // when the same database starts outside demo mode
    const result = await bootstrapAuth(testDb.db, { demo: false, log: quiet, print: (x) => printed.push(x) });

    // then the demo keys are revoked, demo users deactivated, and a new admin password printed once
    expect(await testDb.db('api_key').whereNull('revoked_at')).toEqual([]);
    expect(await testDb.db('app_user').where({ active: true }).select('username')).toEqual([{ username: 'admin' }]);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(result.adminPassword!);
    for (const key of [DEMO_DEVICE_KEY, DEMO_OPEN311_KEY]) expect(key).not.toBe(result.adminPassword);
  });
});
