import { migrateAll } from '../../platform/migrate-all';
import { seedCatalog } from '../../domain/catalog/seed-catalog';
import { DEPARTMENTS } from '../../domain/departments/departments';
import { bootstrapAuth, DEMO_USERS } from '../../server/auth/bootstrap';
import { DEMO_VEHICLES, seedDemoData } from '../../platform/demo';
import {
  fireLaneFigures,
  findVehicle,
  importVehicleCsv,
  isoDurationSeconds,
  isReadablePlate,
  loadFireLaneConfig,
  normalizePlate,
} from '../../domain/fire-lane';
import { createLogger } from '../../platform/logger';
import { createTestDb, type TestDb } from '../helpers/db';

describe('vehicle registry, settings and demo seeding', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await migrateAll(t.db, { engine: false });
    await seedCatalog(t.db);
  });
  afterAll(() => t.destroy());

  test('a registry CSV imports all rows or none, and names each bad row by its line number', async () => {
    // given a CSV with Chinese headers and three bad rows
    const bad = [
      '车牌号,车主姓名,手机号,小区',
      '浙B 20001,张三,13800002001,庄桥花园',
      '浙B2O002,李四,13800002002,',
      '浙B20003,,12345',
      '浙B20001,王五,13800002004,',
    ].join('\n');
    // when imported
    const r = await importVehicleCsv(t.db, bad);
    // then nothing is written and each problem has its line
    expect(r.imported).toBe(0);
    expect(r.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'plate'],
      [4, 'owner_name'],
      [4, 'owner_phone'],
      [5, 'plate'],
    ]);
    expect(r.errors.find((e) => e.row === 4 && e.field === 'owner_phone')!.message).not.toContain('12345');
    expect(await findVehicle(t.db, '浙B20001')).toBeUndefined();

    // when the fixed file is imported
    const ok = await importVehicleCsv(
      t.db,
      ['plate,owner_name,owner_phone', '浙B·20001,张三,+86 138 0000 2001', '浙BD12345,李四,13800002002'].join('\n'),
    );
    // then plates and phones are normalised
    expect(ok).toEqual({ imported: 2, errors: [] });
    expect(await findVehicle(t.db, '浙B20001')).toMatchObject({ ownerName: '张三', ownerPhone: '13800002001' });
    expect(await findVehicle(t.db, '浙bd 12345')).toMatchObject({ ownerName: '李四' });
    expect((await importVehicleCsv(t.db, 'plate,owner\n浙B1,x')).errors.map((e) => [e.row, e.field])).toEqual([
      [1, 'owner_name'],
      [1, 'owner_phone'],
    ]);
  });

  test('plates and settings', () => {
    expect(normalizePlate(' 浙b·10001 ')).toBe('浙B10001');
    expect(['浙B10001', '浙BD12345', '沪A1234挂'].every(isReadablePlate)).toBe(true);
    expect(['未识别', '浙B?0001', '', 'B10001', '浙BI0001'].some(isReadablePlate)).toBe(false);
    expect(loadFireLaneConfig({})).toEqual({
      dwellSeconds: 0,
      grace: 'PT30M',
      graceMinutes: 30,
      repeatWindowDays: 90,
      penaltyAt: 3,
      creditAt: 6,
    });
    expect(loadFireLaneConfig({ FIRE_LANE_GRACE: 'pt1h30m', FIRE_LANE_DWELL_SECONDS: '45' })).toMatchObject({
      grace: 'PT1H30M',
      graceMinutes: 90,
      dwellSeconds: 45,
    });
    expect(() => loadFireLaneConfig({ FIRE_LANE_GRACE: '30 minutes' })).toThrow(/FIRE_LANE_GRACE/);
    expect(() => loadFireLaneConfig({ FIRE_LANE_DWELL_SECONDS: '-1' })).toThrow(/FIRE_LANE_DWELL_SECONDS/);
    expect(isoDurationSeconds('P1DT2H')).toBe(93_600);
    expect(isoDurationSeconds('PT')).toBeUndefined();
  });

  test('demo seeding is idempotent and seeds exactly the DOMAIN.md names', async () => {
    // given demo mode's auth bootstrap and the demo seed, run twice
    const now = new Date('2026-12-01T10:00:00+08:00');
    for (let i = 0; i < 2; i++) {
      await bootstrapAuth(t.db, { demo: true, log: createLogger('silent'), print: () => {} });
      await seedDemoData(t.db, { now, historyCases: 60, historyFireLaneCases: 40 });
    }
    // then the users of DOMAIN.md
    const users = (await t.db('app_user').select('username')).map((u: { username: string }) => u.username).sort();
    const expected = ['admin', 'designer', 'supervisor', ...DEPARTMENTS.map((d) => `clerk.${d.code}`)].sort();
    expect(users).toEqual(expected);
    expect(DEMO_USERS.map((u) => u.username).sort()).toEqual(expected);
    // the registry 浙B10001 … 浙B10020, nothing else from the demo
    const plates = (await t.db('vehicle').where({ source: 'demo' }).orderBy('plate').select('plate')).map(
      (v: { plate: string }) => v.plate,
    );
    expect(plates).toEqual(Array.from({ length: 20 }, (_, i) => `浙B${10001 + i}`));
    expect(DEMO_VEHICLES.every((v) => /^1380000\d{4}$/.test(v.ownerPhone))).toBe(true);
    // the keys
    const keys = await t.db('api_key').whereNull('revoked_at').select('kind');
    expect(keys.map((k: { kind: string }) => k.kind).sort()).toEqual(['device', 'open311']);
    // contacts for every department, once
    const contacts = await t.db('department_contact').count<{ n: string }[]>({ n: '*' });
    expect(Number(contacts[0].n)).toBe(DEPARTMENTS.length * 3);
    // history once, every sample case labelled
    const history = await t.db('case').where({ channel: 'demo-history' });
    expect(history).toHaveLength(100);
    expect(
      history.every(
        (c: { description: string; status: string }) =>
          c.description.startsWith('【示例数据】') && c.status === 'closed',
      ),
    ).toBe(true);
    expect(
      history.filter((c: { rating_satisfied: boolean | null }) => c.rating_satisfied !== null).length,
    ).toBeGreaterThan(20);
    const breached = await t.db('sla_clock').where({ process_instance_key: 'demo-history' }).whereNotNull('red_at');
    expect(breached.length).toBeGreaterThan(0);
    const oldest = Math.min(...history.map((c: { created_at: Date }) => new Date(c.created_at).getTime()));
    expect(now.getTime() - oldest).toBeGreaterThan(30 * 86_400_000);
    expect(now.getTime() - oldest).toBeLessThanOrEqual(90 * 86_400_000);
    // and the fire-lane figures count it, but take no timings from sample data
    const f = await fireLaneFigures(t.db, { since: new Date(now.getTime() - 90 * 86_400_000), until: now });
    expect(f.total.cases).toBe(40);
    expect(f.total.smsSent).toBeGreaterThan(20);
    expect(f.total.creditFlags).toBeGreaterThan(0);
    expect(f.total.medianDetectionToSentMs).toBeNull();
    expect(f.compounds.length).toBeGreaterThanOrEqual(4);
  });
});
