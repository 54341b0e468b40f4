import { seedCatalog } from '../../domain/catalog/seed-catalog';
import { DEPARTMENTS, seedDepartments } from '../../domain/departments/departments';
import { createTestDb, type TestDb } from '../helpers/db';
import { countRows, migrateAndSeedDepartments } from './helpers';

describe('catalog migration and seeds', () => {
  let t: TestDb;

  beforeAll(async () => {
    t = await createTestDb();
    await migrateAndSeedDepartments(t.db);
  });
  afterAll(() => t.destroy());

  it('seeds every department of DOMAIN.md, idempotently', async () => {
    // when seeding twice
    await seedDepartments(t.db);
    // then
    expect(await countRows(t.db, 'department')).toBe(DEPARTMENTS.length);
    const housing = await t.db('department').where({ code: 'housing' }).first();
    expect(housing).toMatchObject({
      name_zh: '区住房和城乡建设局',
      name_en: 'Housing & Urban-Rural Development Bureau',
      kind: 'bureau',
    });
    expect(await t.db('department').where({ code: 'property' }).first()).toMatchObject({ kind: 'external' });
  });

  it('loads the sample catalog with the required counts', async () => {
    // when
    await seedCatalog(t.db);
    // then
    expect(await countRows(t.db, 'catalog_category')).toBe(12);
    expect(await countRows(t.db, 'catalog_matter')).toBeGreaterThanOrEqual(40);
    expect(await countRows(t.db, 'catalog_situation')).toBeGreaterThanOrEqual(150);
    expect(await countRows(t.db, 'scenario_node', { scenario: 'housing-quality', kind: 'stage' })).toBe(4);
    expect(await countRows(t.db, 'scenario_node', { scenario: 'housing-quality', kind: 'link' })).toBe(29);
    expect(await countRows(t.db, 'scenario_node', { scenario: 'housing-quality', kind: 'risk_point' })).toBe(69);
    expect(await countRows(t.db, 'scenario_node', { scenario: 'hazmat-transport', kind: 'scene' })).toBe(4);
    expect(await countRows(t.db, 'scenario_node', { scenario: 'hazmat-transport', kind: 'link' })).toBe(24);
    expect(await countRows(t.db, 'scenario_node', { scenario: 'hazmat-transport', kind: 'risk_point' })).toBe(43);
    expect(await countRows(t.db, 'one_matter_list')).toBe(20);
  });

  it('is idempotent: a second seed changes no row, version or timestamp', async () => {
    // given
    const before = await t.db('catalog_situation').select('code', 'version', 'updated_at').orderBy('code');
    // when
    await seedCatalog(t.db);
    // then
    const after = await t.db('catalog_situation').select('code', 'version', 'updated_at').orderBy('code');
    expect(after).toEqual(before);
  });

  it('stores collaborators and keywords as arrays and references only known departments', async () => {
    const row = await t.db('catalog_situation').where({ code: 'C05-M01-S01' }).first();
    expect(row).toMatchObject({ lead_department: 'fire-rescue', scenario: 'fire-lane' });
    expect(Array.isArray(row.collaborators)).toBe(true);
    expect(row.keywords).toContain('消防通道');
    const unknown = await t.db.raw(
      `select s.code, c.value from catalog_situation s, jsonb_array_elements_text(s.collaborators) c(value)
        where not exists (select 1 from department d where d.code = c.value)`,
    );
    expect(unknown.rows).toEqual([]);
  });

  it('rejects rows that break the schema constraints', async () => {
    await expect(
      t.db('catalog_situation').insert({
        code: 'BAD',
        matter_code: 'C01-M01',
        name_zh: 'x',
        lead_department: 'housing',
        scenario: 'not-a-process',
        sla_working_hours: 8,
        response_hours: 1,
      }),
    ).rejects.toThrow(/scenario_check/);
  });
});
