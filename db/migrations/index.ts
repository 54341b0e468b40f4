import type { Knex } from 'knex';
import * as m20261127000000 from './20261127000000_app_base';
import * as m20261127010000 from './20261127010000_catalog';
import * as m20261127020000 from './20261127020000_notifications';
import * as m20261127030000 from './20261127030000_cases_tasks';
import * as m20261127040000 from './20261127040000_sla_scenarios';
import * as m20261127050000 from './20261127050000_auth';
import * as m20261127060000 from './20261127060000_device_events';
import * as m20261127070000 from './20261127070000_dashboard_indexes';
import * as m20261127080000 from './20261127080000_fire_lane';
import * as m20261127090000 from './20261127090000_dashboard_daily';
import * as m20261203090000 from './20261203090000_calendar_year';
import * as m20261203120000 from './20261203120000_audit_log';
import * as m20261203170000 from './20261203170000_intake_pending_start';
import * as m20261203210000 from './20261203210000_personal_data';
import * as m20261203210100 from './20261203210100_sms_phone_sealed';
import * as m20261203220000 from './20261203220000_case_process_instance';

/**
 * The application's migrations in order. Listed explicitly (not discovered on disk) so they run the
 * same under tsx, jest and a bundled build. Add new files here.
 */
export const appMigrations: Record<string, Knex.Migration> = {
  '20261127000000_app_base': m20261127000000,
  '20261127010000_catalog': m20261127010000,
  '20261127020000_notifications': m20261127020000,
  '20261127030000_cases_tasks': m20261127030000,
  '20261127040000_sla_scenarios': m20261127040000,
  '20261127050000_auth': m20261127050000,
  '20261127060000_device_events': m20261127060000,
  '20261127070000_dashboard_indexes': m20261127070000,
  '20261127080000_fire_lane': m20261127080000,
  '20261127090000_dashboard_daily': m20261127090000,
  '20261203090000_calendar_year': m20261203090000,
  '20261203120000_audit_log': m20261203120000,
  '20261203170000_intake_pending_start': m20261203170000,
  '20261203210000_personal_data': m20261203210000,
  '20261203210100_sms_phone_sealed': m20261203210100,
  '20261203220000_case_process_instance': m20261203220000,
};
