import type { Knex } from 'knex';

/**
 * Base application tables: departments (fixed codes from DOMAIN.md) and the app settings row.
 * Later migrations add users, catalog, cases, tasks and the notification outbox.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('department', (t) => {
    t.string('code', 64).primary();
    t.string('name_zh', 200).notNullable();
    t.string('name_en', 200).notNullable();
    t.string('kind', 32).notNullable().defaultTo('bureau'); // bureau | street | external
    t.string('parent_code', 64).references('code').inTable('department');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('app_setting', (t) => {
    t.string('key', 100).primary();
    t.jsonb('value').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('app_setting');
  await knex.schema.dropTable('department');
}
