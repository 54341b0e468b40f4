import { engineMigrations, startEngine } from '../../engine';
import { createTestDb } from '../helpers/db';

/** A database written by an engine before the record log moved to one row per batch upgrades in place. */
describe('record log migration', () => {
  test('records of the per-record table survive the move to batches, in order and readable', async () => {
    // given a database with only the first engine migration and three records in the old table
    const testDb = await createTestDb();
    const db = testDb.db;
    try {
      await engineMigrations['20261127000000_engine_core'].up(db);
      await db.schema.createTable('engine_knex_migrations', (t) => {
        t.increments('id');
        t.string('name');
        t.integer('batch');
        t.timestamp('migration_time');
      });
      await db('engine_knex_migrations').insert({
        name: '20261127000000_engine_core',
        batch: 1,
        migration_time: new Date(),
      });
      const pi = '2251799813685300';
      await db('engine_record').insert([
        {
          position: 1,
          key: '2251799813685250',
          value_type: 'DEPLOYMENT',
          intent: 'CREATED',
          process_instance_key: null,
          timestamp: 1000,
          value: JSON.stringify({ a: 1 }),
        },
        {
          position: 2,
          key: pi,
          value_type: 'PROCESS_INSTANCE',
          intent: 'ELEMENT_ACTIVATING',
          process_instance_key: pi,
          timestamp: 2000,
          value: JSON.stringify({ elementId: 'p' }),
        },
        {
          position: 1001,
          key: pi,
          value_type: 'PROCESS_INSTANCE',
          intent: 'ELEMENT_COMPLETED',
          process_instance_key: pi,
          timestamp: 3000,
          value: JSON.stringify({ elementId: 'p' }),
        },
      ]);

      // when an engine of this version starts on it (it migrates)
      const engine = await startEngine({ db, port: 0, recordRetentionMs: 0 });
      try {
        // then the old table is gone and every record reads back the same, in order
        expect(await db.schema.hasTable('engine_record')).toBe(false);
        const all = await engine.admin.records();
        expect(all.map((r) => [r.position, r.valueType, r.intent, r.processInstanceKey, r.timestamp])).toEqual([
          [1, 'DEPLOYMENT', 'CREATED', null, 1000],
          [2, 'PROCESS_INSTANCE', 'ELEMENT_ACTIVATING', pi, 2000],
          [1001, 'PROCESS_INSTANCE', 'ELEMENT_COMPLETED', pi, 3000],
        ]);
        expect(all[1].value).toEqual({ elementId: 'p' });
        expect(all[0].key).toBe('2251799813685250');
        // and the filters work on migrated batches
        expect((await engine.admin.records({ processInstanceKey: pi })).map((r) => r.position)).toEqual([2, 1001]);
        expect(
          (await engine.admin.records({ fromPosition: 2, valueType: 'PROCESS_INSTANCE', limit: 1 })).map(
            (r) => r.position,
          ),
        ).toEqual([2]);
      } finally {
        await engine.stop();
      }
    } finally {
      await testDb.destroy();
    }
  });
});
