/**
 * Reading the daily rollup (db/migrations/20261127090000_dashboard_daily.ts) exactly.
 *
 * A period `[from, to)` is split on Asia/Shanghai midnights: the whole days inside it come from
 * `dashboard_daily`, corrected for the cases changed since the last fold (minus their folded facts,
 * plus their live facts); the partial days at either edge come from the raw `case` rows. All parts
 * are one statement, hence one snapshot: the sum equals what the raw rows say at that instant.
 */
import type { Knex } from 'knex';
import { BREACHED_SQL, contributionsSql, foldDashboardDaily, liveFactsSql, shanghaiDay } from './daily-facts';
import type { Period, Scope } from './dashboard-queries';

export type RollupMetric = 'created' | 'closed' | 'rated';

const DAY_MS = 86_400_000;
const OFFSET_MS = 8 * 3_600_000; // Asia/Shanghai, no daylight saving

/**
 * The raw rows of a metric in a time range, as the rollup would count them (the same facts as
 * contributionsSql, metric by metric): only columns of the metric's covering index
 * (case_created_at_idx, case_closed_at_idx, case_rated_at_idx), so an edge day is an index-only scan.
 */
const RAW: Record<RollupMetric, { col: string; keys: string; met: string; where: string }> = {
  created: {
    col: 'c.created_at',
    keys: 'c.channel, c.status',
    met: 'case when c.response_met then 1 else 0 end',
    where: '',
  },
  closed: {
    col: 'c.closed_at',
    keys: "'', ''",
    met: `case when exists (select 1 from sla_clock k where k.case_id = c.id and ${BREACHED_SQL}) then 0 else 1 end`,
    where: " and c.status = 'closed'",
  },
  rated: { col: 'c.rated_at', keys: "'', ''", met: 'case when c.rating_satisfied then 1 else 0 end', where: '' },
};

const dayNumber = (ms: number) => (ms + OFFSET_MS) / DAY_MS;
const dayDate = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const dayStart = (day: number) => new Date(day * DAY_MS - OFFSET_MS);

/** The whole Shanghai days `[fromDay, toDay)` inside a period, or null when it spans none. */
export function wholeDays(p: Period): { fromDay: number; toDay: number } | null {
  const fromDay = Math.ceil(dayNumber(p.from.getTime()));
  const toDay = Math.floor(dayNumber(p.to.getTime()));
  return fromDay < toDay ? { fromDay, toDay } : null;
}

/**
 * A FROM-able query of one metric's facts in the period and scope: rows of (day, department,
 * scenario, channel, status, n, met), department/scenario `''` for none. Sum them.
 */
export function periodFacts(metric: RollupMetric, p: Period, s: Scope): { sql: string; bindings: unknown[] } {
  const cols = 'x.day, x.department, x.scenario, x.channel, x.status';
  const scope = (alias: string, departmentColumn = 'department') => {
    const parts: string[] = [];
    const bindings: unknown[] = [];
    if (s.department) {
      parts.push(` and ${alias}.${departmentColumn} = ?`);
      bindings.push(s.department);
    }
    if (s.scenario) {
      parts.push(` and ${alias}.scenario = ?`);
      bindings.push(s.scenario);
    }
    return { sql: parts.join(''), bindings };
  };
  const sx = scope('x');
  const parts: string[] = [];
  const bindings: unknown[] = [];
  const raw = (from: Date, to: Date) => {
    if (from.getTime() >= to.getTime()) return;
    const { col, keys, met, where } = RAW[metric];
    const sc = scope('c', 'lead_department');
    parts.push(`select ${shanghaiDay(col)} as day, coalesce(c.lead_department, '') as department, coalesce(c.scenario, '') as scenario, ${keys}, 1 as n, ${met} as met
      from "case" c where ${col} >= ? and ${col} < ?${where}${sc.sql}`);
    bindings.push(from, to, ...sc.bindings);
  };
  const days = wholeDays(p);
  if (!days) {
    raw(p.from, p.to);
  } else {
    const lo = dayDate(days.fromDay);
    const hi = dayDate(days.toDay);
    const sd = scope('d');
    parts.push(`select d.day, d.department, d.scenario, d.channel, d.status, d.n, d.met from dashboard_daily d
      where d.metric = ? and d.day >= ?::date and d.day < ?::date${sd.sql}`);
    bindings.push(metric, lo, hi, ...sd.bindings);
    // cases changed since the last fold: minus what the rollup counted, plus what is true now
    parts.push(`select ${cols}, -x.n, -x.met from (${contributionsSql('(select * from dashboard_case dc where dc.case_id in (select case_id from dashboard_dirty))')}) x
      where x.metric = ? and x.day >= ?::date and x.day < ?::date${sx.sql}`);
    bindings.push(metric, lo, hi, ...sx.bindings);
    parts.push(`select ${cols}, x.n, x.met from (${contributionsSql(`(${liveFactsSql('"case" c', 'c.id in (select case_id from dashboard_dirty)', { timeline: false })})`)}) x
      where x.metric = ? and x.day >= ?::date and x.day < ?::date${sx.sql}`);
    bindings.push(metric, lo, hi, ...sx.bindings);
    raw(p.from, dayStart(days.fromDay));
    raw(dayStart(days.toDay), p.to);
  }
  // an empty period: no rows, with the columns' types
  if (parts.length === 0)
    parts.push(
      "select null::date as day, ''::text as department, ''::text as scenario, ''::text as channel, ''::text as status, 0::bigint as n, 0::bigint as met where false",
    );
  return { sql: parts.join('\n union all '), bindings };
}

/**
 * Folds pending changes into the rollup at most every `intervalMs` per process, without waiting
 * for a fold another process is running. Reads are exact either way; folding keeps them fast.
 */
export class RollupFolder {
  private last = 0;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly db: Knex,
    private readonly intervalMs = 30_000,
  ) {}

  async maybeFold(now = Date.now()): Promise<void> {
    if (this.running) return;
    if (now - this.last < this.intervalMs) return;
    this.last = now;
    // A failed fold must not fail the figure (reads are exact without it): warn, retry next interval.
    this.running = foldDashboardDaily(this.db, { wait: false })
      .catch((err: unknown) =>
        process.emitWarning(`dashboard rollup fold failed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        this.running = null;
      });
    await this.running;
  }
}
