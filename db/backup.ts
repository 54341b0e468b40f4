/**
 * Backups of the whole database, for `npm run db:backup` / `db:restore` (platform/cli/backup.ts).
 *
 * - PGlite (the embedded default): a cold backup. PGlite is one process's database, so the platform
 *   must be stopped; the data-directory lock (knex.ts) makes a backup of a running platform fail with a
 *   clear message instead of copying a directory mid-write. The file is PGlite's own data-directory
 *   tarball (`dumpDataDir`, gzip), restored with `loadDataDir` into an empty directory.
 * - PostgreSQL: `pg_dump --format=custom` of the database (or one schema), consistent while the
 *   platform runs (one snapshot), restored with `pg_restore --clean --if-exists --single-transaction`.
 *   Point-in-time recovery is the server's job (WAL archiving): docs/deployment.md.
 *
 * Backup files are created 0600: they hold personal data.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir } from './knex';

export class BackupError extends Error {}

function writePrivate(file: string, data: Buffer): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.partial`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file); // a crash mid-write never leaves a truncated file under the real name
}

/** A gzip tarball of a stopped platform's PGlite data directory; returns its size in bytes. */
export async function backupPglite(dir: string, file: string): Promise<number> {
  if (!fs.existsSync(path.join(dir, 'PG_VERSION')))
    throw new BackupError(`Expected a PGlite data directory at ${dir}, but there is none (check DATA_DIR)`);
  const release = lockDataDir(dir);
  try {
    const pg = await PGlite.create(dir);
    try {
      const blob = await pg.dumpDataDir('gzip');
      const data = Buffer.from(await blob.arrayBuffer());
      writePrivate(file, data);
      return data.length;
    } finally {
      await pg.close();
    }
  } finally {
    release();
  }
}

/**
 * Restores a {@link backupPglite} file into `dir`. An existing directory is kept aside as
 * `<dir>.before-restore-<time>` only when `force` is given; otherwise restoring over data is refused.
 */
export async function restorePglite(
  file: string,
  dir: string,
  options: { force?: boolean; now?: Date } = {},
): Promise<{ keptAside?: string }> {
  if (!fs.existsSync(file)) throw new BackupError(`Expected a backup file at ${file}, but there is none`);
  const release = lockDataDir(dir);
  try {
    let keptAside: string | undefined;
    if (fs.existsSync(dir) && fs.readdirSync(dir).length) {
      if (!options.force)
        throw new BackupError(
          `Expected an empty data directory at ${dir}, but it holds a database: pass --force to keep it aside and restore`,
        );
      keptAside = `${dir}.before-restore-${(options.now ?? new Date()).toISOString().replace(/[:.]/g, '-')}`;
      fs.renameSync(dir, keptAside);
    }
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const blob = new Blob([fs.readFileSync(file)]);
    const pg = await PGlite.create(dir, { loadDataDir: blob });
    try {
      await pg.query('select 1');
    } finally {
      await pg.close();
    }
    return { keptAside };
  } finally {
    release();
  }
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', (err) =>
      reject(
        new BackupError(
          (err as NodeJS.ErrnoException).code === 'ENOENT'
            ? `${cmd} is not installed (Debian: postgresql-client, the same major version as the server)`
            : err.message,
        ),
      ),
    );
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new BackupError(`${cmd} failed (exit ${code}): ${stderr.trim()}`)),
    );
  });
}

/** `pg_dump --format=custom` of the database at `url` (or only `schema`), into `file` (0600). */
export async function backupPostgres(url: string, file: string, options: { schema?: string } = {}): Promise<number> {
  const tmp = `${file}.partial`;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  await run('pg_dump', [
    '--format=custom',
    '--no-owner',
    '--no-privileges',
    ...(options.schema ? ['--schema', options.schema] : []),
    '--file',
    tmp,
    '--dbname',
    url,
  ]);
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return fs.statSync(file).size;
}

/** Restores a {@link backupPostgres} file into the database at `url`, replacing what it holds, in one transaction. */
export async function restorePostgres(url: string, file: string): Promise<void> {
  if (!fs.existsSync(file)) throw new BackupError(`Expected a backup file at ${file}, but there is none`);
  await run('pg_restore', [
    '--clean',
    '--if-exists',
    '--no-owner',
    '--no-privileges',
    '--single-transaction',
    '--exit-on-error',
    '--dbname',
    url,
    file,
  ]);
}
