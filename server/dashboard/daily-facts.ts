import type { Knex } from 'knex';

/**
 * The daily rollup's run-time SQL: the per-case facts the dashboard counts, what they contribute
 * to `dashboard_daily`, and the fold that keeps the rollup current. The tables and the dirty-marking
 * triggers are created by the migration `20261127090000_dashboard_daily`, which keeps its own frozen
 * copy of these statements for its backfill: a migration never changes after it shipped, while
 * this file may (a change here that needs other columns needs a new migration too).
 * How the rollup stays exact: the migration's header and docs/dashboard.md.
 */

/** Names of the dirty-marking triggers (the benchmark disables them for its bulk load, then rebuilds). */
export const DASHBOARD_TRIGGERS = {
  case: ['case_dashboard_insert', 'case_dashboard_update'],
  sla_clock: ['sla_clock_dashboard_insert', 'sla_clock_dashboard_delete', 'sla_clock_dashboard_update'],
  case_event: ['case_event_dashboard_insert', 'case_event_dashboard_delete', 'case_event_dashboard_update'],
};

/** Timeline events that close a case, for the reform effect's intake → close duration (its last one counts). */
export const REFORM_CLOSING_TYPES = ['closed', 'merged', 'follow-up.expired', 'fire-lane.cleared', 'fire-lane.handled'];
/** Timeline events that show the department handling a case; a change of department between two is a hand-off. */
export const REFORM_HANDOFF_TYPES = [
  'dispatched',
  'returned',
  'collaborators.assigned',
  'sla.escalated',
  'task.created',
];
const sqlList = (xs: readonly string[]) => xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ');

/** The facts of a case the rollup counts (columns of `dashboard_case`, in order). */
const FACT_COLUMNS: { name: string; type: 'ts' | 'bool' | 'str' | 'int' | 'bigint'; length?: number }[] = [
  { name: 'created_at', type: 'ts' },
  { name: 'lead_department', type: 'str', length: 64 },
  { name: 'scenario', type: 'str', length: 40 },
  { name: 'channel', type: 'str', length: 20 },
  { name: 'status', type: 'str', length: 20 },
  { name: 'response_met', type: 'bool' },
  { name: 'closed_at', type: 'ts' },
  { name: 'breached', type: 'bool' },
  { name: 'rated_at', type: 'ts' },
  { name: 'rating_satisfied', type: 'bool' },
  // reform effect, from the timeline (measureCase in server/reform/reform-effect.ts is the definition)
  { name: 'steps', type: 'int' }, // distinct elements of task.completed events
  { name: 'handoffs', type: 'int' }, // department changes along the hand-off events
  { name: 'visits', type: 'int' }, // events of the reporter
  { name: 'reported_ms', type: 'bigint' }, // epoch ms of the first `reported` event (by id)
  { name: 'closing_ms', type: 'bigint' }, // epoch ms of the last closing event (by id)
];
export const FACT_NAMES = FACT_COLUMNS.map((c) => c.name);

/** A step that breached its clock: the red card fired, or it finished after its due date. */
export const BREACHED_SQL = '(k.red_at is not null or k.stopped_at > k.due_at)';

/**
 * The live facts of the cases of `from` (a FROM item aliased `c`, e.g. `"case" c` or
 * `"case" c join x on …`), as `case_id` + FACT_NAMES (without the timeline figures when
 * `timeline: false`).
 */
export function liveFactsSql(from: string, where = 'true', options: { timeline?: boolean } = {}): string {
  const facts = `select c.id as case_id, c.created_at, c.lead_department, c.scenario, c.channel, c.status, c.response_met, c.closed_at,
      exists (select 1 from sla_clock k where k.case_id = c.id and ${BREACHED_SQL}) as breached, c.rated_at, c.rating_satisfied`;
  // the daily counts need no timeline figures: skip the per-case timeline aggregation
  if (options.timeline === false) return `${facts} from ${from} where ${where}`;
  // epoch ms truncated to ms, as the JS Date a driver returns
  const ms = 'floor(extract(epoch from e.at) * 1000)::bigint';
  return `${facts}, t.steps, h.handoffs, t.visits, t.reported_ms, t.closing_ms
    from ${from}
    cross join lateral (
      select (count(distinct e.data -> 'elementId') filter (where e.type = 'task.completed')
                + case when bool_or(e.type = 'task.completed' and e.data -> 'elementId' is null) then 1 else 0 end)::int as steps,
             (count(*) filter (where e.actor = 'reporter'))::int as visits,
             (min(array[e.id, ${ms}]) filter (where e.type = 'reported'))[2] as reported_ms,
             (max(array[e.id, ${ms}]) filter (where e.type in (${sqlList(REFORM_CLOSING_TYPES)})))[2] as closing_ms
        from case_event e where e.case_id = c.id) t
    cross join lateral (
      select count(*)::int as handoffs from (
        select e.department, lag(e.department) over (order by e.id) as prev from case_event e
         where e.case_id = c.id and e.type in (${sqlList(REFORM_HANDOFF_TYPES)}) and e.department is not null and e.department <> '') x
       where x.prev is not null and x.department <> x.prev) h
    where ${where}`;
}

/** The Asia/Shanghai day of a timestamptz expression (UTC+8 all year: no daylight saving). */
export const shanghaiDay = (expr: string) => `((${expr} at time zone 'UTC') + interval '8 hours')::date`;

/**
 * What the facts `f` (a FROM item with case_id + FACT_NAMES) contribute: one row per metric with a
 * timestamp — (case_id, metric, at, day, department, scenario, channel, status, n, met).
 */
export function contributionsSql(f: string): string {
  return `select f.case_id, x.metric, x.at, ${shanghaiDay('x.at')} as day, coalesce(f.lead_department, '') as department, coalesce(f.scenario, '') as scenario,
         x.channel, x.status, 1 as n, x.met
    from ${f} f cross join lateral (values
      ('created', f.created_at, f.channel, f.status, case when f.response_met then 1 else 0 end),
      ('closed', case when f.status = 'closed' then f.closed_at end, '', '', case when f.breached then 0 else 1 end),
      ('rated', f.rated_at, '', '', case when f.rating_satisfied then 1 else 0 end)) as x(metric, at, channel, status, met)
   where x.at is not null`;
}

const KEY = 'metric, day, department, scenario, channel, status';

/** Recomputes the rollup from every case (the migration's backfill; the benchmark after its bulk load). */
export async function rebuildDashboardDaily(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [DASHBOARD_FOLD_LOCK]);
    await trx.raw('delete from dashboard_dirty');
    await trx.raw('delete from dashboard_daily');
    await trx.raw('delete from dashboard_case');
    await trx.raw(`insert into dashboard_case (case_id, ${FACT_NAMES.join(', ')}) ${liveFactsSql('"case" c')}`);
    await trx.raw(`insert into dashboard_daily (${KEY}, n, met)
      select ${KEY}, sum(n), sum(met) from (${contributionsSql('dashboard_case')}) x group by ${KEY}`);
  });
}

/** Advisory lock key serialising folds (and rebuilds). */
export const DASHBOARD_FOLD_LOCK = 7_090_000;

/**
 * Folds the dirty cases into the rollup: one statement (one snapshot) under the fold lock — removes
 * the dirty rows it sees, subtracts those cases' folded facts, adds their live facts, and stores
 * the live facts as folded. Changes committed meanwhile keep their dirty rows for the next fold.
 * Returns the number of cases folded, or null when another fold held the lock (`wait: false`).
 */
export async function foldDashboardDaily(knex: Knex, options: { wait?: boolean } = {}): Promise<number | null> {
  return knex.transaction(async (trx) => {
    if (options.wait === false) {
      const got = (await trx.raw('select pg_try_advisory_xact_lock(?) as got', [DASHBOARD_FOLD_LOCK])).rows[0].got;
      if (!got) return null;
    } else {
      await trx.raw('select pg_advisory_xact_lock(?)', [DASHBOARD_FOLD_LOCK]);
    }
    const cols = FACT_NAMES.join(', ');
    const r = await trx.raw(`with d as (delete from dashboard_dirty returning case_id),
        ids as (select distinct case_id from d),
        old as (select dc.* from dashboard_case dc join ids on ids.case_id = dc.case_id),
        live as (${liveFactsSql('"case" c join ids on ids.case_id = c.id')}),
        up as (insert into dashboard_case (case_id, ${cols}) select case_id, ${cols} from live
               on conflict (case_id) do update set ${FACT_NAMES.map((c) => `${c} = excluded.${c}`).join(', ')}),
        gone as (delete from dashboard_case dc using ids where dc.case_id = ids.case_id and not exists (select 1 from live l where l.case_id = dc.case_id)),
        delta as (select ${KEY}, -n as n, -met as met from (${contributionsSql('old')}) o
                  union all select ${KEY}, n, met from (${contributionsSql('live')}) l),
        agg as (select ${KEY}, sum(n) as n, sum(met) as met from delta group by ${KEY} having sum(n) <> 0 or sum(met) <> 0),
        ins as (insert into dashboard_daily (${KEY}, n, met) select ${KEY}, n, met from agg
                on conflict (${KEY}) do update set n = dashboard_daily.n + excluded.n, met = dashboard_daily.met + excluded.met)
      select count(*) as cases from ids`);
    return Number(r.rows[0].cases);
  });
}
