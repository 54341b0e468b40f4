import type { Knex } from 'knex';
import { listDepartments, type DepartmentRow } from './department-queries';

/** The department list for the API (read-only: codes are fixed by DOMAIN.md and seeded). */
export function listDepartmentsView(db: Knex): Promise<DepartmentRow[]> {
  return listDepartments(db);
}
