import type { Knex } from 'knex';

/**
 * Cases, their timeline and the clerks' tasks — the application's view of every process. The
 * engine owns process state; these tables are what people (and dashboards) read, so they work the
 * same against the embedded engine and a Zeebe cluster (ARCHITECTURE.md, "Data ownership").
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('case', (t) => {
    t.string('id', 40).primary(); // uuid
    t.string('case_no', 32).notNullable().unique(); // human number, e.g. JB20261127-000123
    t.string('status', 20).notNullable().defaultTo('received');
    // received | dispatching | handling | suspended | replied | closed | cancelled | merged
    t.string('channel', 20).notNullable().defaultTo('web'); // web | hotline | open311 | device | api
    t.text('description').notNullable();
    t.string('reporter_name', 100);
    t.string('reporter_phone', 32);
    t.string('address', 500);
    t.double('lat');
    t.double('lng');
    t.jsonb('attachments').notNullable().defaultTo('[]');
    t.string('category_code', 32);
    t.string('matter_code', 32);
    t.string('situation_code', 48);
    t.string('scenario', 40); // process id of the scenario, null = generic handling
    t.string('stage_code', 48); // scenario stage/scene/link/risk point when known
    t.string('lead_department', 64).references('code').inTable('department');
    t.jsonb('collaborators').notNullable().defaultTo('[]');
    t.double('confidence');
    t.string('process_instance_key', 24);
    t.timestamp('accepted_at', { useTz: true });
    t.timestamp('warn_at', { useTz: true });
    t.timestamp('due_at', { useTz: true });
    t.string('light', 8).notNullable().defaultTo('green'); // green | yellow | red
    t.integer('reopen_count').notNullable().defaultTo(0);
    t.boolean('rating_satisfied');
    t.text('rating_comment');
    t.timestamp('rated_at', { useTz: true });
    t.text('reply');
    t.timestamp('replied_at', { useTz: true });
    t.string('merged_into', 40).references('id').inTable('case');
    t.string('external_id', 100); // Open311 service_request_id of the client, device event id …
    t.string('open311_token', 64);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('closed_at', { useTz: true });
    t.index(['status', 'created_at']);
    t.index(['lead_department', 'status']);
    t.index(['scenario', 'created_at']);
    t.index(['reporter_phone']);
  });
  // Every state change with who and when (the case timeline).
  await knex.schema.createTable('case_event', (t) => {
    t.bigIncrements('id').primary();
    t.string('case_id', 40).notNullable().references('id').inTable('case').onDelete('CASCADE');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('type', 40).notNullable();
    t.string('actor', 100).notNullable().defaultTo('system'); // user name, 'system', 'reporter', device id
    t.string('department', 64);
    t.jsonb('data').notNullable().defaultTo('{}');
    t.index(['case_id', 'at']);
    t.index(['type', 'at']);
  });
  // User tasks mirrored from `io.camunda.zeebe:userTask` jobs by the user-task bridge worker.
  await knex.schema.createTable('task', (t) => {
    t.string('id', 40).primary();
    t.string('job_key', 24).notNullable().unique(); // idempotency: a re-delivered job never duplicates a task
    t.string('process_instance_key', 24).notNullable();
    t.string('element_instance_key', 24).notNullable();
    t.string('element_id', 255).notNullable();
    t.string('bpmn_process_id', 255).notNullable();
    t.string('case_id', 40).references('id').inTable('case');
    t.string('name', 500).notNullable();
    t.jsonb('candidate_groups').notNullable().defaultTo('[]'); // department codes
    t.string('department', 64); // the first candidate group, for the inbox index
    t.string('assignee', 100);
    t.string('form_key', 255);
    t.jsonb('form_schema'); // the Camunda Form JSON, resolved when the task is created
    t.integer('priority').notNullable().defaultTo(50);
    t.timestamp('due_at', { useTz: true });
    t.timestamp('follow_up_at', { useTz: true });
    t.string('state', 16).notNullable().defaultTo('created'); // created | completed | cancelled
    t.jsonb('variables').notNullable().defaultTo('{}'); // what the clerk needs to see (snapshot at creation)
    t.jsonb('result'); // the completed form's variables
    t.string('light', 8).notNullable().defaultTo('green');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('claimed_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    t.string('completed_by', 100);
    t.index(['department', 'state', 'due_at']);
    t.index(['assignee', 'state', 'due_at']);
    t.index(['case_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('task');
  await knex.schema.dropTable('case_event');
  await knex.schema.dropTable('case');
}
