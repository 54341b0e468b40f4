/** The supervisors' dashboard (design/API.md `GET /api/dashboard/...`): JSON, or CSV with `?format=csv`. */
import { z } from 'zod';
import type { RouteContext } from '../app';
import { figureRows, toCsv } from '../dashboard/dashboard-csv';
import { DashboardService, type FigureQuery } from '../dashboard/dashboard-service';
import { defineRoute, type AnyRoute, type RouteInput } from '../http/define-route';
import { query } from '../http/validate';

const iso = z.iso.datetime({ offset: true });
const common = {
  from: iso.optional().describe('period start (default 30 days before `to`)'),
  to: iso.optional().describe('period end, exclusive (default now)'),
  department: z.string().max(64).optional(),
  scenario: z.string().max(64).optional(),
  format: z.enum(['json', 'csv']).optional().describe('csv: the figure’s rows as a UTF-8 CSV file'),
};
const Period = z.object({ from: z.string(), to: z.string() });
const RateSchema = z.object({ met: z.number(), total: z.number(), rate: z.number().nullable(), drillDown: z.string() });
const Count = z.object({ key: z.string(), cases: z.number() });
const pctNullable = z.number().nullable();

const figures = {
  overview: {
    summary:
      'Overview: cases created/closed in the period, open now (due soon, overdue, escalated), by channel/scenario/status, the three rates',
    query: {},
    schema: z.object({
      period: Period,
      created: z.object({ cases: z.number(), drillDown: z.string() }),
      closed: z.object({ cases: z.number(), drillDown: z.string() }),
      open: z.object({
        cases: z.number(),
        dueSoon: z.number(),
        overdue: z.number(),
        escalated: z.number(),
        drillDown: z.string(),
      }),
      byChannel: z.array(Count),
      byScenario: z.array(Count),
      byStatus: z.array(Count),
      rates: z.object({ response: RateSchema, resolution: RateSchema, satisfaction: RateSchema }),
    }),
  },
  sla: {
    summary:
      'SLA overview per department, scenario (process) or stage (step): open, due soon, overdue, suspended, compliance % of the steps finished in the period',
    query: { groupBy: z.enum(['department', 'scenario', 'stage']).optional() },
    schema: z.object({
      period: Period,
      groupBy: z.string(),
      rows: z.array(
        z.object({
          key: z.string(),
          open: z.number(),
          dueSoon: z.number(),
          overdue: z.number(),
          suspended: z.number(),
          stopped: z.number(),
          met: z.number(),
          compliance: pctNullable,
          process: z.string().optional(),
          step: z.string().optional(),
        }),
      ),
    }),
  },
  warnings: {
    summary: 'Yellow-card (due soon) or red-card (overdue) lists of open tasks, most urgent first',
    query: { light: z.enum(['yellow', 'red']), limit: query.int({ min: 1, max: 1000 }).optional() },
    schema: z.object({
      light: z.string(),
      drillDown: z.string(),
      tasks: z.array(
        z.object({
          taskId: z.string(),
          name: z.string(),
          elementId: z.string(),
          bpmnProcessId: z.string(),
          department: z.string().nullable(),
          assignee: z.string().nullable(),
          dueAt: z.string().nullable(),
          overdueMinutes: z.number(),
          caseId: z.string().nullable(),
          caseNo: z.string().nullable(),
          scenario: z.string().nullable(),
          escalationLevel: z.number(),
        }),
      ),
    }),
  },
  rates: {
    summary:
      'The three rates: response (lead department signed for the work order within its response hours), resolution (closed with every step within SLA), satisfaction (satisfied / rated)',
    query: {},
    schema: z.object({ period: Period, response: RateSchema, resolution: RateSchema, satisfaction: RateSchema }),
  },
  rankings: {
    summary: 'Departments ranked by a rate (or by fewest overdue)',
    query: { by: z.enum(['resolutionRate', 'responseRate', 'satisfactionRate', 'overdue', 'cases']).optional() },
    schema: z.object({
      period: Period,
      by: z.string(),
      rows: z.array(
        z.object({
          rank: z.number(),
          department: z.string(),
          nameZh: z.string(),
          nameEn: z.string(),
          cases: z.number(),
          closed: z.number(),
          open: z.number(),
          overdue: z.number(),
          responseRate: pctNullable,
          resolutionRate: pctNullable,
          satisfactionRate: pctNullable,
          drillDown: z.string(),
        }),
      ),
    }),
  },
  heatmap: {
    summary:
      'Per-element counts of one process for the BPMN heatmap: active, completed, cancelled tasks and overdue steps (from the task and SLA tables)',
    query: { processId: z.string().min(1).max(255), version: query.int({ min: 1, max: 1_000_000 }).optional() },
    schema: z.object({
      period: Period,
      processId: z.string(),
      version: z.number().nullable(),
      elements: z.array(
        z.object({
          elementId: z.string(),
          name: z.string().nullable(),
          active: z.number(),
          completed: z.number(),
          cancelled: z.number(),
          overdue: z.number(),
          overdueOpen: z.number(),
        }),
      ),
    }),
  },
  timeseries: {
    summary: 'A count per day/week/month (Asia/Shanghai): cases created, closed, rated, satisfied, red cards, SMS sent',
    query: {
      metric: z.enum(['created', 'closed', 'overdue', 'rated', 'satisfied', 'sms']).optional(),
      interval: z.enum(['day', 'week', 'month']).optional(),
    },
    schema: z.object({
      metric: z.string(),
      interval: z.string(),
      timezone: z.string(),
      points: z.array(z.object({ bucket: z.string(), value: z.number() })),
    }),
  },
  'reform-effect': {
    summary:
      'Reform effect per scenario: measured steps, hand-offs, visits and working days against the pre-reform baseline',
    query: {},
    schema: z.object({
      since: z.string().nullable(),
      scenarios: z.array(
        z.object({
          scenario: z.string(),
          label: z.string(),
          cases: z.number(),
          baseline: z.record(z.string(), z.number()),
          measured: z.record(z.string(), z.number()).nullable(),
          reduction: z.record(z.string(), z.number()).nullable(),
        }),
      ),
    }),
  },
  'fire-lane': {
    summary:
      'Fire-lane figures: detections, cases, SMS, cars gone within the grace period, on-site cases, p50/p95 detection → SMS',
    query: {},
    schema: z.object({
      period: Period,
      detections: z.number(),
      cases: z.number(),
      smsSent: z.number(),
      smsQueued: z.number(),
      leftInGrace: z.number(),
      onSite: z.number(),
      detectionToSmsMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }),
      detectionToClearedMs: z.object({ p50: z.number().nullable() }),
      drillDown: z.string(),
    }),
  },
} as const;

type Figure = keyof typeof figures;

export function dashboardRoutes(ctx: RouteContext): AnyRoute[] {
  const dashboard = new DashboardService({ db: ctx.db });
  const compute = (figure: Figure, f: FigureQuery & Record<string, any>): Promise<unknown> => {
    switch (figure) {
      case 'overview':
        return dashboard.overview(f);
      case 'sla':
        return dashboard.sla(f);
      case 'warnings':
        return dashboard.warnings(f as FigureQuery & { light: 'yellow' | 'red' });
      case 'rates':
        return dashboard.rates(f);
      case 'rankings':
        return dashboard.rankings(f);
      case 'heatmap':
        return dashboard.heatmap(f as FigureQuery & { processId: string });
      case 'timeseries':
        return dashboard.timeseries({ ...f, metric: f.metric ?? 'created', interval: f.interval ?? 'day' });
      case 'reform-effect':
        return dashboard.reformEffect(f);
      case 'fire-lane':
        return dashboard.fireLane(f);
    }
  };
  return (Object.keys(figures) as Figure[]).map((figure) => {
    const spec = figures[figure];
    return defineRoute({
      method: 'get',
      path: `/api/dashboard/${figure}`,
      summary: spec.summary,
      tags: ['dashboard'],
      access: ['supervisor', 'admin'],
      request: { query: z.strictObject({ ...common, ...spec.query }) },
      responses: { 200: { description: 'the figure (JSON), or its rows as CSV with format=csv', schema: spec.schema } },
      async handler({ query: q, res }: RouteInput<unknown, Record<string, any>, unknown>) {
        const body = await compute(figure, {
          ...q,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
        });
        if (q.format !== 'csv') return body;
        res
          .set('Content-Disposition', `attachment; filename="dashboard-${figure}.csv"`)
          .type('text/csv; charset=utf-8')
          .send(toCsv(figureRows(figure, body)));
      },
    });
  });
}
