import type { Knex } from 'knex';

/**
 * The notification outbox (SMS). A row is written once per business event — `idempotency_key` is
 * unique, so a re-delivered job finds its row instead of sending twice — and the dispatcher moves it
 * queued → sending → sent | failed, or it is born `capped` when the per-phone daily cap is reached.
 * A provider outage only moves `next_attempt_at` forward: rows are never deleted by the dispatcher.
 *
 * `to_phone` is stored in full because it is needed to send; everything that leaves the service (API
 * objects, log lines) goes through `toPublic()` / `maskPhone()` in server/notify.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notification', (t) => {
    t.bigIncrements('id').primary();
    t.string('idempotency_key', 300).notNullable().unique();
    t.text('case_id');
    t.string('channel', 16).notNullable().defaultTo('sms');
    t.string('to_phone', 32).notNullable();
    t.string('template', 64).notNullable();
    t.jsonb('params').notNullable().defaultTo('{}');
    t.text('text').notNullable();
    t.string('status', 16).notNullable(); // queued | sending | sent | failed | capped
    t.text('status_reason'); // why capped / failed, in words (masked before it leaves the service)
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true });
    // A claimed row whose dispatcher died is claimable again once its lease runs out.
    t.timestamp('locked_until', { useTz: true });
    t.text('last_error');
    t.string('provider', 32);
    t.string('provider_message_id', 200);
    // The Asia/Shanghai calendar day the message was queued on; the daily cap counts per (phone, day).
    t.date('local_day').notNullable();
    t.timestamp('queued_at', { useTz: true }).notNullable();
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table notification add constraint notification_status_check
    check (status in ('queued', 'sending', 'sent', 'failed', 'capped'))`);
  await knex.raw(`alter table notification add constraint notification_channel_check check (channel in ('sms'))`);

  // Why these indexes:
  // - the dispatcher's claim scans only rows that can still be sent, ordered by due time; a partial
  //   index keeps that scan proportional to the backlog (tens of rows) rather than to history (the
  //   fire-lane report alone mentions 5,000+ SMS in half a year), and sent rows drop out of it;
  await knex.raw(`create index notification_due_idx on notification (next_attempt_at)
    where status in ('queued', 'sending')`);
  // - the daily cap counts one phone's rows of one local day inside the enqueue transaction, on the
  //   hot path of every fire-lane notice;
  await knex.raw('create index notification_phone_day_idx on notification (to_phone, local_day)');
  // - the case timeline and the UI list a case's messages.
  await knex.raw('create index notification_case_idx on notification (case_id, queued_at) where case_id is not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notification');
}
