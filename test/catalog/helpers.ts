import type { Knex } from 'knex';
import { appMigrations } from '../../db/migrations';
import { migrateList } from '../../db/migrator';
import { seedDepartments } from '../../domain/departments/departments';

/** App schema plus departments: what every catalog test starts from. */
export async function migrateAndSeedDepartments(db: Knex): Promise<void> {
  await migrateList(db, appMigrations, 'knex_migrations');
  await seedDepartments(db);
}

export async function countRows(db: Knex, table: string, where: Record<string, unknown> = {}): Promise<number> {
  const [{ n }] = await db(table).where(where).count<{ n: string | number }[]>('* as n');
  return Number(n);
}
