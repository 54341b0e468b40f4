import type { Knex } from 'knex';

/**
 * Holiday years maintained by admins (/admin → 节假日): one row per year with that year's 放假
 * ranges and 调休 working days in the shape of one year of `processes/calendar/cn-holidays.json`
 * (`{provisional, source: {title, url}, holidays: [{name, from, to}], workdays: [{date, for}]}`),
 * checked by domain/sla/holiday-data.ts before it is written.
 *
 * A row replaces the shipped file's year of the same number entirely; a year in neither falls back
 * to plain weekdays (domain/sla/working-time.ts). `provisional` repeats `data.provisional` for the
 * list; `source` says how the row came in: `admin` (entered on the page or PUT) or `import` (a file).
 * Deleting a row brings the shipped year back, if there is one.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_year', (t) => {
    t.integer('year').primary();
    t.jsonb('data').notNullable();
    t.boolean('provisional').notNullable().defaultTo(false);
    t.string('source', 16).notNullable();
    t.string('updated_by', 100).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `alter table calendar_year add constraint calendar_year_source_check check (source in ('admin', 'import'))`,
  );
  await knex.raw(
    `alter table calendar_year add constraint calendar_year_year_check check (year between 2000 and 2100)`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('calendar_year');
}
