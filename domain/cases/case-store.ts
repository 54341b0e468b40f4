/**
 * The case row as the scenario workers change them. Every state change also appends a timeline
 * event (./timeline.ts) in the same transaction as the row update, so the timeline never disagrees
 * with the case.
 */
import type { Knex } from 'knex';
import { openCase } from '../privacy/personal-data';

export interface CaseRow {
  id: string;
  case_no: string;
  status: string;
  description: string;
  reporter_name: string | null;
  reporter_phone: string | null;
  confidential: boolean;
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
  return openCase(await db('case').where({ id: caseId }).first());
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
