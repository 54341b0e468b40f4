import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, dbKind, pingDb } from '../../db/knex';
import { migrateAll } from '../../platform/migrate-all';
import { appMigrations } from '../../db/migrations';
import { createTestDb, type TestDb } from '../helpers/db';

describe('the database layer (PGlite, or PostgreSQL when DATABASE_URL is set)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.destroy());

  it('talks to the kind of database the environment asks for', async () => {
    // given DATABASE_URL set (CI's PostgreSQL pass) or not (the default run)
    const expected = process.env.DATABASE_URL ? 'postgres' : 'pglite';

    // when / then
    expect(t.kind).toBe(expected);
    expect(dbKind(t.db)).toBe(expected);
    await expect(pingDb(t.db)).resolves.toBeUndefined();
  });

  it('applies every application migration once, and nothing on a second run', async () => {
    // given a fresh database
    // when migrated twice
    const first = await migrateAll(t.db, { engine: false });
    const second = await migrateAll(t.db, { engine: false });

    // then the first run applied the whole list in order and the second nothing
    expect(first.app).toEqual(Object.keys(appMigrations).sort());
    expect(second.app).toEqual([]);
    expect(await t.db.schema.hasTable('department')).toBe(true);
  });

  it('round-trips jsonb and rolls back a failed transaction', async () => {
    // given a migrated database
    await migrateAll(t.db, { engine: false });

    // when one transaction writes and fails, and another writes and commits
    await expect(
      t.db.transaction(async (trx) => {
        await trx('app_setting').insert({ key: 'rolled-back', value: JSON.stringify({ a: 1 }) });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await t
      .db('app_setting')
      .insert({ key: 'sla', value: JSON.stringify({ warnAt: 0.8, levels: ['street', 'district'] }) });

    // then only the committed row is there, its jsonb parsed back
    const rows = await t.db('app_setting').select('key', 'value').orderBy('key');
    expect(rows).toEqual([{ key: 'sla', value: { warnAt: 0.8, levels: ['street', 'district'] } }]);
  });
});

describe('PGlite on disk', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-pg-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps its data across a close and a reopen', async () => {
    // given a file-backed PGlite with a migrated schema and one row, closed again
    const first = createDb({ pgliteDir: path.join(dir, 'pg') });
    await migrateAll(first, { engine: false });
    await first('department').insert({
      code: 'jb-street-baisha',
      name_zh: '白沙街道',
      name_en: 'Baisha Street',
      kind: 'street',
    });
    await first.destroy();

    // when it is opened again
    const second = createDb({ pgliteDir: path.join(dir, 'pg') });
    try {
      const applied = await migrateAll(second, { engine: false });

      // then the migrations are recorded and the row is still there
      expect(applied.app).toEqual([]);
      expect(await second('department').select('code', 'name_zh')).toEqual([
        { code: 'jb-street-baisha', name_zh: '白沙街道' },
      ]);
    } finally {
      await second.destroy();
    }
  });
});

describe('the PGlite data directory lock', () => {
  it('refuses a second open of the same data directory while the first is open, and frees it on destroy', async () => {
    // given an open file-backed PGlite
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'om-lock-')), 'pg');
    const first = createDb({ pgliteDir: dir });
    await pingDb(first);
    // when a second process-like open of the same directory happens, by a live other pid
    fs.writeFileSync(`${dir}.lock`, String(process.ppid));
    // then it fails fast naming the directory and the pid
    expect(() => createDb({ pgliteDir: dir })).toThrow(
      new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is in use by process ${process.ppid}`),
    );
    // and a lock left by a process that is gone is taken over
    fs.writeFileSync(`${dir}.lock`, String(process.pid));
    await first.destroy();
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);
    fs.writeFileSync(`${dir}.lock`, '999999999');
    const again = createDb({ pgliteDir: dir });
    await pingDb(again);
    await again.destroy();
  });
});
