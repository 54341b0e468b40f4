import type { Knex } from 'knex';

/**
 * Device events (POST /api/device-events): every camera detection as received, with its
 * processing status and the answer it got, so a repeated client event id (`eventId` or an
 * `Idempotency-Key` header) gets the same answer without a second effect, and so the fire-lane
 * figures (detections, merges, time to clear) come from stored data.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('device_event', (t) => {
    t.bigIncrements('id').primary();
    t.string('device_id', 100).notNullable();
    t.string('api_key_id', 40).references('id').inTable('api_key');
    // The client's id for the event; unique per device (cameras number their own events).
    t.string('client_event_id', 200);
    t.string('type', 40).notNullable(); // fire-lane.occupied | fire-lane.cleared
    t.string('lane_id', 100).notNullable();
    t.string('plate', 32).notNullable();
    t.timestamp('detected_at', { useTz: true }).notNullable();
    t.text('image_url');
    t.jsonb('payload').notNullable().defaultTo('{}'); // the body as sent
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // received → processed | ignored (nothing to do, e.g. cleared without an open case) | failed (retry welcome)
    t.string('status', 16).notNullable().defaultTo('received');
    t.timestamp('processed_at', { useTz: true });
    t.string('case_id', 40).references('id').inTable('case').onDelete('SET NULL');
    t.boolean('merged');
    t.jsonb('response'); // the 202 body, replayed for a repeated client event id
    t.text('error');
    t.unique(['device_id', 'client_event_id']);
    // The open case of a plate in a lane is found through its detections.
    t.index(['lane_id', 'plate', 'type']);
    t.index(['case_id']);
    t.index(['status', 'received_at']);
  });
  await knex.raw(
    `alter table device_event add constraint device_event_status_check check (status in ('received', 'processed', 'ignored', 'failed'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('device_event');
}
