import type { Knex } from 'knex';
import type { RawSheet } from './catalog-sheets';
import { loadValidationContext, upsertCatalog, type UpsertCounts } from './catalog-queries';
import { validateCatalog, type CatalogRowError } from './validate-catalog';

export interface ImportProgress {
  phase: 'validate' | 'write';
  done: number;
  total: number;
}

export interface ImportOptions {
  /** Called as rows are validated and written (the CLI draws its progress bar from it). */
  onProgress?: (p: ImportProgress) => void;
}

export type ImportResult =
  { ok: true; rows: number; changed: UpsertCounts } | { ok: false; rows: number; errors: CatalogRowError[] };

/**
 * Imports catalog sheets all-or-nothing: every row is validated first (all errors reported with
 * their row numbers); only a file without errors is written, in one transaction, inserting new
 * codes and updating existing ones. A failure while writing rolls the whole import back.
 */
export async function importCatalog(db: Knex, sheets: RawSheet[], opts: ImportOptions = {}): Promise<ImportResult> {
  const total = sheets.reduce((n, s) => n + s.rows.length, 0);
  opts.onProgress?.({ phase: 'validate', done: 0, total });
  const ctx = await loadValidationContext(db);
  const { data, errors } = validateCatalog(sheets, ctx);
  opts.onProgress?.({ phase: 'validate', done: total, total });
  if (errors.length > 0) return { ok: false, rows: total, errors };

  let done = 0;
  opts.onProgress?.({ phase: 'write', done, total });
  const changed = await db.transaction(async (trx) =>
    upsertCatalog(trx, data, (n) => {
      done += n;
      opts.onProgress?.({ phase: 'write', done, total });
    }),
  );
  return { ok: true, rows: total, changed };
}

/** One line per error, `sheet row N, column: message`, for the CLI and logs. */
export function formatImportErrors(errors: CatalogRowError[]): string {
  return errors.map((e) => `${e.sheet} row ${e.row}, ${e.column}: ${e.message}`).join('\n');
}
