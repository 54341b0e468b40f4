/**
 * Query module for the supervisors' dashboard: one function per figure, plain SQL over the
 * application tables (case, sla_clock, task, case_event, notification, device_event) — never the
 * engine's — so every figure works the same against the embedded engine and a Zeebe cluster.
 * Case counts over a period (created, closed, rated: overview, rates, rankings, time series) read
 * the exact daily rollup through dashboard-rollup.ts; live states (open cases, clocks, tasks) read
 * the tables. Indexes and measured latencies: db/migrations/20261127070000_dashboard_indexes.ts,
 * db/migrations/20261127090000_dashboard_daily.ts, bench/README.md.
 */
import type { Knex } from 'knex';
import { periodFacts, type RollupMetric } from './dashboard-rollup';
import { OPEN_CASE_STATUSES } from '../../domain/cases/case-queries';

export interface Period {
  from: Date;
  to: Date;
}

export interface Scope {
  department?: string;
  scenario?: string;
}

/** Statuses of a case still in the loop. */
export const OPEN_STATUSES = OPEN_CASE_STATUSES;
/** A step that breached its clock: the red card fired, or it finished after its due date. */
const BREACHED = '(k.red_at is not null or k.stopped_at > k.due_at)';

type Row = Record<string, any>;
const rows = async (db: Knex, sql: string, bindings: readonly unknown[]): Promise<Row[]> =>
  (await db.raw(sql, bindings as any[])).rows as Row[];
export const num = (v: unknown) => Number(v ?? 0);

/** `and c.lead_department = ? and c.scenario = ?` for the scope given. */
function caseScope(scope: Scope, alias = 'c'): { sql: string; bindings: unknown[] } {
  const parts: string[] = [];
  const bindings: unknown[] = [];
  if (scope.department) {
    parts.push(`${alias}.lead_department = ?`);
    bindings.push(scope.department);
  }
  if (scope.scenario) {
    parts.push(`${alias}.scenario = ?`);
    bindings.push(scope.scenario);
  }
  return { sql: parts.map((p) => ` and ${p}`).join(''), bindings };
}

/** Cases created in the period by channel, scenario and status (daily rollup + edge days, grouping sets). */
export async function createdBreakdown(db: Knex, p: Period, s: Scope): Promise<Row[]> {
  const f = periodFacts('created', p, s);
  return rows(
    db,
    `select f.channel, f.scenario, f.status, grouping(f.channel) as g_channel, grouping(f.scenario) as g_scenario, grouping(f.status) as g_status, coalesce(sum(f.n), 0) as n
      from (${f.sql}) f
     group by grouping sets ((f.channel), (f.scenario), (f.status), ())
    having sum(f.n) > 0 or grouping(f.channel) + grouping(f.scenario) + grouping(f.status) = 3`,
    f.bindings,
  );
}

/** Open cases now: total, due soon (yellow), overdue (red), escalated (督办/提级). */
export async function openCases(db: Knex, s: Scope): Promise<Row> {
  const sc = caseScope(s);
  const [r] = await rows(
    db,
    `select count(*) as open, count(*) filter (where c.light = 'yellow') as due_soon, count(*) filter (where c.light = 'red') as overdue,
            count(*) filter (where c.escalation_level > 0) as escalated
       from "case" c where c.status in (${OPEN_STATUSES.map(() => '?').join(', ')})${sc.sql}`,
    [...OPEN_STATUSES, ...sc.bindings],
  );
  return r;
}

/** Sums of one rollup metric in the period: total and met, overall or per lead department. */
async function metricCounts(
  db: Knex,
  metric: RollupMetric,
  p: Period,
  s: Scope,
  groupByDepartment: boolean,
  where = 'true',
): Promise<Row[]> {
  const f = periodFacts(metric, p, s);
  return rows(
    db,
    `select ${groupByDepartment ? "nullif(f.department, '') as department," : ''} coalesce(sum(f.n), 0) as total, coalesce(sum(f.met), 0) as met
      from (${f.sql}) f where ${where}
      ${groupByDepartment ? 'group by f.department having sum(f.n) > 0' : ''}`,
    f.bindings,
  );
}

/** Response: cases created in the period and dispatched (lead department known, not merged), and how many the lead signed for in time. */
export function responseCounts(db: Knex, p: Period, s: Scope, groupByDepartment = false): Promise<Row[]> {
  return metricCounts(db, 'created', p, s, groupByDepartment, "f.department <> '' and f.status <> 'merged'");
}

/** Resolution: cases closed in the period (status closed), and how many with every step within its SLA. */
export function resolutionCounts(db: Knex, p: Period, s: Scope, groupByDepartment = false): Promise<Row[]> {
  return metricCounts(db, 'closed', p, s, groupByDepartment);
}

/** Satisfaction: ratings given in the period, and how many satisfied. */
export function satisfactionCounts(db: Knex, p: Period, s: Scope, groupByDepartment = false): Promise<Row[]> {
  return metricCounts(db, 'rated', p, s, groupByDepartment);
}

/** Open cases per lead department: open and overdue (rankings). */
export async function openByDepartment(db: Knex, s: Scope): Promise<Row[]> {
  const sc = caseScope(s);
  return rows(
    db,
    `select c.lead_department as department, count(*) as open, count(*) filter (where c.light = 'red') as overdue
      from "case" c where c.status in (${OPEN_STATUSES.map(() => '?').join(', ')}) and c.lead_department is not null${sc.sql}
      group by c.lead_department`,
    [...OPEN_STATUSES, ...sc.bindings],
  );
}

export type SlaGroup = 'department' | 'scenario' | 'stage';
const SLA_KEY: Record<SlaGroup, string> = {
  department: "coalesce(k.department, '')",
  scenario: 'k.bpmn_process_id',
  stage: "k.bpmn_process_id || ':' || k.step",
};

function clockScope(s: Scope): { sql: string; bindings: unknown[] } {
  const parts: string[] = [];
  const bindings: unknown[] = [];
  if (s.department) {
    parts.push('k.department = ?');
    bindings.push(s.department);
  }
  if (s.scenario) {
    parts.push('k.bpmn_process_id = ?');
    bindings.push(s.scenario);
  }
  return { sql: parts.map((x) => ` and ${x}`).join(''), bindings };
}

/** SLA clocks running now per group: open, due soon (yellow), overdue (red), suspended. */
export async function openClocks(db: Knex, group: SlaGroup, s: Scope): Promise<Row[]> {
  const sc = clockScope(s);
  return rows(
    db,
    `select ${SLA_KEY[group]} as key, count(*) as open, count(*) filter (where k.light = 'yellow') as due_soon,
            count(*) filter (where k.light = 'red') as overdue, count(*) filter (where k.state = 'suspended') as suspended
       from sla_clock k where k.state in ('running', 'suspended')${sc.sql} group by 1`,
    sc.bindings,
  );
}

/** SLA clocks stopped in the period per group, and how many within their due date. */
export async function stoppedClocks(db: Knex, group: SlaGroup, p: Period, s: Scope): Promise<Row[]> {
  const sc = clockScope(s);
  return rows(
    db,
    `select ${SLA_KEY[group]} as key, count(*) as stopped, count(*) filter (where not ${BREACHED}) as met
       from sla_clock k where k.state = 'stopped' and k.stopped_at >= ? and k.stopped_at < ?${sc.sql} group by 1`,
    [p.from, p.to, ...sc.bindings],
  );
}

/** Open tasks with a yellow or red light (the warning lists), most urgent first. */
export async function warningTasks(db: Knex, light: 'yellow' | 'red', s: Scope, limit: number): Promise<Row[]> {
  const parts: string[] = [];
  const bindings: unknown[] = [light];
  if (s.department) {
    parts.push('t.department = ?');
    bindings.push(s.department);
  }
  if (s.scenario) {
    parts.push('(t.bpmn_process_id = ? or c.scenario = ?)');
    bindings.push(s.scenario, s.scenario);
  }
  bindings.push(limit);
  return rows(
    db,
    `select t.id, t.name, t.element_id, t.bpmn_process_id, t.department, t.assignee, t.due_at, t.light, t.created_at,
            c.id as case_id, c.case_no, c.scenario, c.escalation_level
       from task t left join "case" c on c.id = t.case_id
      where t.state = 'created' and t.light = ?${parts.map((x) => ` and ${x}`).join('')}
      order by t.due_at asc nulls last limit ?`,
    bindings,
  );
}

/** Tasks per element of one process (period on task creation) and breached clocks per step. */
export async function elementCounts(db: Knex, processId: string, p: Period): Promise<{ tasks: Row[]; overdue: Row[] }> {
  const tasks = await rows(
    db,
    `select t.element_id, t.state, count(*) as n from task t
      where t.bpmn_process_id = ? and t.created_at >= ? and t.created_at < ? group by t.element_id, t.state`,
    [processId, p.from, p.to],
  );
  const overdue = await rows(
    db,
    `select k.step as element_id, count(*) as n, count(*) filter (where k.state <> 'stopped') as open
       from sla_clock k where k.bpmn_process_id = ? and k.started_at >= ? and k.started_at < ? and ${BREACHED} group by k.step`,
    [processId, p.from, p.to],
  );
  return { tasks, overdue };
}

export async function userTaskNames(db: Knex, processId: string, version?: number): Promise<Row[]> {
  const q = db('deployed_user_task')
    .where({ bpmn_process_id: processId })
    .select('element_id', 'name', 'version')
    .orderBy('version', 'desc');
  if (version !== undefined) q.where({ version });
  return q;
}

export type SeriesMetric = 'created' | 'closed' | 'overdue' | 'rated' | 'satisfied' | 'sms';
export type Interval = 'day' | 'week' | 'month';

/** A count per Shanghai calendar bucket (UTC+8 all year: China has no daylight saving). */
export async function series(db: Knex, metric: SeriesMetric, interval: Interval, p: Period, s: Scope): Promise<Row[]> {
  // Grouped on the truncated Shanghai wall-clock time, formatted as text once per bucket (not per
  // row), so no driver re-interprets it in its own time zone.
  const bucket = (col: string) => `date_trunc('${interval}', (${col} at time zone 'UTC') + interval '8 hours')`;
  const text = (sql: string) =>
    `select to_char(s.bucket, 'YYYY-MM-DD"T"HH24:MI:SS') as bucket, s.n from (${sql}) s order by s.bucket`;
  if (metric === 'overdue') {
    const sc = clockScope(s);
    return rows(
      db,
      text(
        `select ${bucket('k.red_at')} as bucket, count(*) as n from sla_clock k where k.red_at >= ? and k.red_at < ?${sc.sql} group by 1`,
      ),
      [p.from, p.to, ...sc.bindings],
    );
  }
  if (metric === 'sms') {
    return rows(
      db,
      text(
        `select ${bucket('n.sent_at')} as bucket, count(*) as n from notification n where n.status = 'sent' and n.sent_at >= ? and n.sent_at < ? group by 1`,
      ),
      [p.from, p.to],
    );
  }
  // Whole days from the rollup, bucketed by their Shanghai date (weeks start on Monday).
  const f = periodFacts(metric === 'satisfied' ? 'rated' : metric, p, s);
  const value = metric === 'satisfied' ? 'f.met' : 'f.n';
  return rows(
    db,
    text(
      `select date_trunc('${interval}', f.day::timestamp) as bucket, sum(${value}) as n from (${f.sql}) f group by 1 having sum(${value}) > 0`,
    ),
    f.bindings,
  );
}

/** Fire-lane figures from the tables the fire-lane flow writes; zeros when they are absent. */
export async function fireLaneCounts(db: Knex, p: Period): Promise<Row> {
  const hasDevices = await db.schema.hasTable('device_event');
  const [cases] = await rows(
    db,
    `select count(*) as cases,
        count(*) filter (where exists (select 1 from case_event e where e.case_id = c.id and e.type = 'fire-lane.cleared')) as left_in_grace,
        count(*) filter (where exists (select 1 from case_event e where e.case_id = c.id and e.type = 'fire-lane.handled')) as on_site
      from "case" c where c.scenario = 'fire-lane' and c.created_at >= ? and c.created_at < ?`,
    [p.from, p.to],
  );
  const [sms] = await rows(
    db,
    `select count(*) filter (where n.status = 'sent') as sent, count(*) as queued
      from notification n join "case" c on c.id = n.case_id where c.scenario = 'fire-lane' and n.queued_at >= ? and n.queued_at < ?`,
    [p.from, p.to],
  );
  if (!hasDevices) return { ...cases, ...sms, detections: 0, p50_ms: null, p95_ms: null, clear_p50_ms: null };
  const [det] = await rows(
    db,
    `select count(*) filter (where d.type = 'fire-lane.occupied') as detections from device_event d where d.detected_at >= ? and d.detected_at < ?`,
    [p.from, p.to],
  );
  // Per case: first detection → first SMS handed to the provider, and → the lane-cleared event.
  const [lat] = await rows(
    db,
    `with first as (
        select d.case_id, min(d.detected_at) as detected_at from device_event d
         where d.case_id is not null and d.type = 'fire-lane.occupied' and d.detected_at >= ? and d.detected_at < ? group by d.case_id)
      select percentile_cont(0.5) within group (order by extract(epoch from s.sent_at - f.detected_at) * 1000) as p50_ms,
             percentile_cont(0.95) within group (order by extract(epoch from s.sent_at - f.detected_at) * 1000) as p95_ms,
             percentile_cont(0.5) within group (order by extract(epoch from cl.at - f.detected_at) * 1000) as clear_p50_ms
        from first f
        left join lateral (select min(n.sent_at) as sent_at from notification n where n.case_id = f.case_id and n.sent_at is not null) s on true
        left join lateral (select min(e.at) as at from case_event e where e.case_id = f.case_id and e.type in ('lane-cleared', 'fire-lane.cleared')) cl on true`,
    [p.from, p.to],
  );
  return { ...cases, ...sms, ...det, ...lat };
}
