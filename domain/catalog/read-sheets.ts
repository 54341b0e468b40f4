import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { SHEET_NAMES, sheetFromFileName, type RawSheet, type SheetName } from './catalog-sheets';
import { unescapeCsvCell } from '../security/csv-cells';

/** A file that could not be read at all (not a row-level validation error). */
export class CatalogFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogFileError';
  }
}

function toRawSheet(name: SheetName, records: { row: number; cells: string[] }[]): RawSheet {
  const [head, ...body] = records;
  const header = (head?.cells ?? []).map((h) => h.trim().replace(/^\uFEFF/, ''));
  const rows: RawSheet['rows'] = [];
  for (const rec of body) {
    if (rec.cells.every((c) => c.trim() === '')) continue; // blank lines keep their numbers, but are no rows
    const values: Record<string, string> = {};
    header.forEach((h, i) => {
      if (h) values[h] = (rec.cells[i] ?? '').trim();
    });
    rows.push({ row: rec.row, values });
  }
  return { name, header, rows };
}

/**
 * Parses one CSV sheet (UTF-8, with or without BOM). Row numbers count records from 1 for the
 * header, which is the row number a spreadsheet program shows for the same file.
 */
export function readCsvSheet(name: SheetName, text: string | Buffer): RawSheet {
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (err) {
    throw new CatalogFileError(
      `Expected a CSV file for sheet '${name}', but it does not parse: ${(err as Error).message}`,
    );
  }
  return toRawSheet(
    name,
    // An export escapes formula-like cells with an apostrophe (export-catalog.ts): take it off.
    records.map((cells, i) => ({ row: i + 1, cells: cells.map(unescapeCsvCell) })),
  );
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return cell.text ?? '';
}

/** Reads every worksheet of an XLSX workbook whose name is a known sheet; others are ignored. */
export async function readXlsxSheets(data: Buffer | ArrayBuffer): Promise<RawSheet[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(data as ArrayBuffer);
  } catch (err) {
    throw new CatalogFileError(`Expected an XLSX workbook, but it does not open: ${(err as Error).message}`);
  }
  const sheets: RawSheet[] = [];
  for (const ws of wb.worksheets) {
    const name = SHEET_NAMES.find((s) => s === ws.name.trim().toLowerCase());
    if (!name) continue;
    const records: { row: number; cells: string[] }[] = [];
    const width = ws.columnCount;
    ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: string[] = [];
      for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c)));
      records.push({ row: rowNumber, cells });
    });
    sheets.push(toRawSheet(name, records));
  }
  if (sheets.length === 0) {
    throw new CatalogFileError(
      `Expected worksheets named ${SHEET_NAMES.join(', ')}, but the workbook has ${wb.worksheets.map((w) => w.name).join(', ') || 'none'}`,
    );
  }
  return sheets;
}

/**
 * Reads catalog sheets from a path: an `.xlsx` workbook, one `.csv` file (its sheet named by the
 * file name or `sheet`), or a directory of CSV files named after their sheets.
 */
export async function readCatalogPath(file: string, sheet?: SheetName): Promise<RawSheet[]> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) throw new CatalogFileError(`Expected a file or directory at ${file}, but there is none`);
  if (stat.isDirectory()) {
    const entries = (await fs.readdir(file)).filter((f) => f.toLowerCase().endsWith('.csv'));
    const sheets: RawSheet[] = [];
    for (const name of SHEET_NAMES) {
      const entry = entries.find((f) => sheetFromFileName(f) === name);
      if (entry) sheets.push(readCsvSheet(name, await fs.readFile(path.join(file, entry))));
    }
    if (sheets.length === 0) {
      throw new CatalogFileError(
        `Expected CSV files named ${SHEET_NAMES.join('.csv, ')}.csv in ${file}, but found none`,
      );
    }
    return sheets;
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xlsx') return readXlsxSheets(await fs.readFile(file));
  if (ext === '.csv') {
    const name = sheet ?? sheetFromFileName(file);
    if (!name) {
      throw new CatalogFileError(
        `Expected the CSV file name to name its sheet (${SHEET_NAMES.join(', ')}), but got ${path.basename(file)}; pass --sheet`,
      );
    }
    return [readCsvSheet(name, await fs.readFile(file))];
  }
  throw new CatalogFileError(`Expected a .xlsx or .csv file, but got ${path.basename(file)}`);
}
