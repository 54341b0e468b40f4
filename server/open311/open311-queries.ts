/**
 * SQL for the Open311 endpoint: the catalog as services, cases as service requests, the case
 * timeline as notes and updates. Only this module (and the case services) touch these tables for
 * Open311. jsonb columns may come back as text (pg) or parsed (PGlite); `json()` accepts both.
 */
import type { Knex } from 'knex';
import { appendCaseEvent } from '../../domain/cases/timeline';

const json = <T>(v: unknown, fallback: T): T =>
  v === null || v === undefined ? fallback : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T);

/** Case statuses that mean the request is finished for the reporter (Open311 `closed`). */
export const CLOSED_CASE_STATUSES = ['closed', 'cancelled', 'merged'] as const;

/**
 * Which cases Open311 publishes: those filed under a service (a matter), except camera detections
 * (`channel = device`) — they are not citizens' requests, and their texts carry number plates.
 */
function published(q: Knex.QueryBuilder): Knex.QueryBuilder {
  return q.whereNotNull('c.matter_code').whereNot('c.channel', 'device');
}

export interface ServiceRow {
  code: string;
  name: string;
  description: string;
  group: string;
  keywords: string[];
}

/** Matters with at least one active situation (a service needs a value for its required attribute). */
export async function listServiceRows(db: Knex): Promise<ServiceRow[]> {
  const rows = await db('catalog_matter as m')
    .join('catalog_category as g', 'g.code', 'm.category_code')
    .whereExists((q) =>
      q.select(db.raw('1')).from('catalog_situation as s').whereRaw('s.matter_code = m.code').where('s.active', true),
    )
    .orderBy([{ column: 'g.sort' }, { column: 'g.code' }, { column: 'm.sort' }, { column: 'm.code' }])
    .select('m.code', 'm.name_zh as name', 'm.description', 'g.name_zh as group');
  const situations = await db('catalog_situation')
    .where({ active: true })
    .orderBy(['matter_code', 'sort', 'code'])
    .select('matter_code', 'keywords');
  const keywords = new Map<string, Set<string>>();
  for (const s of situations) {
    const set = keywords.get(s.matter_code) ?? new Set<string>();
    for (const k of json<string[]>(s.keywords, [])) set.add(k);
    keywords.set(s.matter_code, set);
  }
  return rows.map((r: any) => ({
    code: r.code,
    name: r.name,
    description: r.description ?? '',
    group: r.group,
    keywords: [...(keywords.get(r.code) ?? [])],
  }));
}

export interface SituationRow {
  code: string;
  name: string;
  matterCode: string;
  categoryCode: string;
  leadDepartment: string;
  slaWorkingHours: number;
  responseHours: number;
}

export interface MatterRow {
  code: string;
  name: string;
  categoryCode: string;
  situations: SituationRow[];
}

/** A matter with its active situations in catalog order, or undefined. */
export async function findMatter(db: Knex, code: string): Promise<MatterRow | undefined> {
  const m = await db('catalog_matter').where({ code }).first('code', 'name_zh', 'category_code');
  if (!m) return undefined;
  const situations = await db('catalog_situation')
    .where({ matter_code: code, active: true })
    .orderBy(['sort', 'code'])
    .select('code', 'name_zh', 'lead_department', 'sla_working_hours', 'response_hours');
  return {
    code: m.code,
    name: m.name_zh,
    categoryCode: m.category_code,
    situations: situations.map((s: any) => ({
      code: s.code,
      name: s.name_zh,
      matterCode: m.code,
      categoryCode: m.category_code,
      leadDepartment: s.lead_department,
      slaWorkingHours: Number(s.sla_working_hours),
      responseHours: Number(s.response_hours),
    })),
  };
}

/** When the catalog (hence the service list) last changed; undefined for an empty catalog. */
export async function catalogChangedAt(db: Knex): Promise<Date | undefined> {
  const r = await db.raw(`select greatest(
      (select max(updated_at) from catalog_category),
      (select max(updated_at) from catalog_matter),
      (select max(updated_at) from catalog_situation)) as at`);
  const at = r.rows[0]?.at;
  return at ? new Date(at) : undefined;
}

/** What the Open311 POST adds to the case `createCase` wrote. */
export async function attachOpen311Details(
  db: Knex,
  caseId: string,
  patch: { situation: SituationRow; attachments: { url: string; source: string }[]; token: string },
): Promise<void> {
  await db('case')
    .where({ id: caseId })
    .update({
      category_code: patch.situation.categoryCode,
      matter_code: patch.situation.matterCode,
      situation_code: patch.situation.code,
      attachments: JSON.stringify(patch.attachments),
      open311_token: patch.token,
    });
}

export async function appendOpen311Event(
  db: Knex,
  caseId: string,
  at: Date,
  actor: string,
  data: Record<string, unknown>,
): Promise<void> {
  await appendCaseEvent(db, caseId, { at, type: 'open311.received', actor, data: data });
}

export interface RequestRow {
  id: string;
  caseNo: string;
  status: string;
  channel: string;
  description: string;
  address: string | null;
  lat: number | null;
  lng: number | null;
  attachments: { url?: string }[];
  matterCode: string;
  serviceName: string | null;
  situationCode: string | null;
  situationName: string | null;
  slaWorkingHours: number | null;
  scenario: string | null;
  leadDepartment: string | null;
  agency: string | null;
  collaborators: string[];
  light: string;
  reply: string | null;
  mergedIntoCaseNo: string | null;
  token: string | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  dueAt: Date | null;
}

export interface RequestFilter {
  caseNos?: string[];
  token?: string;
  serviceCodes?: string[];
  from?: Date;
  to?: Date;
  status?: Array<'open' | 'closed'>;
  limit: number;
  offset: number;
}

/** Published cases, newest request first (id breaks ties so pages never overlap). */
export async function findRequestRows(db: Knex, f: RequestFilter): Promise<RequestRow[]> {
  const q = published(db('case as c'))
    .leftJoin('catalog_matter as m', 'm.code', 'c.matter_code')
    .leftJoin('catalog_situation as s', 's.code', 'c.situation_code')
    .leftJoin('department as d', 'd.code', 'c.lead_department')
    .leftJoin('case as t', 't.id', 'c.merged_into');
  if (f.caseNos) q.whereIn('c.case_no', f.caseNos);
  if (f.token) q.where('c.open311_token', f.token);
  if (f.serviceCodes) q.whereIn('c.matter_code', f.serviceCodes);
  if (f.from) q.where('c.created_at', '>=', f.from);
  if (f.to) q.where('c.created_at', '<=', f.to);
  if (f.status && f.status.length === 1) {
    if (f.status[0] === 'closed') q.whereIn('c.status', CLOSED_CASE_STATUSES);
    else q.whereNotIn('c.status', CLOSED_CASE_STATUSES);
  }
  const rows = await q
    .orderBy([
      { column: 'c.created_at', order: 'desc' },
      { column: 'c.id', order: 'desc' },
    ])
    .limit(f.limit)
    .offset(f.offset)
    .select(
      'c.id',
      'c.case_no',
      'c.status',
      'c.channel',
      'c.description',
      'c.address',
      'c.lat',
      'c.lng',
      'c.attachments',
      'c.matter_code',
      'm.name_zh as service_name',
      'c.situation_code',
      's.name_zh as situation_name',
      's.sla_working_hours',
      'c.scenario',
      'c.lead_department',
      'd.name_zh as agency',
      'c.collaborators',
      'c.light',
      'c.reply',
      't.case_no as merged_into_case_no',
      'c.open311_token',
      'c.created_at',
      'c.updated_at',
      'c.closed_at',
      'c.due_at',
    );
  return rows.map((r: any) => ({
    id: r.id,
    caseNo: r.case_no,
    status: r.status,
    channel: r.channel,
    description: r.description,
    address: r.address,
    lat: r.lat === null ? null : Number(r.lat),
    lng: r.lng === null ? null : Number(r.lng),
    attachments: json(r.attachments, []),
    matterCode: r.matter_code,
    serviceName: r.service_name,
    situationCode: r.situation_code,
    situationName: r.situation_name,
    slaWorkingHours: r.sla_working_hours === null ? null : Number(r.sla_working_hours),
    scenario: r.scenario,
    leadDepartment: r.lead_department,
    agency: r.agency,
    collaborators: json(r.collaborators, []),
    light: r.light,
    reply: r.reply,
    mergedIntoCaseNo: r.merged_into_case_no,
    token: r.open311_token,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    closedAt: r.closed_at ? new Date(r.closed_at) : null,
    dueAt: r.due_at ? new Date(r.due_at) : null,
  }));
}

/** Department code → Chinese name, for collaborators. */
export async function departmentNames(db: Knex, codes: string[]): Promise<Map<string, string>> {
  if (!codes.length) return new Map();
  const rows = await db('department')
    .whereIn('code', [...new Set(codes)])
    .select('code', 'name_zh');
  return new Map(rows.map((r: any) => [r.code, r.name_zh]));
}

export interface TimelineRow {
  id: string;
  caseId: string;
  caseNo: string;
  caseStatus: string;
  type: string;
  at: Date;
  department: string | null;
  data: Record<string, any>;
}

function toTimeline(r: any): TimelineRow {
  return {
    id: String(r.id),
    caseId: r.case_id,
    caseNo: r.case_no,
    caseStatus: r.status,
    type: r.type,
    at: new Date(r.at),
    department: r.department,
    data: json(r.data, {}),
  };
}

/** Timeline events of the given types for some cases, oldest first. */
export async function timelineOf(db: Knex, caseIds: string[], types: readonly string[]): Promise<TimelineRow[]> {
  if (!caseIds.length) return [];
  const rows = await db('case_event as e')
    .join('case as c', 'c.id', 'e.case_id')
    .whereIn('e.case_id', caseIds)
    .whereIn('e.type', types)
    .orderBy(['e.at', 'e.id'])
    .select('e.id', 'e.case_id', 'c.case_no', 'c.status', 'e.type', 'e.at', 'e.department', 'e.data');
  return rows.map(toTimeline);
}

/** Timeline events of the given types of published cases in `[from, to]`, oldest first. */
export async function timelineBetween(
  db: Knex,
  types: readonly string[],
  from: Date,
  to: Date,
  limit: number,
): Promise<TimelineRow[]> {
  const rows = await published(db('case_event as e').join('case as c', 'c.id', 'e.case_id'))
    .whereIn('e.type', types)
    .where('e.at', '>=', from)
    .where('e.at', '<=', to)
    .orderBy(['e.at', 'e.id'])
    .limit(limit)
    .select('e.id', 'e.case_id', 'c.case_no', 'c.status', 'e.type', 'e.at', 'e.department', 'e.data');
  return rows.map(toTimeline);
}
