import type { Knex } from 'knex';

/**
 * `case_process_instance`: the process instances that work for a case besides its root
 * (`case.process_instance_key`): the scenario a case-intake instance calls, the SLA clocks. A job
 * writes a case only when its instance is the case's root or listed here for that case
 * (domain/cases/case-instances.ts); the primary key makes an instance belong to one case only.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('case_process_instance', (t) => {
    t.string('process_instance_key', 24).primary();
    t.string('case_id', 40).notNullable().references('id').inTable('case').onDelete('CASCADE');
    t.string('bpmn_process_id', 200).notNullable();
    t.timestamp('bound_at', { useTz: true }).notNullable();
    t.index(['case_id'], 'case_process_instance_case_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('case_process_instance');
}
