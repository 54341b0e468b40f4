import type { Knex } from 'knex';
import { migrateApp } from '../db/migrate-app';
import { migrateEngine } from '../engine';

/**
 * Brings the database to the latest schema: the engine's tables first (it is a library with its
 * own migration list and bookkeeping table), then the application's.
 */
export async function migrateAll(
  db: Knex,
  opts: { engine?: boolean } = {},
): Promise<{ engine: string[]; app: string[] }> {
  let engine: string[] = [];
  if (opts.engine !== false) {
    engine = await migrateEngine(db);
  }
  const app = await migrateApp(db);
  return { engine, app };
}
