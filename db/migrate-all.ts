import type { Knex } from 'knex';
import { appMigrations } from './migrations';
import { migrateList } from './migrator';

/**
 * Brings the database to the latest schema: the engine's tables first (it is a library with its
 * own migration list and bookkeeping table), then the application's.
 */
export async function migrateAll(db: Knex, opts: { engine?: boolean } = {}): Promise<{ engine: string[]; app: string[] }> {
  let engine: string[] = [];
  if (opts.engine !== false) {
    const { migrateEngine } = await import('../engine');
    engine = await migrateEngine(db);
  }
  const app = await migrateList(db, appMigrations, 'knex_migrations');
  return { engine, app };
}
