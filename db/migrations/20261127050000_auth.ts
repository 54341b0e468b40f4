import type { Knex } from 'knex';

/**
 * Users, their roles and department memberships, login sessions and API keys (device / Open311).
 *
 * Secrets are never stored as they are: passwords as scrypt hashes with a per-user salt and the
 * cost parameters inside the hash string (so they can be raised later without a migration);
 * session ids and API keys as SHA-256 of a random 32-byte token (a fast hash is enough for
 * 256-bit random secrets, and it lets a request find its row by an index lookup).
 *
 * Rate limits are kept in memory, not in a table: see server/auth/rate-limit.ts for why.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('app_user', (t) => {
    t.string('id', 40).primary(); // uuid
    t.string('username', 100).notNullable().unique();
    t.string('display_name', 200).notNullable();
    t.text('password_hash').notNullable(); // scrypt$N=…,r=…,p=…$salt$hash
    t.jsonb('roles').notNullable().defaultTo('[]'); // admin | designer | supervisor | clerk
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_login_at', { useTz: true });
  });
  await knex.schema.createTable('user_department', (t) => {
    t.string('user_id', 40).notNullable().references('id').inTable('app_user').onDelete('CASCADE');
    t.string('department_code', 64).notNullable().references('code').inTable('department');
    t.primary(['user_id', 'department_code']);
    t.index(['department_code']);
  });
  await knex.schema.createTable('session', (t) => {
    t.string('id_hash', 64).primary(); // sha256 hex of the cookie value
    t.string('user_id', 40).notNullable().references('id').inTable('app_user').onDelete('CASCADE');
    t.string('csrf_token', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable(); // sliding: moved on use, capped by an absolute lifetime
    t.index(['user_id']);
    t.index(['expires_at']);
  });
  await knex.schema.createTable('api_key', (t) => {
    t.string('id', 40).primary(); // uuid
    t.string('kind', 16).notNullable(); // device | open311
    t.string('name', 200).notNullable();
    t.string('key_hash', 64).notNullable().unique(); // sha256 hex of the key
    t.string('device_id', 100); // devices: the id their events carry
    t.string('created_by', 100).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('last_used_at', { useTz: true });
    t.index(['kind', 'revoked_at']);
  });
  await knex.raw(`alter table api_key add constraint api_key_kind_check check (kind in ('device', 'open311'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_key');
  await knex.schema.dropTable('session');
  await knex.schema.dropTable('user_department');
  await knex.schema.dropTable('app_user');
}
