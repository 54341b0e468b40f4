import type { Knex } from 'knex';

/**
 * The SMS outbox's number sealed at rest (docs/security.md, "Personal data (PIPL)"): `to_phone` becomes
 * text for the envelope-encrypted value, and `to_phone_hash` (HMAC-SHA256 hex of the normalised number)
 * lets the per-phone daily cap count without the number; the cap's index moves to the hash. Rows
 * written before are sealed by the platform's start-up backfill (it needs the configured master key).
 * The outbox has no foreign keys, so this migration stands alone like 20261127020000_notifications.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table notification alter column to_phone type text');
  await knex.schema.alterTable('notification', (t) => {
    t.string('to_phone_hash', 64);
  });
  await knex.raw('drop index if exists notification_phone_day_idx');
  await knex.raw('create index notification_phone_hash_day_idx on notification (to_phone_hash, local_day)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists notification_phone_hash_day_idx');
  await knex.schema.alterTable('notification', (t) => t.dropColumn('to_phone_hash'));
  await knex.raw('create index notification_phone_day_idx on notification (to_phone, local_day)');
}
