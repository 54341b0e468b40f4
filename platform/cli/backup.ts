/**
 * `npm run db:backup -- FILE` and `npm run db:restore -- FILE [--force]`: the configured database
 * (DATABASE_URL, or PGlite under DATA_DIR) into a file and back (db/backup.ts). PGlite needs the
 * platform stopped; PostgreSQL is dumped consistently while it runs. docs/deployment.md.
 */
import path from 'node:path';
import { backupPglite, backupPostgres, BackupError, restorePglite, restorePostgres } from '../../db/backup';
import { DataDirInUseError } from '../../db/knex';
import { ConfigError, loadConfig } from '../config';

async function main(): Promise<void> {
  const [command, file, ...rest] = process.argv.slice(2);
  if (!['backup', 'restore'].includes(command ?? '') || !file) {
    process.stderr.write(
      'usage: npm run db:backup -- FILE   |   npm run db:restore -- FILE [--force]\n' +
        '  PGlite (no DATABASE_URL): stop the platform first; FILE is a .tar.gz of the data directory.\n' +
        '  PostgreSQL (DATABASE_URL): pg_dump custom format; restore replaces what the database holds.\n',
    );
    process.exit(2);
  }
  const config = loadConfig();
  const pgDir = path.join(config.dataDir, 'pg');
  const started = Date.now();
  if (command === 'backup') {
    const bytes = config.databaseUrl ? await backupPostgres(config.databaseUrl, file) : await backupPglite(pgDir, file);
    process.stdout.write(`backed up to ${file} (${bytes} bytes, ${Date.now() - started} ms)\n`);
  } else if (config.databaseUrl) {
    await restorePostgres(config.databaseUrl, file);
    process.stdout.write(`restored ${file} into the PostgreSQL database (${Date.now() - started} ms)\n`);
  } else {
    const { keptAside } = await restorePglite(file, pgDir, { force: rest.includes('--force') });
    process.stdout.write(
      `restored ${file} into ${pgDir}${keptAside ? `; the previous data is kept in ${keptAside}` : ''}\n`,
    );
  }
}

main().catch((err) => {
  const known = err instanceof BackupError || err instanceof DataDirInUseError || err instanceof ConfigError;
  process.stderr.write(`onematter: ${known ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
