import type { Knex } from 'knex';
import { appMigrations } from './migrations';
import { migrateList } from './migrator';

/**
 * Brings the application's tables to the latest schema (the migrations in `db/migrations`, tracked
 * in `knex_migrations`); returns the names applied. The engine's tables are the engine's own
 * (`migrateEngine` of engine/index.ts); platform/migrate-all.ts runs both.
 */
export function migrateApp(db: Knex): Promise<string[]> {
  return migrateList(db, appMigrations, 'knex_migrations');
}
