/**
 * `npm run vehicles:import -- registry.csv [--dry-run]`: loads a vehicle registry CSV (see
 * vehicle-registry.ts for the columns) into the configured database (DATABASE_URL, or PGlite under
 * DATA_DIR). All rows or none: problems are listed with their CSV line numbers and exit code 1.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createDb } from '../../db/knex';
import { migrateApp } from '../../db/migrate-app';
import { seedDepartments } from '../../domain/departments/departments';
import { loadConfig } from '../config';
import { useConfiguredKeyring } from './pii-keyring';
import { formatImportErrors, importVehicleCsv, parseVehicleCsv } from '../../domain/fire-lane/vehicle-registry';

async function main(argv: string[]): Promise<number> {
  const file = argv.find((a) => !a.startsWith('--'));
  const dryRun = argv.includes('--dry-run');
  if (!file) {
    process.stderr.write('usage: npm run vehicles:import -- registry.csv [--dry-run]\n');
    return 2;
  }
  const text = await fs.readFile(file, 'utf8');
  if (dryRun) {
    const { records, errors } = parseVehicleCsv(text);
    if (errors.length) {
      process.stderr.write(`${formatImportErrors(errors)}\n${errors.length} problem(s); nothing would be imported\n`);
      return 1;
    }
    process.stdout.write(`${records.length} vehicles would be imported (dry run)\n`);
    return 0;
  }
  const config = loadConfig();
  useConfiguredKeyring(config); // owners' names and phones are sealed with PII_MASTER_KEY
  const db = createDb({ databaseUrl: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pg') });
  try {
    await migrateApp(db);
    await seedDepartments(db);
    const result = await importVehicleCsv(db, text);
    if (result.errors.length) {
      process.stderr.write(
        `${formatImportErrors(result.errors)}\n${result.errors.length} problem(s); nothing imported\n`,
      );
      return 1;
    }
    process.stdout.write(`${result.imported} vehicles imported\n`);
    return 0;
  } finally {
    await db.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`vehicles:import failed: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
