import ExcelJS from 'exceljs';
import { seedCatalog } from '../../domain/catalog/seed-catalog';
import { importCatalog } from '../../domain/catalog/import-catalog';
import { readCsvSheet, readXlsxSheets } from '../../domain/catalog/read-sheets';
import type { CatalogRowError } from '../../domain/catalog/validate-catalog';
import { createTestDb, type TestDb } from '../helpers/db';
import { countRows, migrateAndSeedDepartments } from './helpers';

const HEADER =
  'code,matter,name_zh,description,lead_department,collaborators,scenario,sla_working_hours,response_hours,keywords';

function csv(...lines: string[]): string {
  return [HEADER, ...lines].join('\n');
}

function errorAt(errors: CatalogRowError[], row: number, column: string): CatalogRowError | undefined {
  return errors.find((e) => e.row === row && e.column === column);
}

describe('catalog import: row-by-row validation, all or nothing', () => {
  let t: TestDb;

  beforeAll(async () => {
    t = await createTestDb();
    await migrateAndSeedDepartments(t.db);
    await seedCatalog(t.db);
  });
  afterAll(() => t.destroy());

  it('imports a valid situations sheet that refers to matters already stored', async () => {
    // given
    const sheet = readCsvSheet(
      'situations',
      csv('C01-M01-S90,C01-M01,早市占道,清晨早市占道,enforcement,street-baisha;market,,24,4,早市;占道'),
    );
    // when
    const result = await importCatalog(t.db, [sheet]);
    // then
    expect(result).toMatchObject({ ok: true, rows: 1, changed: { situations: 1 } });
    const row = await t.db('catalog_situation').where({ code: 'C01-M01-S90' }).first();
    expect(row).toMatchObject({
      lead_department: 'enforcement',
      collaborators: ['street-baisha', 'market'],
      keywords: ['早市', '占道'],
      version: 1,
    });
  });

  it('reports every bad cell with its row number and writes nothing', async () => {
    // given a file whose rows 3–7 each have a different problem (row 2 is fine)
    const sheet = readCsvSheet(
      'situations',
      csv(
        'C01-M01-S91,C01-M01,好的一行,,enforcement,,,24,4,好',
        'C01-M01-S92,C01-M01,未知部门,,city-hall,,,24,4,x',
        'C01-M01-S91,C01-M01,重复编码,,enforcement,,,24,4,x',
        'C01-M01-S93,C01-M01,工时不是数字,,enforcement,,,三天,4,x',
        'C01-M01-S94,C99-M01,上级不存在,,enforcement,,,24,4,x',
        'C01-M01-S95,C01-M01,流程不存在,,enforcement,nobody,fire-drill,24,4,x',
      ),
    );
    const before = await countRows(t.db, 'catalog_situation');
    // when
    const result = await importCatalog(t.db, [sheet]);
    // then
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(errorAt(result.errors, 3, 'lead_department')?.message).toMatch(/known department code.*city-hall/);
    expect(errorAt(result.errors, 4, 'code')?.message).toMatch(/unique code.*row 2/);
    expect(errorAt(result.errors, 5, 'sla_working_hours')?.message).toMatch(/whole number.*三天/);
    expect(errorAt(result.errors, 6, 'matter')?.message).toMatch(/existing matter.*C99-M01/);
    expect(errorAt(result.errors, 7, 'scenario')?.message).toMatch(/fire-drill/);
    expect(errorAt(result.errors, 7, 'collaborators')?.message).toMatch(/nobody/);
    expect(result.errors.every((e) => e.sheet === 'situations' && e.row >= 3)).toBe(true);
    // and the good row 2 was not written either
    expect(await countRows(t.db, 'catalog_situation')).toBe(before);
    expect(await t.db('catalog_situation').where({ code: 'C01-M01-S91' }).first()).toBeUndefined();
  });

  it('reports a missing required column against the header row', async () => {
    // given a header without lead_department
    const sheet = readCsvSheet(
      'situations',
      'code,matter,name_zh,collaborators,scenario,sla_working_hours,response_hours,keywords\nC01-M01-S96,C01-M01,x,,,8,2,x',
    );
    // when
    const result = await importCatalog(t.db, [sheet]);
    // then
    expect(result).toMatchObject({ ok: false, errors: [{ sheet: 'situations', row: 1, column: 'lead_department' }] });
  });

  it('reports an empty required value and a bad scenario-node parent', async () => {
    const nodes = readCsvSheet(
      'scenario_nodes',
      [
        'code,scenario,kind,parent,name_zh,sort',
        'HQ-S1-L01-R99,housing-quality,risk_point,HQ-S1,挂错层级,1',
        'HZ-X1,hazmat-transport,link,HQ-S1,跨场景上级,1',
        'HZ-X2,hazmat-transport,link,,,1',
      ].join('\n'),
    );
    const result = await importCatalog(t.db, [nodes]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(errorAt(result.errors, 2, 'parent')?.message).toMatch(/parent of a risk_point to be a link/);
    expect(errorAt(result.errors, 3, 'parent')?.message).toMatch(/belong to scenario hazmat-transport/);
    expect(errorAt(result.errors, 4, 'parent')?.message).toMatch(/Expected a parent/);
    expect(errorAt(result.errors, 4, 'name_zh')?.message).toMatch(/cell is empty/);
  });

  it('gives XLSX errors the worksheet row number', async () => {
    // given a workbook with a blank row 2 and a bad department in row 3
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('situations');
    ws.getRow(1).values = HEADER.split(',');
    ws.getRow(3).values = ['C01-M01-S97', 'C01-M01', '表格导入', '', 'housing-bureau', '', '', 8, 2, '表格'];
    const sheets = await readXlsxSheets(Buffer.from(await wb.xlsx.writeBuffer()));
    // when
    const result = await importCatalog(t.db, sheets);
    // then
    expect(result).toMatchObject({ ok: false, errors: [{ sheet: 'situations', row: 3, column: 'lead_department' }] });
  });

  it('rolls back rows already written when a later statement fails', async () => {
    // given a valid file — a new category, then a situation — and a database that will refuse the
    // situation after validation passed (a constraint only this test adds)
    await t.db.raw(`alter table catalog_situation add constraint test_refuse_s99 check (code <> 'C01-M01-S99')`);
    const categories = readCsvSheet('categories', 'code,name_zh,name_en,sort\nC13,第十三类,Thirteenth,13');
    const situations = readCsvSheet('situations', csv('C01-M01-S99,C01-M01,被拒绝的一行,,enforcement,,,24,4,x'));
    // when
    await expect(importCatalog(t.db, [categories, situations])).rejects.toThrow(/test_refuse_s99/);
    // then the category written before the failure is gone too
    expect(await t.db('catalog_category').where({ code: 'C13' }).first()).toBeUndefined();
    await t.db.raw('alter table catalog_situation drop constraint test_refuse_s99');
  });

  it('updates changed situations and bumps their version', async () => {
    const sheet = readCsvSheet(
      'situations',
      csv('C01-M01-S90,C01-M01,早市占道经营,清晨早市占道,enforcement,street-baisha,,16,2,早市;占道;早点摊'),
    );
    const result = await importCatalog(t.db, [sheet]);
    expect(result).toMatchObject({ ok: true, changed: { situations: 1 } });
    expect(await t.db('catalog_situation').where({ code: 'C01-M01-S90' }).first()).toMatchObject({
      version: 2,
      sla_working_hours: 16,
    });
  });
});
