/**
 * Reform effect (改革成效): per scenario, the configured pre-reform baseline
 * (processes/reform-baselines.json, sample data) against figures measured from the case timeline:
 *
 * - steps: distinct handling steps of a case — user tasks completed (`task.completed`, by element);
 * - hand-offs: changes of the department handling the case along its timeline (dispatch, returns,
 *   collaborators, escalation);
 * - visits: the reporter's own interactions (events with actor `reporter`: reporting, rating);
 * - days: intake (`reported`) → close (`closed`/`merged`/…) in working days on the Chinese calendar.
 *
 * Measured figures are averages over the closed cases of a scenario; reductions are
 * `(baseline − measured) / baseline`, computed here and never stored.
 */
import type { Knex } from 'knex';
import { liveFactsSql, REFORM_CLOSING_TYPES, REFORM_HANDOFF_TYPES } from '../dashboard/daily-facts';
import baselines from '../../processes/reform-baselines.json';
import { defaultCalendar, type WorkingCalendar } from '../../domain/sla/working-time';

export interface Figures {
  steps: number;
  handoffs: number;
  visits: number;
  days: number;
}

export interface ReformEffect {
  scenario: string;
  label: string;
  cases: number;
  baseline: Figures;
  measured: Figures | null;
  /** Percentage reductions (positive = fewer/faster than before), one decimal. */
  reduction: Figures | null;
}

const CLOSING = new Set(REFORM_CLOSING_TYPES);
/** Working hours per working day on the default office hours (7.5). */
const HOURS_PER_DAY = 7.5;

interface EventRow {
  case_id: string;
  type: string;
  actor: string;
  department: string | null;
  data: unknown;
  at: Date;
}

/** The figures of one case from its timeline (events in order): the definition the SQL aggregation of computeReformEffect implements (tests compare the two). */
export function measureCase(events: EventRow[]): Figures | null {
  const reported = events.find((e) => e.type === 'reported');
  const closed = [...events].reverse().find((e) => CLOSING.has(e.type));
  if (!reported || !closed) return null;
  const steps = new Set(
    events
      .filter((e) => e.type === 'task.completed')
      .map((e) => (typeof e.data === 'string' ? JSON.parse(e.data) : (e.data as Record<string, unknown>)).elementId),
  ).size;
  let handoffs = 0;
  let current: string | null = null;
  for (const e of events) {
    if (!REFORM_HANDOFF_TYPES.includes(e.type) || !e.department) continue;
    if (current !== null && e.department !== current) handoffs += 1;
    current = e.department;
  }
  const visits = events.filter((e) => e.actor === 'reporter').length;
  const days = defaultCalendar().workingHoursBetween(new Date(reported.at), new Date(closed.at)) / HOURS_PER_DAY;
  return { steps, handoffs, visits, days };
}

const pct = (base: number, measured: number) => (base > 0 ? Math.round(((base - measured) / base) * 1000) / 10 : 0);
const avg = (sum: number, n: number) => Math.round((sum / n) * 100) / 100;

const DAY_MS = 86_400_000;
const OFFSET_MS = 8 * 3_600_000;
const list = (xs: readonly string[]) => xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ');

/**
 * The calendar as arrays over local day numbers firstDay…lastDay (the calendar's coverage, widened
 * to the timelines' days when they reach beyond it — plain weekdays there): whether a day is a
 * working day, and the working milliseconds from firstDay to that day's midnight — so the working
 * time in [a, b) is W(b) − W(a) with W(t) = cum(day(t)) + office time of day(t) before t, exactly
 * what WorkingCalendar.workingHoursBetween sums day by day.
 */
function calendarArrays(
  calendar: WorkingCalendar,
  range?: { minDay: number; maxDay: number },
): { firstDay: number; lastDay: number; work: string; cum: string } {
  const { from, to } = calendar.coverage;
  const firstDay = Math.min(Date.parse(`${from}T00:00:00Z`) / DAY_MS, range?.minDay ?? Infinity);
  const lastDay = Math.max(Date.parse(`${to}T00:00:00Z`) / DAY_MS, range?.maxDay ?? -Infinity);
  const dayMs = calendar.officeHours.periods.reduce((a, p) => a + (p.end - p.start) * 60_000, 0);
  const work: boolean[] = [];
  const cum: number[] = [];
  let total = 0;
  for (let d = firstDay; d <= lastDay; d++) {
    const w = calendar.isWorkingDay(new Date(d * DAY_MS).toISOString().slice(0, 10));
    work.push(w);
    cum.push(total);
    if (w) total += dayMs;
  }
  return { firstDay, lastDay, work: `{${work.join(',')}}`, cum: `{${cum.join(',')}}` };
}

interface SumRow {
  scenario: string;
  cases: string;
  steps: string;
  handoffs: string;
  visits: string;
  days: number | string;
  min_day: string | null;
  max_day: string | null;
}

/**
 * Per scenario: cases measured and the sums of their steps, hand-offs, visits and working days, in
 * one SQL aggregation over the per-case timeline figures of `dashboard_case` (kept by the dashboard
 * rollup's fold, db/migrations/20261127090000_dashboard_daily.ts) — for cases changed since the last
 * fold, the same figures computed from their timelines now. A case counts when its timeline has a
 * `reported` and a closing event, as in measureCase. A timeline reaching beyond the calendar's
 * arrays is summed again over arrays that span it (the first pass returns the days it spans).
 */
async function measuredSums(db: Knex, scenarios: string[], since: Date | undefined, calendar: WorkingCalendar) {
  const cal = calendarArrays(calendar);
  let rows = await sumsOver(db, scenarios, since, calendar, cal);
  const days = rows
    .flatMap((r) => [r.min_day, r.max_day])
    .filter((d): d is string => d !== null)
    .map(Number);
  if (days.length && (Math.min(...days) < cal.firstDay || Math.max(...days) > cal.lastDay)) {
    rows = await sumsOver(
      db,
      scenarios,
      since,
      calendar,
      calendarArrays(calendar, { minDay: Math.min(...days), maxDay: Math.max(...days) }),
    );
  }
  return new Map(
    rows.map((r) => [
      r.scenario,
      {
        cases: Number(r.cases),
        steps: Number(r.steps),
        handoffs: Number(r.handoffs),
        visits: Number(r.visits),
        days: Number(r.days),
      },
    ]),
  );
}

async function sumsOver(
  db: Knex,
  scenarios: string[],
  since: Date | undefined,
  calendar: WorkingCalendar,
  cal: ReturnType<typeof calendarArrays>,
): Promise<SumRow[]> {
  const day = (m: string) => `((${m} + ${OFFSET_MS}) / ${DAY_MS})`; // local day number (instants after 1970)
  const office = (m: string) =>
    calendar.officeHours.periods
      .map((p) => `greatest(0, least((${m} + ${OFFSET_MS}) % ${DAY_MS}, ${p.end * 60_000}) - ${p.start * 60_000})`)
      .join(' + ');
  // W(m): working ms from the arrays' first day to m (null outside them: measuredSums then widens them)
  const w = (m: string) =>
    `(cal.cum[${day(m)} - ${cal.firstDay - 1}] + case when cal.work[${day(m)} - ${cal.firstDay - 1}] then ${office(m)} else 0 end)`;
  // 'case-intake' stands for the generic cases too (no scenario)
  const scenario = (a: string) =>
    `(${scenarios.includes('case-intake') ? `${a}.scenario is null or ` : ''}${a}.scenario in (${list(scenarios)}))`;
  const filter = (a: string) =>
    `${a}.status = 'closed' and ${a}.reported_ms is not null and ${a}.closing_ms is not null and ${scenario(a)}${since ? ` and ${a}.created_at >= ?` : ''}`;
  const cols = 'scenario, steps, handoffs, visits, reported_ms, closing_ms';
  const sql = `with m as (
        select ${cols} from dashboard_case dc where ${filter('dc')} and dc.case_id not in (select d.case_id from dashboard_dirty d)
        union all
        select ${cols} from (${liveFactsSql('"case" c', 'c.id in (select case_id from dashboard_dirty)')}) l where ${filter('l')}),
      cal as (select ?::bigint[] as cum, ?::boolean[] as work)
      select coalesce(m.scenario, 'case-intake') as scenario, count(*) as cases, sum(m.steps) as steps, sum(m.handoffs) as handoffs, sum(m.visits) as visits,
             sum(((${w('m.closing_ms')} - ${w('m.reported_ms')})::float8 / 3600000) / ${HOURS_PER_DAY}) as days,
             min(least(${day('m.reported_ms')}, ${day('m.closing_ms')})) as min_day, max(greatest(${day('m.reported_ms')}, ${day('m.closing_ms')})) as max_day
        from m cross join cal
       group by 1`;
  const bindings: unknown[] = [...(since ? [since, since] : []), cal.cum, cal.work];
  return (await db.raw(sql, bindings as any[])).rows as SumRow[];
}

/** The reform effect of every configured scenario, measured over closed cases (optionally since a date). */
export async function computeReformEffect(db: Knex, options: { since?: Date } = {}): Promise<ReformEffect[]> {
  const sums = await measuredSums(db, Object.keys(baselines.scenarios), options.since, defaultCalendar());
  return Object.entries(baselines.scenarios).map(([scenario, b]) => {
    const baseline: Figures = { steps: b.steps, handoffs: b.handoffs, visits: b.visits, days: b.days };
    const s = sums.get(scenario);
    const measured =
      s && s.cases > 0
        ? {
            steps: avg(s.steps, s.cases),
            handoffs: avg(s.handoffs, s.cases),
            visits: avg(s.visits, s.cases),
            days: avg(s.days, s.cases),
          }
        : null;
    return {
      scenario,
      label: b.label,
      cases: s?.cases ?? 0,
      baseline,
      measured,
      reduction: measured
        ? {
            steps: pct(b.steps, measured.steps),
            handoffs: pct(b.handoffs, measured.handoffs),
            visits: pct(b.visits, measured.visits),
            days: pct(b.days, measured.days),
          }
        : null,
    };
  });
}
