import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SAMPLE_CATALOG_DIR, seedCatalog } from '../../domain/catalog/seed-catalog';
import { DEPARTMENT_CODES } from '../../domain/departments/departments';
import { loadCatalog } from '../../domain/catalog/catalog-queries';
import { catalogToXlsx, exportCatalog } from '../../domain/catalog/export-catalog';
import { generateCatalog } from '../../domain/catalog/generate-catalog';
import { importCatalog, type ImportProgress } from '../../domain/catalog/import-catalog';
import { readCatalogFiles } from '../../domain/catalog/read-catalog-files';
import { readCatalogPath, readXlsxSheets } from '../../domain/catalog/read-sheets';
import { createTestDb, type TestDb } from '../helpers/db';
import { countRows, migrateAndSeedDepartments } from './helpers';

describe('catalog export → import round trip', () => {
  let source: TestDb;
  let tmp: string;

  beforeAll(async () => {
    source = await createTestDb();
    await migrateAndSeedDepartments(source.db);
    await seedCatalog(source.db);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'onematter-catalog-'));
  });
  afterAll(async () => {
    await source.destroy();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  async function importInto(file: string): Promise<TestDb> {
    const target = await createTestDb();
    await migrateAndSeedDepartments(target.db);
    const result = await importCatalog(target.db, await readCatalogPath(file));
    expect(result.ok).toBe(true);
    return target;
  }

  it('round-trips through XLSX', async () => {
    // given
    const file = path.join(tmp, 'catalog.xlsx');
    await exportCatalog(source.db, file);
    // when
    const target = await importInto(file);
    // then
    try {
      expect(await loadCatalog(target.db)).toEqual(await loadCatalog(source.db));
    } finally {
      await target.destroy();
    }
  });

  it('round-trips through a directory of CSV files', async () => {
    const dir = path.join(tmp, 'csv');
    const files = await exportCatalog(source.db, dir);
    expect(files.map((f) => path.basename(f))).toEqual([
      'categories.csv',
      'matters.csv',
      'situations.csv',
      'scenario_nodes.csv',
      'one_matter_lists.csv',
    ]);
    expect((await fs.readFile(files[2], 'utf8')).startsWith('\uFEFFcode,matter,name_zh')).toBe(true);
    const target = await importInto(dir);
    try {
      expect(await loadCatalog(target.db)).toEqual(await loadCatalog(source.db));
    } finally {
      await target.destroy();
    }
  });

  it('re-importing its own export changes nothing', async () => {
    const file = path.join(tmp, 'again.xlsx');
    await exportCatalog(source.db, file);
    const result = await importCatalog(source.db, await readCatalogPath(file));
    expect(result).toMatchObject({
      ok: true,
      changed: { categories: 0, matters: 0, situations: 0, scenarioNodes: 0, oneMatterLists: 0 },
    });
  });
});

describe('a district-size catalog (649 situations)', () => {
  let t: TestDb;

  beforeAll(async () => {
    t = await createTestDb();
    await migrateAndSeedDepartments(t.db);
  });
  afterAll(() => t.destroy());

  it('imports from XLSX with progress reported up to every row', async () => {
    // given the generated workbook: sample catalog grown to 12 categories, 109 matters, 649 situations
    const data = generateCatalog(await readCatalogFiles(SAMPLE_CATALOG_DIR, DEPARTMENT_CODES));
    const sheets = await readXlsxSheets(await catalogToXlsx(data));
    const progress: ImportProgress[] = [];
    // when
    const result = await importCatalog(t.db, sheets, { onProgress: (p) => progress.push(p) });
    // then
    expect(result.ok).toBe(true);
    expect(await countRows(t.db, 'catalog_category')).toBe(12);
    expect(await countRows(t.db, 'catalog_matter')).toBe(109);
    expect(await countRows(t.db, 'catalog_situation')).toBe(649);
    const last = progress.at(-1)!;
    expect(last).toEqual({ phase: 'write', done: last.total, total: 12 + 109 + 649 + data.scenarioNodes.length + 20 });
  });
});
