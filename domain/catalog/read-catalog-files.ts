import { readCatalogPath } from './read-sheets';
import type { CatalogData } from './catalog-types';
import { formatImportErrors } from './import-catalog';
import { validateCatalog } from './validate-catalog';

/**
 * Reads and validates catalog files without a database (benchmarks, tests, dry runs): parents
 * must be in the files themselves and department codes in `departments`.
 */
export async function readCatalogFiles(file: string, departments: ReadonlySet<string>): Promise<CatalogData> {
  const sheets = await readCatalogPath(file);
  const { data, errors } = validateCatalog(sheets, {
    departments,
    categories: new Set(),
    matters: new Set(),
    scenarioNodes: new Map(),
  });
  if (errors.length > 0) throw new Error(`Expected ${file} to be a valid catalog, but:\n${formatImportErrors(errors)}`);
  return data;
}
