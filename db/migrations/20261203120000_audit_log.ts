import type { Knex } from 'knex';

/**
 * The audit log: one row per state-changing request by an admin, designer or supervisor (users, keys,
 * catalog, deployments, departments, holidays, incidents, case decisions, extension approvals),
 * written by server/http/define-route.ts through domain/audit/audit-log.ts before the answer goes out,
 * refused ones included. Append-only: a trigger rejects every UPDATE and DELETE, so not even the
 * application's own database user can rewrite history through SQL it runs (TRUNCATE stays possible for
 * a database owner, as for any table; backups keep the record).
 *
 * `detail` is the request's validated JSON body with secrets replaced by "[redacted]", at most 4 KB;
 * `status` the HTTP answer (2xx done, 4xx refused).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.timestamp('at', { useTz: true }).notNullable();
    t.string('actor', 100).notNullable();
    t.specificType('roles', 'text[]').notNullable();
    t.string('action', 200).notNullable();
    t.string('summary', 300).notNullable();
    t.string('target', 300);
    t.jsonb('detail');
    t.smallint('status').notNullable();
    t.string('ip', 64);
    t.string('request_id', 64);
    t.index(['at']);
    t.index(['actor', 'at']);
  });
  await knex.raw(`create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % is not allowed', tg_op;
end $$`);
  await knex.raw(`create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function audit_log_append_only()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists audit_log_append_only on audit_log');
  await knex.schema.dropTable('audit_log');
  await knex.raw('drop function if exists audit_log_append_only()');
}
