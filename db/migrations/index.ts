import type { Knex } from 'knex';
import * as m20261127000000 from './20261127000000_app_base';

/**
 * The application's migrations in order. Listed explicitly (not discovered on disk) so they run the
 * same under tsx, jest and a bundled build. Add new files here.
 */
export const appMigrations: Record<string, Knex.Migration> = {
  '20261127000000_app_base': m20261127000000,
};
