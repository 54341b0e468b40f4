/**
 * The case timeline (`case_event`): the one module that writes it. Every state change of a case —
 * by a worker, a clerk, the reporter, a device, Open311 — appends one event (type, actor,
 * department, data) here, in the same transaction as the change itself.
 */
import type { Knex } from 'knex';

export interface CaseEventInput {
  type: string;
  actor?: string;
  department?: string | null;
  data?: Record<string, unknown>;
  at: Date;
}

/** Appends one event to a case's timeline. */
export async function appendCaseEvent(db: Knex, caseId: string, e: CaseEventInput): Promise<void> {
  await db('case_event').insert(eventRow(caseId, e));
}

/** Appends many events at once (a bulk load: the demo's history), 200 rows a statement. */
export async function appendCaseEvents(
  db: Knex,
  events: ReadonlyArray<CaseEventInput & { caseId: string }>,
): Promise<void> {
  for (let i = 0; i < events.length; i += 200)
    await db('case_event').insert(events.slice(i, i + 200).map((e) => eventRow(e.caseId, e)));
}

function eventRow(caseId: string, e: CaseEventInput) {
  return {
    case_id: caseId,
    at: e.at,
    type: e.type,
    actor: e.actor ?? 'system',
    department: e.department ?? null,
    data: JSON.stringify(e.data ?? {}),
  };
}

/**
 * The same append as an `insert` statement with its bindings, for a caller that writes the event
 * inside one larger SQL statement (a data-modifying CTE: the fire-lane path writes a new case in
 * one round trip).
 */
export function caseEventInsertSql(caseId: string, e: CaseEventInput): { sql: string; bindings: Knex.RawBinding[] } {
  const r = eventRow(caseId, e);
  return {
    sql: 'insert into case_event (case_id, at, type, actor, department, data) values (?, ?, ?, ?, ?, ?::jsonb)',
    bindings: [r.case_id, r.at, r.type, r.actor, r.department, r.data],
  };
}

/**
 * Appends an event only once per `(case, type, data.key)`: workers pass the job key (or another
 * business key) as `data.key`, so a re-delivered job does not write the same event twice.
 */
export async function appendCaseEventOnce(db: Knex, caseId: string, key: string, e: CaseEventInput): Promise<boolean> {
  const existing = await db('case_event')
    .where({ case_id: caseId, type: e.type })
    .whereRaw(`data->>'key' = ?`, [key])
    .first('id');
  if (existing) return false;
  await appendCaseEvent(db, caseId, { ...e, data: { ...e.data, key } });
  return true;
}
