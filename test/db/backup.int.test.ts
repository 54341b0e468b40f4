/**
 * Backup and restore round trips: a row written before the backup is back after the restore, a row
 * written after it is gone; a running platform's PGlite directory cannot be copied mid-write; restoring
 * over data needs --force and keeps the old directory aside. On PostgreSQL (DATABASE_URL) the same with
 * pg_dump / pg_restore of the test's own schema.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backupPglite, backupPostgres, BackupError, restorePglite, restorePostgres } from '../../db/backup';
import { createDb, DataDirInUseError } from '../../db/knex';
import { migrateApp } from '../../db/migrate-app';
import { createTestDb } from '../helpers/db';

const AT = new Date('2026-12-03T08:00:00Z');
const audit = (actor: string) => ({
  at: AT,
  actor,
  roles: ['admin'],
  action: 'POST /x',
  summary: 'x',
  status: 201,
});

describe('PGlite backup and restore', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-backup-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('round-trips the database; refuses a directory in use and restoring over data without --force', async () => {
    // given a stopped platform's database with one row
    const dir = path.join(tmp, 'pg');
    let db = createDb({ pgliteDir: dir });
    await migrateApp(db);
    await db('audit_log').insert(audit('before-backup'));
    await db.destroy();

    // when it is backed up, and a row is added afterwards
    const file = path.join(tmp, 'onematter.tar.gz');
    const bytes = await backupPglite(dir, file);
    expect(bytes).toBeGreaterThan(1000);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    db = createDb({ pgliteDir: dir });
    await db('audit_log').insert(audit('after-backup'));

    await db.destroy();

    // then a backup while another live process (a running platform) holds the directory is refused
    const other = spawn('sleep', ['60']);
    try {
      fs.writeFileSync(`${dir}.lock`, String(other.pid));
      await expect(backupPglite(dir, path.join(tmp, 'busy.tar.gz'))).rejects.toThrow(DataDirInUseError);
      expect(fs.existsSync(path.join(tmp, 'busy.tar.gz'))).toBe(false);
    } finally {
      other.kill();
      fs.rmSync(`${dir}.lock`, { force: true });
    }

    // and restoring over the data without force is refused, changing nothing
    await expect(restorePglite(file, dir)).rejects.toThrow(BackupError);

    // when it is restored with force
    const { keptAside } = await restorePglite(file, dir, { force: true, now: AT });

    // then the old directory is kept aside and the database is as it was at the backup
    expect(keptAside && fs.existsSync(path.join(keptAside, 'PG_VERSION'))).toBe(true);
    db = createDb({ pgliteDir: dir });
    try {
      expect((await db('audit_log').select('actor')).map((r) => r.actor)).toEqual(['before-backup']);
    } finally {
      await db.destroy();
    }
  });
});

// The PostgreSQL round trip needs a server: it runs in the PostgreSQL pass (npm run test:pg, DATABASE_URL).
if (process.env.DATABASE_URL)
  describe('PostgreSQL backup and restore (pg_dump / pg_restore)', () => {
    it('round-trips one schema', async () => {
      const t = await createTestDb();
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-backup-'));
      try {
        // given a schema with one row
        await migrateApp(t.db);
        await t.db('audit_log').insert(audit('before-backup'));
        const schema = (await t.db.raw('select current_schema() as s')).rows[0].s as string;
        const url = process.env.DATABASE_URL!;
        // when it is dumped and a row added afterwards
        const file = path.join(tmp, 'onematter.dump');
        expect(await backupPostgres(url, file, { schema })).toBeGreaterThan(1000);
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        await t.db('audit_log').insert(audit('after-backup'));
        // and restored
        await restorePostgres(url, file);
        // then the schema is as it was at the backup
        expect((await t.db('audit_log').select('actor')).map((r) => r.actor)).toEqual(['before-backup']);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
        await t.destroy();
      }
    });
  });
