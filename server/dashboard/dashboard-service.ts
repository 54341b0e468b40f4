/**
 * The supervisors' figures (design/DOMAIN.md, practice.md §4.2): SLA overview per department,
 * scenario and stage; yellow/red lists; the three rates (response, resolution, satisfaction);
 * department rankings; per-element heat; time series; reform effect; fire-lane figures. Each figure
 * carries `drillDown`: the `GET /api/cases` query listing the cases behind it.
 */
import type { Knex } from 'knex';
import { computeReformEffect } from '../reform/reform-effect';
import * as q from './dashboard-queries';
import { RollupFolder } from './dashboard-rollup';
import { num, type Interval, type Period, type Scope, type SeriesMetric, type SlaGroup } from './dashboard-queries';

export interface FigureQuery extends Scope {
  from?: Date;
  to?: Date;
}

export interface Rate {
  met: number;
  total: number;
  /** met / total in percent with one decimal; null without cases. */
  rate: number | null;
  drillDown: string;
}

const DAY = 86_400_000;
const pct = (met: number, total: number) => (total > 0 ? Math.round((met / total) * 1000) / 10 : null);
const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());

/** `/api/cases?…` for a figure's cases. */
export function casesLink(params: Record<string, string | boolean | Date | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== '') sp.set(k, v instanceof Date ? v.toISOString() : String(v));
  return `/api/cases?${sp.toString()}`;
}

export class DashboardService {
  private readonly folder: RollupFolder;

  constructor(private readonly deps: { db: Knex; now?: () => Date; foldIntervalMs?: number }) {
    this.folder = new RollupFolder(deps.db, deps.foldIntervalMs);
  }

  /** Folds recent case changes into the daily rollup now and then (answers are exact without it; it keeps them fast). */
  private fold(): Promise<void> {
    return this.folder.maybeFold();
  }

  /** The period asked for, or the last 30 days. */
  period(f: FigureQuery): Period {
    const to = f.to ?? this.deps.now?.() ?? new Date();
    return { from: f.from ?? new Date(to.getTime() - 30 * DAY), to };
  }

  private scope(f: FigureQuery): Scope {
    return { department: f.department, scenario: f.scenario };
  }

  async overview(f: FigureQuery) {
    await this.fold();
    const p = this.period(f);
    const s = this.scope(f);
    const [breakdown, open, rates] = await Promise.all([
      q.createdBreakdown(this.deps.db, p, s),
      q.openCases(this.deps.db, s),
      this.rates(f),
    ]);
    const grand = breakdown.find((r) => num(r.g_channel) === 1 && num(r.g_scenario) === 1 && num(r.g_status) === 1);
    const pick = (flag: 'g_channel' | 'g_scenario' | 'g_status', col: string) =>
      breakdown
        .filter((r) => num(r[flag]) === 0)
        .map((r) => ({ key: String(r[col] ?? ''), cases: num(r.n) }))
        .sort((a, b) => b.cases - a.cases || a.key.localeCompare(b.key));
    const byStatus = pick('g_status', 'status');
    const base = { from: p.from, to: p.to, department: s.department, scenario: s.scenario };
    return {
      period: { from: iso(p.from)!, to: iso(p.to)! },
      created: { cases: num(grand?.n), drillDown: casesLink(base) },
      // every case closed in the period (the resolution rate's own link lists only the late ones)
      closed: {
        cases: rates.resolution.total,
        drillDown: casesLink({ ...base, dateField: 'closed', status: 'closed' }),
      },
      open: {
        cases: num(open.open),
        dueSoon: num(open.due_soon),
        overdue: num(open.overdue),
        escalated: num(open.escalated),
        drillDown: casesLink({ status: q.OPEN_STATUSES.join(','), department: s.department, scenario: s.scenario }),
      },
      byChannel: pick('g_channel', 'channel'),
      byScenario: pick('g_scenario', 'scenario').map((r) => ({ ...r, key: r.key || 'generic' })),
      byStatus,
      rates: { response: rates.response, resolution: rates.resolution, satisfaction: rates.satisfaction },
    };
  }

  async rates(f: FigureQuery) {
    await this.fold();
    const p = this.period(f);
    const s = this.scope(f);
    const [[resp], [resol], [sat]] = await Promise.all([
      q.responseCounts(this.deps.db, p, s),
      q.resolutionCounts(this.deps.db, p, s),
      q.satisfactionCounts(this.deps.db, p, s),
    ]);
    const base = { department: s.department, scenario: s.scenario, from: p.from, to: p.to };
    const rate = (r: Record<string, any> | undefined, link: string): Rate => ({
      met: num(r?.met),
      total: num(r?.total),
      rate: pct(num(r?.met), num(r?.total)),
      drillDown: link,
    });
    return {
      period: { from: iso(p.from)!, to: iso(p.to)! },
      response: rate(resp, casesLink({ ...base, dateField: 'created', responseMet: false })),
      resolution: rate(resol, casesLink({ ...base, dateField: 'closed', status: 'closed', resolvedInSla: false })),
      satisfaction: rate(sat, casesLink({ ...base, dateField: 'rated', satisfied: false })),
    };
  }

  async sla(f: FigureQuery & { groupBy?: SlaGroup }) {
    const p = this.period(f);
    const s = this.scope(f);
    const group = f.groupBy ?? 'department';
    const [open, stopped] = await Promise.all([
      q.openClocks(this.deps.db, group, s),
      q.stoppedClocks(this.deps.db, group, p, s),
    ]);
    const byKey = new Map<
      string,
      { key: string; open: number; dueSoon: number; overdue: number; suspended: number; stopped: number; met: number }
    >();
    const row = (key: string) =>
      byKey.get(key) ??
      byKey.set(key, { key, open: 0, dueSoon: 0, overdue: 0, suspended: 0, stopped: 0, met: 0 }).get(key)!;
    for (const r of open)
      Object.assign(row(String(r.key)), {
        open: num(r.open),
        dueSoon: num(r.due_soon),
        overdue: num(r.overdue),
        suspended: num(r.suspended),
      });
    for (const r of stopped) Object.assign(row(String(r.key)), { stopped: num(r.stopped), met: num(r.met) });
    const rows = [...byKey.values()]
      .map((r) => ({
        ...r,
        compliance: pct(r.met, r.stopped),
        ...(group === 'stage' ? { process: r.key.split(':')[0], step: r.key.split(':').slice(1).join(':') } : {}),
      }))
      .sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.key.localeCompare(b.key));
    return { period: { from: iso(p.from)!, to: iso(p.to)! }, groupBy: group, rows };
  }

  async warnings(f: FigureQuery & { light: 'yellow' | 'red'; limit?: number }) {
    const list = await q.warningTasks(this.deps.db, f.light, this.scope(f), f.limit ?? 200);
    const now = (this.deps.now?.() ?? new Date()).getTime();
    return {
      light: f.light,
      tasks: list.map((t) => ({
        taskId: t.id,
        name: t.name,
        elementId: t.element_id,
        bpmnProcessId: t.bpmn_process_id,
        department: t.department,
        assignee: t.assignee,
        dueAt: iso(t.due_at),
        overdueMinutes:
          t.due_at && new Date(t.due_at).getTime() < now
            ? Math.floor((now - new Date(t.due_at).getTime()) / 60_000)
            : 0,
        caseId: t.case_id,
        caseNo: t.case_no,
        scenario: t.scenario,
        escalationLevel: num(t.escalation_level),
      })),
      drillDown: casesLink({
        light: f.light,
        status: q.OPEN_STATUSES.join(','),
        department: f.department,
        scenario: f.scenario,
      }),
    };
  }

  async rankings(
    f: FigureQuery & { by?: 'resolutionRate' | 'responseRate' | 'satisfactionRate' | 'overdue' | 'cases' },
  ) {
    await this.fold();
    const p = this.period(f);
    const s = this.scope(f);
    const [resp, resol, sat, open, names] = await Promise.all([
      q.responseCounts(this.deps.db, p, s, true),
      q.resolutionCounts(this.deps.db, p, s, true),
      q.satisfactionCounts(this.deps.db, p, s, true),
      q.openByDepartment(this.deps.db, s),
      this.deps.db('department').select('code', 'name_zh', 'name_en'),
    ]);
    const nameOf = new Map(names.map((d: any) => [d.code, d]));
    const deps = new Set(
      [...resp, ...resol, ...sat, ...open].map((r) => String(r.department)).filter((d) => d && d !== 'null'),
    );
    const find = (list: Record<string, any>[], d: string) => list.find((r) => r.department === d);
    const rows = [...deps].map((d) => {
      const r1 = find(resp, d);
      const r2 = find(resol, d);
      const r3 = find(sat, d);
      const o = find(open, d);
      const base = { department: d, from: p.from, to: p.to, scenario: s.scenario };
      return {
        department: d,
        nameZh: nameOf.get(d)?.name_zh ?? d,
        nameEn: nameOf.get(d)?.name_en ?? d,
        cases: num(r1?.total),
        closed: num(r2?.total),
        open: num(o?.open),
        overdue: num(o?.overdue),
        responseRate: pct(num(r1?.met), num(r1?.total)),
        resolutionRate: pct(num(r2?.met), num(r2?.total)),
        satisfactionRate: pct(num(r3?.met), num(r3?.total)),
        drillDown: casesLink(base),
      };
    });
    const by = f.by ?? 'resolutionRate';
    // Higher is better, except overdue; departments without a figure go last, ties by name.
    const value = (r: (typeof rows)[number]) => (by === 'overdue' ? -r.overdue : (r[by] ?? -1));
    rows.sort((a, b) => value(b) - value(a) || a.department.localeCompare(b.department));
    return { period: { from: iso(p.from)!, to: iso(p.to)! }, by, rows: rows.map((r, i) => ({ rank: i + 1, ...r })) };
  }

  async heatmap(f: FigureQuery & { processId: string; version?: number }) {
    const p = this.period(f);
    const [{ tasks, overdue }, names] = await Promise.all([
      q.elementCounts(this.deps.db, f.processId, p),
      q.userTaskNames(this.deps.db, f.processId, f.version),
    ]);
    const known = new Map<string, string>();
    for (const n of names) if (!known.has(n.element_id)) known.set(n.element_id, n.name);
    const byId = new Map<
      string,
      {
        elementId: string;
        name: string | null;
        active: number;
        completed: number;
        cancelled: number;
        overdue: number;
        overdueOpen: number;
      }
    >();
    const el = (id: string) =>
      byId.get(id) ??
      byId
        .set(id, {
          elementId: id,
          name: known.get(id) ?? null,
          active: 0,
          completed: 0,
          cancelled: 0,
          overdue: 0,
          overdueOpen: 0,
        })
        .get(id)!;
    for (const t of tasks) {
      const e = el(String(t.element_id));
      if (t.state === 'created') e.active += num(t.n);
      else if (t.state === 'completed') e.completed += num(t.n);
      else e.cancelled += num(t.n);
    }
    for (const o of overdue) Object.assign(el(String(o.element_id)), { overdue: num(o.n), overdueOpen: num(o.open) });
    // With a version, the diagram of that version is shown: its elements only (counts span versions; a task row does not record its definition version).
    const elements = [...byId.values()]
      .filter((e) => f.version === undefined || known.has(e.elementId))
      .sort((a, b) => a.elementId.localeCompare(b.elementId));
    return {
      period: { from: iso(p.from)!, to: iso(p.to)! },
      processId: f.processId,
      version: f.version ?? null,
      elements,
    };
  }

  async timeseries(f: FigureQuery & { metric: SeriesMetric; interval: Interval }) {
    await this.fold();
    const p = this.period(f);
    const points = await q.series(this.deps.db, f.metric, f.interval, p, this.scope(f));
    return {
      metric: f.metric,
      interval: f.interval,
      timezone: 'Asia/Shanghai',
      points: points.map((r) => ({ bucket: `${r.bucket}+08:00`, value: num(r.n) })),
    };
  }

  async reformEffect(f: FigureQuery) {
    await this.fold();
    const since = f.from;
    const rows = await computeReformEffect(this.deps.db, since ? { since } : {});
    return { since: iso(since), scenarios: f.scenario ? rows.filter((r) => r.scenario === f.scenario) : rows };
  }

  async fireLane(f: FigureQuery) {
    const p = this.period(f);
    const r = await q.fireLaneCounts(this.deps.db, p);
    const msOrNull = (v: unknown) => (v == null ? null : Math.round(Number(v)));
    return {
      period: { from: iso(p.from)!, to: iso(p.to)! },
      detections: num(r.detections),
      cases: num(r.cases),
      smsSent: num(r.sent),
      smsQueued: num(r.queued),
      leftInGrace: num(r.left_in_grace),
      onSite: num(r.on_site),
      detectionToSmsMs: { p50: msOrNull(r.p50_ms), p95: msOrNull(r.p95_ms) },
      detectionToClearedMs: { p50: msOrNull(r.clear_p50_ms) },
      drillDown: casesLink({ scenario: 'fire-lane', from: p.from, to: p.to }),
    };
  }
}
