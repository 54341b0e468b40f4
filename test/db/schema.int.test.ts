import fs from 'node:fs';
import { SCHEMA_FILE, dumpFreshSchema, dumpSchema, migrateForSchemaDump } from '../../platform/cli/dump-schema';
import { createTestDb, type TestDb } from '../helpers/db';

/** The first line where two texts differ, for a readable failure. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i])
      return `line ${i + 1}:\n  checked in: ${a[i] ?? '(end of file)'}\n  migrations: ${b[i] ?? '(end of file)'}`;
  }
  return 'no difference';
}

describe('db/schema.sql', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.destroy());

  it('is what the migrations build (on this run’s database: PGlite, or PostgreSQL with DATABASE_URL)', async () => {
    // given this file's own database, migrated like `npm start` migrates
    await migrateForSchemaDump(t.db);

    // when its schema is dumped
    const actual = await dumpSchema(t.db, t.schema ?? 'public');

    // then it equals the checked-in dump, byte for byte
    const checkedIn = fs.readFileSync(SCHEMA_FILE, 'utf8');
    if (actual !== checkedIn) {
      throw new Error(
        `db/schema.sql is stale: run npm run db:schema\nFirst difference at ${firstDifference(checkedIn, actual)}`,
      );
    }
  });
});

describe('dumpSchema', () => {
  it('writes a normalised, sorted dump of tables, constraints, indexes, sequences, enums and views', async () => {
    // given migrations that create one of each kind of object, out of alphabetical order
    const migrate = async (db: TestDb['db']) => {
      await db.raw(`create type light as enum ('green', 'yellow', 'red')`);
      await db.schema.createTable('zone', (t) => {
        t.string('code', 16).primary();
      });
      await db.schema.createTable('alarm', (t) => {
        t.bigIncrements('id');
        t.string('zone_code', 16).notNullable().references('code').inTable('zone');
        t.specificType('light', 'light').notNullable().defaultTo('green');
        t.integer('level').notNullable().checkPositive('alarm_level_positive');
        t.jsonb('payload').notNullable().defaultTo('{}');
        t.index(['zone_code', 'level'], 'alarm_zone_level_idx');
      });
      await db.raw(`create view red_alarm as select id, zone_code from alarm where light = 'red'`);
    };

    // when it is dumped from a fresh database
    const sql = await dumpFreshSchema(migrate);

    // then every object appears once, tables sorted by name, constraints after their table
    expect(sql).toContain(`create type light as enum ('green', 'yellow', 'red');`);
    expect(sql).toContain('create sequence alarm_id_seq as bigint;');
    expect(sql).toContain(
      [
        'create table alarm (',
        "  id bigint default nextval('alarm_id_seq'::regclass) not null,",
        '  zone_code character varying(16) not null,',
        "  light light default 'green'::light not null,",
        '  level integer not null,',
        "  payload jsonb default '{}'::jsonb not null",
        ');',
        'alter table alarm add constraint alarm_level_positive CHECK (level > 0);',
        'alter table alarm add constraint alarm_pkey PRIMARY KEY (id);',
        'alter table alarm add constraint alarm_zone_code_foreign FOREIGN KEY (zone_code) REFERENCES zone(code);',
        'CREATE INDEX alarm_zone_level_idx ON alarm USING btree (zone_code, level);',
      ].join('\n'),
    );
    expect(sql.indexOf('create table alarm')).toBeLessThan(sql.indexOf('create table zone'));
    expect(sql).toMatch(
      /create view red_alarm as\n\s*SELECT id,\s+zone_code\s+FROM alarm\s+WHERE light = 'red'::light;/,
    );
    // and a second dump of the same migrations is identical
    expect(await dumpFreshSchema(migrate)).toBe(sql);
  });
});
