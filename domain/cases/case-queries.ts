/**
 * Query module for reading cases (the API's case view and list, the dashboard's drill-down): the
 * only place that knows their SQL. Writes stay in case-service.ts and the workers.
 */
import type { Knex } from 'knex';
import { openCase, whereReporterPhone } from '../privacy/personal-data';

export const CASE_STATUSES = [
  'received',
  'dispatching',
  'handling',
  'suspended',
  'replied',
  'closed',
  'cancelled',
  'merged',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
/** A case in one of these is still being worked on (the dashboard's open figures, a camera's open case). */
export const OPEN_CASE_STATUSES: readonly CaseStatus[] = [
  'received',
  'dispatching',
  'handling',
  'suspended',
  'replied',
];
export const LIGHTS = ['green', 'yellow', 'red'] as const;

/** Filters shared by `GET /api/cases` and every dashboard figure (so a figure drills down to its cases). */
export interface CaseFilter {
  status?: string[];
  scenario?: string;
  /** Lead department (or, with `includeCollaborators`, any assigned department). */
  department?: string;
  channel?: string;
  light?: string;
  /** Period on `dateField` (default created): `from` inclusive, `to` exclusive. */
  from?: Date;
  to?: Date;
  dateField?: 'created' | 'closed' | 'rated';
  satisfied?: boolean;
  responseMet?: boolean;
  /** Closed with every step within its SLA (true) or with a breached step (false). */
  resolvedInSla?: boolean;
  /** Some step of the case went red (still open or not). */
  overdue?: boolean;
  /** Case number prefix or words of the description. */
  q?: string;
  reporterPhone?: string;
}

const DATE_COLUMN = { created: 'case.created_at', closed: 'case.closed_at', rated: 'case.rated_at' } as const;

/** A breached step: the red card fired, or the task was completed after its due date. */
export const BREACHED_CLOCK_SQL = 'k.red_at is not null or k.stopped_at > k.due_at';

export function applyCaseFilter(q: Knex.QueryBuilder, f: CaseFilter, db: Knex): Knex.QueryBuilder {
  if (f.status?.length) q.whereIn('case.status', f.status);
  if (f.scenario) q.where('case.scenario', f.scenario);
  if (f.department) q.where('case.lead_department', f.department);
  if (f.channel) q.where('case.channel', f.channel);
  if (f.light) q.where('case.light', f.light);
  const col = DATE_COLUMN[f.dateField ?? 'created'];
  if (f.from) q.where(col, '>=', f.from);
  if (f.to) q.where(col, '<', f.to);
  if (f.dateField && f.dateField !== 'created' && !f.from && !f.to) q.whereNotNull(col);
  if (f.satisfied !== undefined) q.where('case.rating_satisfied', f.satisfied);
  if (f.responseMet !== undefined) {
    // as the response rate counts: dispatched cases, merged duplicates excluded
    q.whereNot('case.status', 'merged');
    if (f.responseMet) q.where('case.response_met', true);
    else
      q.where((w) => w.where('case.response_met', false).orWhereNull('case.response_met')).whereNotNull(
        'case.lead_department',
      );
  }
  const breached = db('sla_clock as k')
    .select(db.raw('1'))
    .whereRaw('k.case_id = "case".id')
    .whereRaw(`(${BREACHED_CLOCK_SQL})`);
  if (f.resolvedInSla !== undefined) {
    q.where('case.status', 'closed');
    if (f.resolvedInSla) q.whereNotExists(breached);
    else q.whereExists(breached);
  }
  if (f.overdue !== undefined) {
    if (f.overdue) q.whereExists(breached);
    else q.whereNotExists(breached);
  }
  if (f.q) {
    const text = f.q.trim();
    q.where((w) =>
      w
        .where('case.case_no', 'like', `${text.replace(/[%_\\]/g, '')}%`)
        .orWhere('case.description', 'like', `%${text.replace(/[%_\\]/g, (c) => `\\${c}`)}%`),
    );
  }
  if (f.reporterPhone) whereReporterPhone(q, f.reporterPhone);
  return q;
}

/** Restricts to cases one of `departments` works on: lead, collaborator, or a task of theirs. */
export function applyDepartmentScope(
  q: Knex.QueryBuilder,
  departments: readonly string[],
  db: Knex,
): Knex.QueryBuilder {
  return q.where((w) => {
    w.whereIn('case.lead_department', departments as string[]);
    for (const d of departments) w.orWhereRaw('"case".collaborators @> ?::jsonb', [JSON.stringify([d])]);
    w.orWhereExists(
      db('task as st')
        .select(db.raw('1'))
        .whereRaw('st.case_id = "case".id')
        .whereIn('st.department', departments as string[]),
    );
  });
}

export interface CaseRowFull {
  id: string;
  case_no: string;
  status: string;
  channel: string;
  description: string;
  reporter_name: string | null;
  reporter_phone: string | null;
  confidential: boolean;
  address: string | null;
  lat: number | null;
  lng: number | null;
  attachments: unknown;
  category_code: string | null;
  matter_code: string | null;
  situation_code: string | null;
  scenario: string | null;
  stage_code: string | null;
  lead_department: string | null;
  collaborators: unknown;
  confidence: number | null;
  process_instance_key: string | null;
  accepted_at: Date | null;
  warn_at: Date | null;
  due_at: Date | null;
  light: string;
  reopen_count: number;
  return_count: number;
  escalation_level: number;
  rating_satisfied: boolean | null;
  rating_comment: string | null;
  rated_at: Date | null;
  reply: string | null;
  replied_at: Date | null;
  merged_into: string | null;
  suspended_at: Date | null;
  responded_at: Date | null;
  response_met: boolean | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A case by id or case number. */
export async function findCaseByIdOrNo(db: Knex, idOrCaseNo: string): Promise<CaseRowFull | undefined> {
  const q = db('case');
  if (UUID.test(idOrCaseNo)) q.where({ id: idOrCaseNo });
  else q.where({ case_no: idOrCaseNo });
  return openCase(await q.first());
}

export async function listCaseEvents(
  db: Knex,
  caseId: string,
): Promise<{ id: string | number; at: Date; type: string; actor: string; department: string | null; data: unknown }[]> {
  return db('case_event')
    .where({ case_id: caseId })
    .orderBy([{ column: 'at' }, { column: 'id' }]);
}

export async function listCaseTasks(db: Knex, caseId: string, openOnly: boolean): Promise<Record<string, any>[]> {
  const q = db('task').where({ case_id: caseId }).orderBy('created_at');
  if (openOnly) q.where({ state: 'created' });
  return q;
}

export async function countAndListCases(
  db: Knex,
  filter: CaseFilter,
  scope: readonly string[] | null,
  page: { limit: number; offset: number; sort: 'created' | 'due' },
): Promise<{ total: number; rows: CaseRowFull[] }> {
  const base = applyCaseFilter(db('case'), filter, db);
  if (scope) applyDepartmentScope(base, scope, db);
  const [{ n }] = await base.clone().count<{ n: string | number }[]>({ n: '*' });
  const rows = base.clone().select('case.*').limit(page.limit).offset(page.offset);
  if (page.sort === 'due') rows.orderByRaw('"case".due_at asc nulls last, "case".created_at desc');
  else
    rows.orderBy([
      { column: 'case.created_at', order: 'desc' },
      { column: 'case.id', order: 'desc' },
    ]);
  return { total: Number(n), rows: (await rows).map((r: CaseRowFull) => openCase(r)) };
}

/** Of `caseIds`, those of confidential reports (举报人保密): their SMS recipients are shown as 保密. */
export async function confidentialCaseIds(db: Knex, caseIds: readonly string[]): Promise<Set<string>> {
  if (!caseIds.length) return new Set();
  const rows = await db('case')
    .whereIn('id', [...new Set(caseIds)])
    .where({ confidential: true })
    .select('id');
  return new Set(rows.map((r: { id: string }) => r.id));
}
