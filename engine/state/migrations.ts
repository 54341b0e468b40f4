import type { Knex } from 'knex';

/**
 * The engine's schema. Every table is prefixed `engine_` and owned by the engine alone; the
 * application never writes here. Rows are the durable form of the engine's in-memory state: the
 * engine that holds the ownership lock reads them once at start and from then on writes every
 * change in the same transaction as the command that made it (see state/Store.ts).
 *
 * Keys are int8 (`2^51 + n`), times are epoch milliseconds on the engine clock (int8), entity
 * details live in `data` (jsonb) with the columns that queries filter on pulled out.
 */
async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('engine_meta', (t) => {
    t.string('name', 64).primary();
    t.jsonb('value').notNullable();
  });
  // Deployed resources: BPMN processes and Camunda forms, versioned per resource id.
  await knex.schema.createTable('engine_resource', (t) => {
    t.bigInteger('key').primary();
    t.string('kind', 16).notNullable(); // process | form
    t.string('resource_id', 255).notNullable(); // bpmnProcessId | formId
    t.integer('version').notNullable();
    t.string('resource_name', 1024).notNullable();
    t.string('checksum', 64).notNullable();
    t.bigInteger('deployment_key').notNullable();
    t.text('content').notNullable();
    t.bigInteger('deployed_at').notNullable();
    t.unique(['kind', 'resource_id', 'version']);
  });
  await knex.schema.createTable('engine_element_instance', (t) => {
    t.bigInteger('key').primary();
    t.bigInteger('process_instance_key').notNullable().index();
    t.jsonb('data').notNullable();
  });
  await knex.schema.createTable('engine_variable', (t) => {
    t.bigInteger('key').primary();
    t.bigInteger('scope_key').notNullable().index();
    t.bigInteger('process_instance_key').notNullable();
    t.string('name', 1024).notNullable();
    t.jsonb('value');
  });
  await knex.schema.createTable('engine_job', (t) => {
    t.bigInteger('key').primary();
    t.string('type', 1024).notNullable();
    t.string('state', 16).notNullable();
    t.bigInteger('process_instance_key').notNullable().index();
    t.jsonb('data').notNullable();
    t.index(['type', 'state']);
  });
  await knex.schema.createTable('engine_subscription', (t) => {
    t.bigInteger('key').primary();
    t.string('kind', 16).notNullable(); // message | signal
    t.string('name', 1024).notNullable();
    t.string('correlation_key', 1024);
    t.bigInteger('process_instance_key').notNullable().index();
    t.jsonb('data').notNullable();
  });
  await knex.schema.createTable('engine_message', (t) => {
    t.bigInteger('key').primary();
    t.string('name', 1024).notNullable();
    t.string('correlation_key', 1024).notNullable();
    t.bigInteger('expires_at').notNullable();
    t.jsonb('data').notNullable();
  });
  await knex.schema.createTable('engine_incident', (t) => {
    t.bigInteger('key').primary();
    t.bigInteger('process_instance_key').index();
    t.string('error_type', 64).notNullable();
    t.jsonb('data').notNullable();
  });
  // Due work: timers, job deadlines, retry back-offs and message expiry, served by one scheduler.
  await knex.schema.createTable('engine_due', (t) => {
    t.string('id', 64).primary();
    t.string('kind', 16).notNullable();
    t.bigInteger('due_at').notNullable().index();
    t.jsonb('data').notNullable();
  });
  // The record log: what happened, in order (Zeebe's exporter stream). Pruned by retention.
  await knex.schema.createTable('engine_record', (t) => {
    t.bigInteger('position').primary();
    t.bigInteger('key').notNullable();
    t.string('value_type', 40).notNullable();
    t.string('intent', 40).notNullable();
    t.bigInteger('process_instance_key').index();
    t.bigInteger('timestamp').notNullable().index();
    t.jsonb('value').notNullable();
  });
}

async function down(knex: Knex): Promise<void> {
  for (const t of [
    'engine_record',
    'engine_due',
    'engine_incident',
    'engine_message',
    'engine_subscription',
    'engine_job',
    'engine_variable',
    'engine_element_instance',
    'engine_resource',
    'engine_meta',
  ]) {
    await knex.schema.dropTableIfExists(t);
  }
}

/**
 * The record log as one row per committed batch: the batch's records as one JSON array (text, so
 * PostgreSQL does not parse it on the write path; lz4-compressed where the server has lz4), with
 * the position range, the newest timestamp (retention) and the process instances it touches (GIN,
 * for look-ups by instance). Writing ~1,000 records of a busy batch is then one row instead of a
 * thousand rows and three index entries each — the largest part of a commit before this change.
 */
async function recordBatchesUp(knex: Knex): Promise<void> {
  await knex.schema.createTable('engine_record_batch', (t) => {
    t.bigInteger('first_position').primary();
    t.bigInteger('last_position').notNullable();
    t.bigInteger('last_timestamp').notNullable().index();
    t.specificType('process_instance_keys', 'int8[]').notNullable();
    t.text('records').notNullable();
  });
  await knex.raw(
    'create index engine_record_batch_process_instance_keys on engine_record_batch using gin (process_instance_keys)',
  );
  const lz4: any = await knex.raw(
    "select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)",
  );
  if ((lz4.rows ?? lz4).length)
    await knex.raw('alter table engine_record_batch alter column records set compression lz4');
  // Existing records move over in batches of 1,000 positions.
  await knex.raw(`
    insert into engine_record_batch (first_position, last_position, last_timestamp, process_instance_keys, records)
    select min(position), max(position), max(timestamp),
           coalesce(array_agg(distinct process_instance_key) filter (where process_instance_key is not null), '{}'),
           json_agg(json_build_object('position', position, 'key', key::text, 'valueType', value_type, 'intent', intent,
             'processInstanceKey', process_instance_key::text, 'timestamp', timestamp, 'value', value) order by position)::text
    from engine_record group by (position - 1) / 1000`);
  await knex.schema.dropTable('engine_record');
}

async function recordBatchesDown(knex: Knex): Promise<void> {
  await knex.schema.createTable('engine_record', (t) => {
    t.bigInteger('position').primary();
    t.bigInteger('key').notNullable();
    t.string('value_type', 40).notNullable();
    t.string('intent', 40).notNullable();
    t.bigInteger('process_instance_key').index();
    t.bigInteger('timestamp').notNullable().index();
    t.jsonb('value').notNullable();
  });
  await knex.raw(`
    insert into engine_record (position, key, value_type, intent, process_instance_key, timestamp, value)
    select r.position, r.key::int8, r."valueType", r.intent, r."processInstanceKey"::int8, r.timestamp, r.value
    from engine_record_batch b cross join lateral json_to_recordset(b.records::json)
      as r(position int8, key text, "valueType" text, intent text, "processInstanceKey" text, timestamp int8, value jsonb)`);
  await knex.schema.dropTable('engine_record_batch');
}

/** Native Camunda user tasks (`zeebe:userTask`) while they are live; their history is the record log. */
async function userTasksUp(knex: Knex): Promise<void> {
  await knex.schema.createTable('engine_user_task', (t) => {
    t.bigInteger('key').primary();
    t.string('state', 20).notNullable();
    t.bigInteger('process_instance_key').notNullable().index();
    t.jsonb('data').notNullable();
  });
}

async function userTasksDown(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('engine_user_task');
}

/** The engine's migrations, in order; run with their own bookkeeping table. */
export const engineMigrations: Record<string, Knex.Migration> = {
  '20261127000000_engine_core': { up, down },
  '20261128000000_record_batches': { up: recordBatchesUp, down: recordBatchesDown },
  '20261203000000_user_tasks': { up: userTasksUp, down: userTasksDown },
};
