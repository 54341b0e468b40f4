import type { Knex } from 'knex';

/**
 * Intake that never loses a report nor hangs on the engine (docs/intake.md).
 *
 * `case_pending_start`: a case whose process instance is still to be created. Written in the
 * transaction that writes the case; deleted only in the transaction that records the process
 * instance key on the case. `claimed_until` is the lease of the one attempt under way (a request or
 * the starter loop); `next_attempt_at` the back-off while the engine is down.
 *
 * `intake_idempotency`: a client's `Idempotency-Key` (per scope: `api` for POST /api/cases,
 * `open311:<client>` for Open311) with the hash of the request it came with and the case it made,
 * written in the same transaction as the case; kept until `expires_at`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('case_pending_start', (t) => {
    t.string('case_id', 40).primary().references('id').inTable('case').onDelete('CASCADE');
    t.string('bpmn_process_id', 200).notNullable();
    t.jsonb('variables').notNullable().defaultTo('{}');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable();
    t.timestamp('claimed_until', { useTz: true }).nullable();
    t.text('last_error').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['next_attempt_at'], 'case_pending_start_due_idx');
  });
  await knex.schema.createTable('intake_idempotency', (t) => {
    t.string('scope', 120).notNullable();
    t.string('key', 255).notNullable();
    t.string('request_hash', 64).notNullable();
    t.string('case_id', 40).notNullable().references('id').inTable('case').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.primary(['scope', 'key']);
    t.index(['expires_at'], 'intake_idempotency_expires_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('intake_idempotency');
  await knex.schema.dropTable('case_pending_start');
}
