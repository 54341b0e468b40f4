import path from 'node:path';
import type { Knex } from 'knex';
import { formatImportErrors, importCatalog } from './import-catalog';
import { readCatalogPath } from './read-sheets';
import { seedDepartments } from '../departments/departments';

/** Where the shipped sample catalog lives: one CSV per sheet (categories.csv, situations.csv, …). */
export const SAMPLE_CATALOG_DIR = path.resolve(__dirname, '../../processes/catalog');

/**
 * Loads the shipped sample catalog (12 categories, matters, situations, the housing-quality and
 * hazmat breakdowns and the 20 one-matter lists) through the same importer a district uses.
 * Idempotent: rows are upserted by code and unchanged rows are left alone. Seeds the departments
 * first because situations refer to them.
 */
export async function seedCatalog(db: Knex, dir: string = SAMPLE_CATALOG_DIR): Promise<void> {
  await seedDepartments(db);
  const sheets = await readCatalogPath(dir);
  const result = await importCatalog(db, sheets);
  if (!result.ok) {
    throw new Error(
      `Expected the sample catalog in ${dir} to import, but it has errors:\n${formatImportErrors(result.errors)}`,
    );
  }
}
