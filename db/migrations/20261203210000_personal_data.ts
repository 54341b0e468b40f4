import type { Knex } from 'knex';

/**
 * Personal data at rest (docs/security.md, "Personal data (PIPL)").
 *
 * - `case.reporter_name`, `case.reporter_phone`, `vehicle.owner_name` and `vehicle.owner_phone`
 *   become text: they hold envelope-encrypted values (`pii1:…`, about 190
 *   characters). Rows written before stay plaintext until the platform's start-up backfill seals them
 *   (it needs the master key from the configuration, which a frozen migration cannot read).
 * - `case.reporter_phone_hash`: the keyed search hash (HMAC-SHA256 hex) of the normalised phone, for the
 *   tracking page and "my cases"; the plaintext index on `reporter_phone` goes (it would index ciphertext).
 * - The SMS outbox's part is 20261203210100_sms_phone_sealed (the outbox's tests run its migrations alone).
 * - `case.confidential` (举报人保密): the reporter's identity is shown only to `confidential-reader` users.
 * - `case.personal_data_erased_at`: when the reporter's personal fields were erased (retention or request).
 * - `privacy_purge_report`: one row per retention purge run, counts per data kind.
 * - `reporter_verification`: one-time SMS codes proving a phone for the reporter's own data export/deletion.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('case', (t) => {
    t.dropIndex(['reporter_phone']);
  });
  await knex.raw('alter table "case" alter column reporter_name type text, alter column reporter_phone type text');
  await knex.schema.alterTable('case', (t) => {
    t.string('reporter_phone_hash', 64);
    t.boolean('confidential').notNullable().defaultTo(false);
    t.timestamp('personal_data_erased_at', { useTz: true });
    t.index(['reporter_phone_hash']);
  });
  await knex.raw('alter table vehicle alter column owner_name type text, alter column owner_phone type text');
  await knex.schema.createTable('privacy_purge_report', (t) => {
    t.bigIncrements('id').primary();
    t.timestamp('ran_at', { useTz: true }).notNullable();
    t.jsonb('counts').notNullable();
    t.jsonb('rules').notNullable();
    t.index(['ran_at']);
  });
  await knex.schema.createTable('reporter_verification', (t) => {
    t.string('id', 40).primary();
    t.string('phone_hash', 64).notNullable();
    t.string('code_hash', 64).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.index(['phone_hash', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('reporter_verification');
  await knex.schema.dropTable('privacy_purge_report');
  await knex.schema.alterTable('case', (t) => {
    t.dropIndex(['reporter_phone_hash']);
    t.dropColumn('reporter_phone_hash');
    t.dropColumn('confidential');
    t.dropColumn('personal_data_erased_at');
    t.index(['reporter_phone']);
  });
}
