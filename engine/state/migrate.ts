import type { Knex } from 'knex';
import { engineMigrations } from './migrations';

/** knex migration source over the engine's own, explicitly listed migrations. */
class EngineMigrationSource implements Knex.MigrationSource<string> {
  async getMigrations() {
    return Object.keys(engineMigrations).sort();
  }
  getMigrationName(name: string) {
    return name;
  }
  async getMigration(name: string) {
    return engineMigrations[name];
  }
}

/** Runs the engine's migrations; bookkeeping lives in `engine_knex_migrations`. */
export async function migrateEngine(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({
    migrationSource: new EngineMigrationSource(),
    tableName: 'engine_knex_migrations',
  })) as [number, string[]];
  return applied;
}
