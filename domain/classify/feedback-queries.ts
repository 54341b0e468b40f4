import type { Knex } from 'knex';

/** A clerk's confirmed (or corrected) classification, as stored. */
export interface FeedbackRow {
  id: string;
  text: string;
  chosenSituation: string;
  originalTopSituation: string | null;
  originalConfidence: number | null;
  caseId: string | null;
  createdBy: string;
  createdAt: Date;
}

export interface NewFeedback {
  text: string;
  chosenSituation: string;
  originalTopSituation?: string | null;
  originalConfidence?: number | null;
  caseId?: string | null;
  createdBy: string;
}

function toRow(r: Record<string, unknown>): FeedbackRow {
  return {
    id: String(r.id),
    text: String(r.text),
    chosenSituation: String(r.chosen_situation),
    originalTopSituation: (r.original_top_situation ?? null) as string | null,
    originalConfidence:
      r.original_confidence === null || r.original_confidence === undefined ? null : Number(r.original_confidence),
    caseId: (r.case_id ?? null) as string | null,
    createdBy: String(r.created_by),
    createdAt: new Date(r.created_at as string),
  };
}

export async function insertFeedback(db: Knex, f: NewFeedback): Promise<FeedbackRow> {
  const [row] = await db('classification_feedback')
    .insert({
      text: f.text,
      chosen_situation: f.chosenSituation,
      original_top_situation: f.originalTopSituation ?? null,
      original_confidence: f.originalConfidence ?? null,
      case_id: f.caseId ?? null,
      created_by: f.createdBy,
    })
    .returning('*');
  return toRow(row);
}

/** Feedback rows with an id above `afterId` (ids are bigint, compared numerically), oldest first. */
export async function listFeedbackSince(db: Knex, afterId = '0'): Promise<FeedbackRow[]> {
  const rows = await db('classification_feedback').where('id', '>', afterId).orderBy('id');
  return rows.map(toRow);
}

/** A case's confirmed classification, if a clerk already confirmed it (for idempotent retries). */
export async function findFeedbackForCase(db: Knex, caseId: string): Promise<FeedbackRow | undefined> {
  const row = await db('classification_feedback').where('case_id', caseId).orderBy('id', 'desc').first();
  return row ? toRow(row) : undefined;
}
