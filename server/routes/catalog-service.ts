/**
 * The catalog API's service: lists for pickers, admin CRUD and file import/export. Every write goes
 * through the file importer (`importCatalog`), a one-row sheet for CRUD, so a row typed in the admin
 * UI is validated exactly like a row in a district's spreadsheet and errors read the same.
 */
import type { Knex } from 'knex';
import {
  SHEET_COLUMNS,
  SHEET_NAMES,
  sheetFromFileName,
  type RawSheet,
  type SheetName,
} from '../../domain/catalog/catalog-sheets';
import { catalogToRows, catalogToXlsx, sheetToCsv } from '../../domain/catalog/export-catalog';
import { importCatalog } from '../../domain/catalog/import-catalog';
import { loadCatalog } from '../../domain/catalog/catalog-queries';
import { CatalogFileError, readCsvSheet, readXlsxSheets } from '../../domain/catalog/read-sheets';
import type { CatalogRowError } from '../../domain/catalog/validate-catalog';
import { HttpProblem } from '../http/problem';
import type { Upload } from '../processes/read-upload';

export type CatalogKind = 'categories' | 'matters' | 'situations';
const TABLE: Record<CatalogKind, string> = {
  categories: 'catalog_category',
  matters: 'catalog_matter',
  situations: 'catalog_situation',
};
const asArray = (v: unknown): string[] =>
  Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? (JSON.parse(v) as string[]) : [];

export interface ImportReport {
  ok: boolean;
  dryRun: boolean;
  rows: number;
  sheets: SheetName[];
  changed?: Record<string, number>;
  errors?: CatalogRowError[];
}

/** Row-level errors as a 422 problem: `errors` for generic clients, `rowErrors` with sheet/row/column. */
export function rowErrorsProblem(
  detail: string,
  errors: CatalogRowError[],
  extra: Record<string, unknown> = {},
): HttpProblem {
  return new HttpProblem(422, 'Unprocessable Content', detail, {
    ...extra,
    errors: errors.map((e) => ({ field: `${e.sheet}[${e.row}].${e.column}`, message: e.message })),
    rowErrors: errors,
  });
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(';');
  return String(v);
}

export class CatalogService {
  constructor(private readonly db: Knex) {}

  async categories() {
    const rows = await this.db('catalog_category as c')
      .select(
        'c.code',
        'c.name_zh',
        'c.name_en',
        'c.sort',
        this.db.raw('(select count(*) from catalog_matter m where m.category_code = c.code) as matters'),
      )
      .orderBy([{ column: 'c.sort' }, { column: 'c.code' }]);
    return rows.map((r: any) => ({
      code: r.code,
      name_zh: r.name_zh,
      name_en: r.name_en,
      sort: Number(r.sort),
      matters: Number(r.matters),
    }));
  }

  async matters(filter: { category?: string }) {
    const q = this.db('catalog_matter as m')
      .select(
        'm.*',
        this.db.raw('(select count(*) from catalog_situation s where s.matter_code = m.code) as situations'),
      )
      .orderBy([{ column: 'm.category_code' }, { column: 'm.sort' }, { column: 'm.code' }]);
    if (filter.category) q.where('m.category_code', filter.category);
    const rows = await q;
    return rows.map((r: any) => ({
      code: r.code,
      category: r.category_code,
      name_zh: r.name_zh,
      name_en: r.name_en,
      description: r.description,
      sort: Number(r.sort),
      situations: Number(r.situations),
    }));
  }

  async situations(filter: {
    matter?: string;
    leadDepartment?: string;
    scenario?: string;
    active?: boolean;
    q?: string;
    limit: number;
    offset: number;
  }) {
    const q = this.db('catalog_situation');
    if (filter.matter) q.where('matter_code', filter.matter);
    if (filter.leadDepartment) q.where('lead_department', filter.leadDepartment);
    if (filter.scenario) q.where('scenario', filter.scenario);
    if (filter.active !== undefined) q.where('active', filter.active);
    if (filter.q)
      q.where((w) =>
        w
          .where('code', 'like', `${filter.q!.replace(/[%_\\]/g, '')}%`)
          .orWhere('name_zh', 'like', `%${filter.q!.replace(/[%_\\]/g, '')}%`),
      );
    const [{ n }] = await q.clone().count<{ n: string | number }[]>({ n: '*' });
    const rows = await q
      .clone()
      .select('*')
      .orderBy([{ column: 'matter_code' }, { column: 'sort' }, { column: 'code' }])
      .limit(filter.limit)
      .offset(filter.offset);
    return {
      total: Number(n),
      situations: rows.map((s: any) => ({
        code: s.code,
        matter: s.matter_code,
        name_zh: s.name_zh,
        description: s.description,
        lead_department: s.lead_department,
        collaborators: asArray(s.collaborators),
        scenario: s.scenario ?? null,
        sla_working_hours: Number(s.sla_working_hours),
        response_hours: Number(s.response_hours),
        keywords: asArray(s.keywords),
        active: Boolean(s.active),
        sort: Number(s.sort),
      })),
    };
  }

  private async existing(kind: CatalogKind, code: string): Promise<Record<string, unknown> | undefined> {
    const data = await loadCatalog(this.db);
    const list = kind === 'categories' ? data.categories : kind === 'matters' ? data.matters : data.situations;
    return (list as unknown as Record<string, unknown>[]).find((r) => r.code === code);
  }

  /** Creates (409 if the code exists) or updates (404 if it does not) one row through the importer. */
  async save(kind: CatalogKind, mode: 'create' | 'update', code: string, fields: Record<string, unknown>) {
    const current = await this.existing(kind, code);
    if (mode === 'create' && current) throw HttpProblem.conflict(`${kind} ${code} exists already; PATCH it instead.`);
    if (mode === 'update' && !current) throw HttpProblem.notFound(`There is no ${kind.slice(0, -1)} ${code}.`);
    const merged: Record<string, unknown> = { ...(current ?? {}), ...fields, code };
    const header = SHEET_COLUMNS[kind].map((c) => c.name);
    const sheet: RawSheet = {
      name: kind,
      header,
      rows: [{ row: 2, values: Object.fromEntries(header.map((h) => [h, cell(merged[h])])) }],
    };
    const result = await importCatalog(this.db, [sheet]);
    if (!result.ok)
      throw rowErrorsProblem(
        `The ${kind.slice(0, -1)} is not valid: ${result.errors.map((e) => `${e.column}: ${e.message}`).join('; ')}.`,
        result.errors,
      );
    return this.existing(kind, code);
  }

  /** Deletes a row nothing refers to; otherwise 409 (deactivate situations instead). */
  async remove(kind: CatalogKind, code: string): Promise<void> {
    const row = await this.db(TABLE[kind]).where({ code }).first('code');
    if (!row) throw HttpProblem.notFound(`There is no ${kind.slice(0, -1)} ${code}.`);
    const uses =
      kind === 'categories'
        ? await this.db('catalog_matter').where({ category_code: code }).first('code')
        : kind === 'matters'
          ? await this.db('catalog_situation').where({ matter_code: code }).first('code')
          : await this.db('case').where({ situation_code: code }).first('id');
    if (uses) {
      throw HttpProblem.conflict(
        kind === 'situations'
          ? `Cases refer to situation ${code}; set active to false instead.`
          : `${kind} ${code} still has ${kind === 'categories' ? 'matters' : 'situations'}; move or delete them first.`,
      );
    }
    await this.db(TABLE[kind]).where({ code }).delete();
  }

  /**
   * Imports a CSV (one sheet: `sheet` or the file name says which) or an XLSX workbook. All or
   * nothing; with `dryRun` the import runs inside a transaction that is rolled back, so the report
   * says exactly what would change.
   */
  async import(upload: Upload, options: { dryRun: boolean; sheet?: SheetName }): Promise<ImportReport> {
    let sheets: RawSheet[];
    try {
      const isXlsx =
        /\.xlsx$/i.test(upload.filename) ||
        /spreadsheetml|excel/i.test(upload.contentType) ||
        upload.data.subarray(0, 2).toString('latin1') === 'PK';
      if (isXlsx) sheets = await readXlsxSheets(upload.data);
      else {
        const name = options.sheet ?? sheetFromFileName(upload.filename);
        if (!name)
          throw HttpProblem.badRequest(
            `Which sheet is ${upload.filename}? Name the file after one of ${SHEET_NAMES.join(', ')} or pass sheet=.`,
            [{ field: 'sheet', message: 'unknown sheet' }],
          );
        sheets = [readCsvSheet(name, upload.data)];
      }
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      if (err instanceof CatalogFileError)
        throw HttpProblem.badRequest(`The file cannot be read: ${err.message}`, [
          { field: 'file', message: err.message },
        ]);
      throw err;
    }
    const names = sheets.map((s) => s.name);
    if (!options.dryRun) {
      const r = await importCatalog(this.db, sheets);
      if (!r.ok)
        throw rowErrorsProblem(`The file has ${r.errors.length} error(s); nothing was imported.`, r.errors, {
          rows: r.rows,
          dryRun: false,
        });
      return { ok: true, dryRun: false, rows: r.rows, sheets: names, changed: { ...r.changed } };
    }
    const rollback = new Error('dry run');
    let report: ImportReport | undefined;
    await this.db
      .transaction(async (trx) => {
        const r = await importCatalog(trx, sheets);
        report = r.ok
          ? { ok: true, dryRun: true, rows: r.rows, sheets: names, changed: { ...r.changed } }
          : { ok: false, dryRun: true, rows: r.rows, sheets: names, errors: r.errors };
        throw rollback;
      })
      .catch((err) => {
        if (err !== rollback) throw err;
      });
    if (!report!.ok)
      throw rowErrorsProblem(`The file has ${report!.errors!.length} error(s).`, report!.errors!, {
        rows: report!.rows,
        dryRun: true,
      });
    return report!;
  }

  async export(
    format: 'csv' | 'xlsx',
    sheet: SheetName,
  ): Promise<{ body: Buffer | string; contentType: string; filename: string }> {
    const data = await loadCatalog(this.db);
    if (format === 'xlsx')
      return {
        body: await catalogToXlsx(data),
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        filename: 'catalog.xlsx',
      };
    return {
      body: sheetToCsv(sheet, catalogToRows(data)[sheet]),
      contentType: 'text/csv; charset=utf-8',
      filename: `${sheet}.csv`,
    };
  }
}
