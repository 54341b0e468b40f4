import fs from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { LIST_SEPARATOR, SHEET_COLUMNS, SHEET_NAMES, type SheetName } from './catalog-sheets';
import { loadCatalog } from './catalog-queries';
import { CSV_SAFE_CAST } from '../security/csv-cells';
import type { CatalogData } from './catalog-types';

type Cell = string | number;

/** The catalog as sheet rows in the import format: what an export writes and an import reads. */
export function catalogToRows(data: CatalogData): Record<SheetName, Cell[][]> {
  const list = (v: string[]) => v.join(LIST_SEPARATOR);
  return {
    categories: data.categories.map((c) => [c.code, c.name_zh, c.name_en, c.sort]),
    matters: data.matters.map((m) => [m.code, m.category, m.name_zh, m.name_en, m.description, m.sort]),
    situations: data.situations.map((s) => [
      s.code,
      s.matter,
      s.name_zh,
      s.description,
      s.lead_department,
      list(s.collaborators),
      s.scenario ?? '',
      s.sla_working_hours,
      s.response_hours,
      list(s.keywords),
      s.active ? 'true' : 'false',
      s.sort,
    ]),
    scenario_nodes: data.scenarioNodes.map((n) => [n.code, n.scenario, n.kind, n.parent ?? '', n.name_zh, n.sort]),
    one_matter_lists: data.oneMatterLists.map((l) => [
      l.code,
      l.name_zh,
      l.lead_department,
      list(l.departments),
      l.scenario ?? '',
      l.sort,
    ]),
  };
}

const header = (sheet: SheetName) => SHEET_COLUMNS[sheet].map((c) => c.name);

/**
 * One sheet as CSV text, UTF-8 with a BOM so spreadsheet programs show the Chinese correctly; text
 * cells a spreadsheet would run as a formula get a leading apostrophe, which the import takes off
 * again (domain/security/csv-cells.ts). XLSX needs none: its text cells are never formulas.
 */
export function sheetToCsv(sheet: SheetName, rows: Cell[][]): string {
  return stringify([header(sheet), ...rows], { bom: true, record_delimiter: '\n', cast: CSV_SAFE_CAST });
}

/** The catalog as an XLSX workbook, one worksheet per sheet. */
export async function catalogToXlsx(data: CatalogData): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'OneMatter';
  const rows = catalogToRows(data);
  for (const sheet of SHEET_NAMES) {
    const ws = wb.addWorksheet(sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow(header(sheet)).font = { bold: true };
    for (const r of rows[sheet]) ws.addRow(r);
    ws.columns.forEach((c) => {
      c.width = 18;
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * Exports the stored catalog to `target`: an `.xlsx` workbook, one `.csv` sheet (`sheet` or the
 * file name says which), or a directory that receives one CSV per sheet.
 */
export async function exportCatalog(db: Knex, target: string, opts: { sheet?: SheetName } = {}): Promise<string[]> {
  const data = await loadCatalog(db);
  const ext = path.extname(target).toLowerCase();
  if (ext === '.xlsx') {
    await fs.mkdir(path.dirname(path.resolve(target)), { recursive: true });
    await fs.writeFile(target, await catalogToXlsx(data));
    return [target];
  }
  const rows = catalogToRows(data);
  if (ext === '.csv') {
    const sheet = opts.sheet ?? SHEET_NAMES.find((s) => path.basename(target, ext) === s) ?? 'situations';
    await fs.mkdir(path.dirname(path.resolve(target)), { recursive: true });
    await fs.writeFile(target, sheetToCsv(sheet, rows[sheet]));
    return [target];
  }
  await fs.mkdir(target, { recursive: true });
  const written: string[] = [];
  for (const sheet of SHEET_NAMES) {
    const file = path.join(target, `${sheet}.csv`);
    await fs.writeFile(file, sheetToCsv(sheet, rows[sheet]));
    written.push(file);
  }
  return written;
}
