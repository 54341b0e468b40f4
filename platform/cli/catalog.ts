/**
 * Catalog command line:
 *   npm run catalog:import -- file.xlsx | situations.csv | dir/  [--sheet situations] [--dry-run]
 *   npm run catalog:export -- out.xlsx | out.csv | out-dir/     [--sheet situations]
 *   npm run catalog:generate -- out.xlsx | out-dir/             (sample catalog grown to 649 situations)
 * Works on the configured database (DATABASE_URL, or PGlite under DATA_DIR); brings the app
 * schema up to date and seeds the departments first. Progress goes to stderr, results to stdout.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Knex } from 'knex';
import { createDb } from '../../db/knex';
import { migrateApp } from '../../db/migrate-app';
import { SAMPLE_CATALOG_DIR } from '../../domain/catalog/seed-catalog';
import { DEPARTMENT_CODES, seedDepartments } from '../../domain/departments/departments';
import { loadConfig } from '../config';
import { SHEET_NAMES, type SheetName } from '../../domain/catalog/catalog-sheets';
import { catalogToRows, catalogToXlsx, exportCatalog, sheetToCsv } from '../../domain/catalog/export-catalog';
import { generateCatalog } from '../../domain/catalog/generate-catalog';
import { formatImportErrors, importCatalog, type ImportProgress } from '../../domain/catalog/import-catalog';
import { readCatalogFiles } from '../../domain/catalog/read-catalog-files';
import { readCatalogPath } from '../../domain/catalog/read-sheets';
import { validateCatalog } from '../../domain/catalog/validate-catalog';
import { loadValidationContext } from '../../domain/catalog/catalog-queries';

interface Args {
  command: string;
  target?: string;
  sheet?: SheetName;
  dryRun: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { command: argv[0] ?? '', dryRun: false };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dry-run') args.dryRun = true;
    else if (a === '--sheet') {
      const s = argv[++i];
      if (!SHEET_NAMES.includes(s as SheetName))
        throw new Error(`Expected --sheet to be one of ${SHEET_NAMES.join(', ')}, but got '${s}'`);
      args.sheet = s as SheetName;
    } else if (!args.target) args.target = a;
    else throw new Error(`Unexpected argument '${a}'`);
  }
  return args;
}

async function openDb(): Promise<Knex> {
  const config = loadConfig();
  const db = createDb({ databaseUrl: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pg') });
  await migrateApp(db);
  await seedDepartments(db);
  return db;
}

/** A progress bar on stderr; silent when stderr is not a terminal (cli-progress's default). */
function progressBar(): { update(p: ImportProgress): void; stop(): void } {
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: ' {phase} |{bar}| {value}/{total} rows', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let phase = '';
  return {
    update(p) {
      if (!started) {
        bar.start(p.total, p.done, { phase: p.phase.padEnd(8) });
        started = true;
      }
      if (p.phase !== phase) {
        phase = p.phase;
        bar.setTotal(p.total);
      }
      bar.update(p.done, { phase: p.phase.padEnd(8) });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

async function runImport(args: Args): Promise<number> {
  if (!args.target) throw new Error('Expected a file or directory to import');
  const sheets = await readCatalogPath(args.target, args.sheet);
  const db = await openDb();
  try {
    if (args.dryRun) {
      const { errors } = validateCatalog(sheets, await loadValidationContext(db));
      if (errors.length > 0) {
        process.stderr.write(`${formatImportErrors(errors)}\n${errors.length} error(s); nothing imported\n`);
        return 1;
      }
      process.stdout.write(
        `valid: ${sheets.map((s) => `${s.name} ${s.rows.length}`).join(', ')} (dry run, nothing written)\n`,
      );
      return 0;
    }
    const bar = progressBar();
    const result = await importCatalog(db, sheets, { onProgress: (p) => bar.update(p) });
    bar.stop();
    if (!result.ok) {
      process.stderr.write(
        `${formatImportErrors(result.errors)}\n${result.errors.length} error(s); nothing imported\n`,
      );
      return 1;
    }
    const c = result.changed;
    process.stdout.write(
      `imported ${result.rows} rows from ${args.target}; inserted or changed: ${c.categories} categories, ${c.matters} matters, ` +
        `${c.situations} situations, ${c.scenarioNodes} scenario nodes, ${c.oneMatterLists} one-matter lists\n`,
    );
    return 0;
  } finally {
    await db.destroy();
  }
}

async function runExport(args: Args): Promise<number> {
  if (!args.target) throw new Error('Expected a target .xlsx, .csv or directory');
  const db = await openDb();
  try {
    const files = await exportCatalog(db, args.target, { sheet: args.sheet });
    process.stdout.write(`exported ${files.join(', ')}\n`);
    return 0;
  } finally {
    await db.destroy();
  }
}

async function runGenerate(args: Args): Promise<number> {
  if (!args.target) throw new Error('Expected a target .xlsx or directory');
  const data = generateCatalog(await readCatalogFiles(SAMPLE_CATALOG_DIR, DEPARTMENT_CODES));
  if (path.extname(args.target).toLowerCase() === '.xlsx') {
    await fs.writeFile(args.target, await catalogToXlsx(data));
  } else {
    await fs.mkdir(args.target, { recursive: true });
    const rows = catalogToRows(data);
    for (const s of SHEET_NAMES) await fs.writeFile(path.join(args.target, `${s}.csv`), sheetToCsv(s, rows[s]));
  }
  process.stdout.write(
    `generated ${data.situations.length} situations in ${data.matters.length} matters → ${args.target}\n`,
  );
  return 0;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const commands: Record<string, (a: Args) => Promise<number>> = {
    import: runImport,
    export: runExport,
    generate: runGenerate,
  };
  const run = commands[args.command];
  if (!run) throw new Error(`Expected a command (import, export, generate), but got '${args.command}'`);
  process.exitCode = await run(args);
}

main().catch((err) => {
  process.stderr.write(`catalog: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
