import type { Knex } from 'knex';

/** A knex migration source over an explicit, ordered map of migrations. */
export class ListMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly migrations: Record<string, Knex.Migration>) {}
  async getMigrations(): Promise<string[]> {
    return Object.keys(this.migrations).sort();
  }
  getMigrationName(name: string): string {
    return name;
  }
  async getMigration(name: string): Promise<Knex.Migration> {
    return this.migrations[name];
  }
}

/** Runs one migration set to the latest version; returns the names it applied. */
export async function migrateList(
  db: Knex,
  migrations: Record<string, Knex.Migration>,
  tableName: string,
): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({
    migrationSource: new ListMigrationSource(migrations),
    tableName,
  })) as [number, string[]];
  return applied;
}
