import type { Knex } from 'knex';

/** Process ids a situation or one-matter list may hand its cases to (DOMAIN.md, fixed). */
export const SCENARIO_IDS = [
  'case-intake',
  'housing-quality',
  'hazmat-transport',
  'pollution-source',
  'new-product-rd',
  'fire-lane',
] as const;

const scenarioCheck = SCENARIO_IDS.map((s) => `'${s}'`).join(', ');

/**
 * The one-matter catalog: 类别 category → 事项 matter → 问题情形 problem situation, each situation
 * owned by a lead department with default collaborators, a scenario and an SLA in working hours;
 * the scenario breakdown (stages/scenes → links → risk points); the one-matter lists; and the
 * clerks' confirmed classifications, which the classifier learns from.
 *
 * Ids are stable string codes (`C01`, `C01-M03`, `C01-M03-S02`) so an exported workbook imports
 * back onto the same rows.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('catalog_category', (t) => {
    t.string('code', 32).primary();
    t.string('name_zh', 200).notNullable();
    t.string('name_en', 200).notNullable().defaultTo('');
    t.integer('sort').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('catalog_matter', (t) => {
    t.string('code', 48).primary();
    t.string('category_code', 32).notNullable().references('code').inTable('catalog_category');
    t.string('name_zh', 200).notNullable();
    t.string('name_en', 200).notNullable().defaultTo('');
    t.text('description').notNullable().defaultTo('');
    t.integer('sort').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['category_code']);
  });

  await knex.schema.createTable('catalog_situation', (t) => {
    t.string('code', 64).primary();
    t.string('matter_code', 48).notNullable().references('code').inTable('catalog_matter');
    t.string('name_zh', 300).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.string('lead_department', 64).notNullable().references('code').inTable('department');
    // Department codes; jsonb (not text[]) so PGlite and pg return the same JS array.
    t.jsonb('collaborators').notNullable().defaultTo('[]');
    t.string('scenario', 32); // null → generic lead + collaborators handling
    t.integer('sla_working_hours').notNullable();
    t.integer('response_hours').notNullable();
    t.jsonb('keywords').notNullable().defaultTo('[]');
    t.boolean('active').notNullable().defaultTo(true);
    t.integer('sort').notNullable().defaultTo(0);
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['matter_code']);
    t.index(['lead_department']);
  });
  await knex.raw(
    `alter table catalog_situation add constraint catalog_situation_scenario_check
       check (scenario is null or scenario in (${scenarioCheck}))`,
  );
  await knex.raw(
    `alter table catalog_situation add constraint catalog_situation_sla_check
       check (sla_working_hours > 0 and response_hours > 0)`,
  );

  await knex.schema.createTable('scenario_node', (t) => {
    t.string('code', 64).primary();
    t.string('scenario', 32).notNullable();
    t.string('kind', 16).notNullable(); // stage | scene | link | risk_point
    t.string('parent_code', 64).references('code').inTable('scenario_node');
    t.string('name_zh', 300).notNullable();
    t.integer('sort').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['scenario', 'kind']);
    t.index(['parent_code']);
  });
  await knex.raw(
    `alter table scenario_node add constraint scenario_node_kind_check
       check (kind in ('stage', 'scene', 'link', 'risk_point'))`,
  );
  await knex.raw(
    `alter table scenario_node add constraint scenario_node_scenario_check check (scenario in (${scenarioCheck}))`,
  );

  await knex.schema.createTable('one_matter_list', (t) => {
    t.string('code', 32).primary();
    t.string('name_zh', 200).notNullable();
    t.string('lead_department', 64).notNullable().references('code').inTable('department');
    t.jsonb('departments').notNullable().defaultTo('[]'); // collaborating department codes
    t.string('scenario', 32);
    t.integer('sort').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    `alter table one_matter_list add constraint one_matter_list_scenario_check
       check (scenario is null or scenario in (${scenarioCheck}))`,
  );

  await knex.schema.createTable('classification_feedback', (t) => {
    t.bigIncrements('id').primary();
    t.text('text').notNullable();
    t.string('chosen_situation', 64).notNullable().references('code').inTable('catalog_situation');
    t.string('original_top_situation', 64).references('code').inTable('catalog_situation');
    t.double('original_confidence');
    t.string('case_id', 64);
    t.string('created_by', 100).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['chosen_situation']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('classification_feedback');
  await knex.schema.dropTable('one_matter_list');
  await knex.schema.dropTable('scenario_node');
  await knex.schema.dropTable('catalog_situation');
  await knex.schema.dropTable('catalog_matter');
  await knex.schema.dropTable('catalog_category');
}
