/** SQL for the department list (table department, seeded from DOMAIN.md). */
import type { Knex } from 'knex';

export interface DepartmentRow {
  code: string;
  nameZh: string;
  nameEn: string;
  kind: string;
}

export async function listDepartments(db: Knex): Promise<DepartmentRow[]> {
  const rows = await db('department').select('code', 'name_zh', 'name_en', 'kind').orderBy('code');
  return rows.map((r: any) => ({ code: r.code, nameZh: r.name_zh, nameEn: r.name_en, kind: r.kind }));
}

/** Which of `codes` exist. */
export async function existingDepartmentCodes(db: Knex, codes: readonly string[]): Promise<Set<string>> {
  if (!codes.length) return new Set();
  const rows = await db('department')
    .whereIn('code', [...codes])
    .select('code');
  return new Set(rows.map((r: any) => r.code));
}
