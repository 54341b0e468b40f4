import type { Knex } from 'knex';

/**
 * What the one-matter scenarios need beyond cases, timeline and tasks (issue 5):
 *
 * - `sla_clock`: one SLA clock per user-task step (the `sla-clock` process mirrors it). The budget is
 *   in working hours; suspension stores the remaining budget so resuming moves the due date by the
 *   time spent waiting for the reporter; extensions add hours. Dashboards read SLA compliance here.
 * - `sla_extension`: a clerk's deadline-extension request (延期申请) and the supervisor's decision.
 * - `department_contact`: whom yellow/red cards reach by SMS (department head, duty phone, staff).
 * - `deployed_form`: form key → form id and schema, recorded at deployment, so the user-task bridge
 *   resolves the `io.camunda.zeebe:formKey` header of a linked form (a key, not an id) to its schema
 *   — against the embedded engine and a Zeebe cluster alike.
 * - `deployed_user_task`: user-task names per process version (a job does not carry its element's name).
 * - task/case columns for the SLA clock key, warning time, suspension and escalation level.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sla_clock', (t) => {
    t.string('sla_key', 80).primary(); // `sla:<processInstanceKey>:<elementInstanceKey>` of the sla.compute job
    t.string('case_id', 40).references('id').inTable('case').onDelete('CASCADE');
    t.string('process_instance_key', 24).notNullable();
    t.string('bpmn_process_id', 255).notNullable();
    t.string('step', 100).notNullable(); // BPMN id of the guarded user task, e.g. leadHandle
    t.string('department', 64);
    t.double('working_hours').notNullable(); // the budget, extensions included
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('warn_at', { useTz: true }).notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.string('state', 16).notNullable().defaultTo('running'); // running | suspended | stopped
    t.string('light', 8).notNullable().defaultTo('green'); // green | yellow | red
    t.timestamp('suspended_at', { useTz: true });
    t.double('remaining_hours'); // working hours left when suspended
    t.double('suspended_hours').notNullable().defaultTo(0); // working hours spent suspended, in total
    t.double('extended_hours').notNullable().defaultTo(0);
    t.timestamp('yellow_at', { useTz: true });
    t.timestamp('red_at', { useTz: true });
    t.timestamp('escalated_at', { useTz: true });
    t.timestamp('stopped_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['case_id']);
    t.index(['state', 'due_at']);
    t.index(['department', 'state']);
  });
  await knex.raw(
    `alter table sla_clock add constraint sla_clock_state_check check (state in ('running', 'suspended', 'stopped'))`,
  );

  await knex.schema.createTable('sla_extension', (t) => {
    t.bigIncrements('id').primary();
    t.string('sla_key', 80).notNullable().references('sla_key').inTable('sla_clock').onDelete('CASCADE');
    t.string('task_id', 40).references('id').inTable('task');
    t.string('case_id', 40).references('id').inTable('case');
    t.double('hours').notNullable();
    t.text('reason').notNullable();
    t.string('requested_by', 100).notNullable();
    t.string('status', 16).notNullable().defaultTo('pending'); // pending | approved | rejected
    t.string('decided_by', 100);
    t.text('decision_comment');
    t.timestamp('decided_at', { useTz: true });
    t.timestamp('applied_at', { useTz: true }); // when the clock moved its due date (once)
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['status', 'created_at']);
    t.index(['sla_key']);
  });
  await knex.raw(
    `alter table sla_extension add constraint sla_extension_status_check check (status in ('pending', 'approved', 'rejected'))`,
  );
  await knex.raw('alter table sla_extension add constraint sla_extension_hours_check check (hours > 0)');

  await knex.schema.createTable('department_contact', (t) => {
    t.bigIncrements('id').primary();
    t.string('department', 64).notNullable().references('code').inTable('department');
    t.string('role', 16).notNullable(); // head | duty | staff
    t.string('username', 100); // staff: the user name a task's assignee carries
    t.string('name', 100).notNullable();
    t.string('phone', 32).notNullable();
    t.index(['department', 'role']);
    t.index(['username']);
  });
  await knex.raw(
    `alter table department_contact add constraint department_contact_role_check check (role in ('head', 'duty', 'staff'))`,
  );

  await knex.schema.createTable('deployed_form', (t) => {
    t.string('form_key', 24).primary();
    t.string('form_id', 255).notNullable();
    t.integer('version').notNullable();
    t.string('resource_name', 255).notNullable();
    t.jsonb('schema').notNullable();
    t.timestamp('deployed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['form_id', 'version']);
  });

  // User-task names per process version, recorded at deployment (a job does not carry its element's name).
  await knex.schema.createTable('deployed_user_task', (t) => {
    t.string('bpmn_process_id', 255).notNullable();
    t.integer('version').notNullable();
    t.string('element_id', 255).notNullable();
    t.string('name', 500).notNullable();
    t.primary(['bpmn_process_id', 'version', 'element_id']);
  });

  await knex.schema.alterTable('task', (t) => {
    t.string('sla_key', 80);
    t.timestamp('warn_at', { useTz: true });
    t.timestamp('cancelled_at', { useTz: true });
    t.string('cancel_reason', 200);
    t.index(['sla_key']);
  });
  await knex.schema.alterTable('case', (t) => {
    t.timestamp('suspended_at', { useTz: true });
    t.integer('escalation_level').notNullable().defaultTo(0); // 0 none, 1 督办 (red card), 2 提级
    t.integer('return_count').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('case', (t) => {
    t.dropColumn('suspended_at');
    t.dropColumn('escalation_level');
    t.dropColumn('return_count');
  });
  await knex.schema.alterTable('task', (t) => {
    t.dropIndex(['sla_key']);
    t.dropColumn('sla_key');
    t.dropColumn('warn_at');
    t.dropColumn('cancelled_at');
    t.dropColumn('cancel_reason');
  });
  await knex.schema.dropTable('deployed_user_task');
  await knex.schema.dropTable('deployed_form');
  await knex.schema.dropTable('department_contact');
  await knex.schema.dropTable('sla_extension');
  await knex.schema.dropTable('sla_clock');
}
