/**
 * The case row and its timeline as the scenario workers change them. Every state change appends a
 * `case_event` (type, actor, department, data) in the same transaction as the row update, so the
 * timeline never disagrees with the case.
 */
import type { Knex } from 'knex';

export interface CaseEventInput {
  type: string;
  actor?: string;
  department?: string | null;
  data?: Record<string, unknown>;
  at: Date;
}

export async function appendCaseEvent(db: Knex, caseId: string, e: CaseEventInput): Promise<void> {
  await db('case_event').insert({
    case_id: caseId,
    at: e.at,
    type: e.type,
    actor: e.actor ?? 'system',
    department: e.department ?? null,
    data: JSON.stringify(e.data ?? {}),
  });
}

/**
 * Appends an event only once per `(case, type, data.key)`: workers pass the job key (or another
 * business key) as `data.key`, so a re-delivered job does not write the same event twice.
 */
export async function appendCaseEventOnce(db: Knex, caseId: string, key: string, e: CaseEventInput): Promise<boolean> {
  const existing = await db('case_event').where({ case_id: caseId, type: e.type }).whereRaw(`data->>'key' = ?`, [key]).first('id');
  if (existing) return false;
  await appendCaseEvent(db, caseId, { ...e, data: { ...e.data, key } });
  return true;
}

export interface CaseRow {
  id: string;
  case_no: string;
  status: string;
  description: string;
  reporter_name: string | null;
  reporter_phone: string | null;
  situation_code: string | null;
  scenario: string | null;
  lead_department: string | null;
  collaborators: string[];
  reopen_count: number;
  return_count: number;
  escalation_level: number;
  due_at: Date | null;
  light: string;
  merged_into: string | null;
  process_instance_key: string | null;
  created_at: Date;
  closed_at: Date | null;
}

export async function findCase(db: Knex, caseId: string): Promise<CaseRow | undefined> {
  return db('case').where({ id: caseId }).first();
}

export async function requireCase(db: Knex, caseId: string): Promise<CaseRow> {
  const row = await findCase(db, caseId);
  if (!row) throw new Error(`Expected case ${caseId} to exist, but it does not`);
  return row;
}

export async function updateCase(db: Knex, caseId: string, patch: Record<string, unknown>, at: Date): Promise<void> {
  const row: Record<string, unknown> = { ...patch, updated_at: at };
  if (Array.isArray(row.collaborators)) row.collaborators = JSON.stringify(row.collaborators);
  await db('case').where({ id: caseId }).update(row);
}
