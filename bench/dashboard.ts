/**
 * `npm run bench:dashboard`: dashboard and inbox latency at district scale, on PostgreSQL.
 *
 * Seeds a fresh database (DATABASE_URL's server, database `bench_dashboard`, recreated) with 1M
 * closed cases over the last year (one stopped SLA clock, one completed task and three timeline
 * events each; 8 % of the steps breached; 1 % fire-lane cases with detections and SMS) plus 100k
 * open cases with one open task and a running clock each — all with `INSERT … SELECT
 * generate_series` — then runs every dashboard figure and the inbox N times through the real
 * services and prints p50/p95 per query and the machine. Targets: figures ≤ 300 ms, inbox ≤ 50 ms.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:dashboard -- [--runs 20] [--no-indexes] [--explain] [--keep]
 *
 * `--unfolded` leaves the 2,000 cases changed just before the runs unfolded (the read-time
 * correction of the daily rollup at work);
 * `--jit` keeps PostgreSQL's JIT on (the default here is `jit = off`, see bench/README.md);
 * `--no-indexes` drops the indexes of 20261127070000_dashboard_indexes first (the "before" column of
 * bench/README.md); `--explain` prints EXPLAIN (ANALYZE, BUFFERS) of the main queries; `--keep`
 * reuses an already seeded database.
 */
import os from 'node:os';
import knexFactory, { type Knex } from 'knex';
import { migrateAll } from '../platform/migrate-all';
import { createDashboardIndexes, DASHBOARD_INDEXES } from '../db/migrations/20261127070000_dashboard_indexes';
import { DASHBOARD_TRIGGERS, foldDashboardDaily, rebuildDashboardDaily } from '../server/dashboard/daily-facts';
import { seedDepartments } from '../domain/departments/departments';
import { periodFacts } from '../server/dashboard/dashboard-rollup';
import { DashboardService } from '../server/dashboard/dashboard-service';
import { listInbox } from '../domain/tasks/task-queries';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 20;
// the dashboard service folds pending rollup changes at most every 30 s; the benchmark measures reads
const FOLD_INTERVAL_MS = flag('unfolded') ? Number.MAX_SAFE_INTEGER : 30_000;
const CLOSED = Number(process.env.BENCH_CLOSED ?? 1_000_000);
const OPEN = Number(process.env.BENCH_OPEN ?? 100_000);
const DB_NAME = 'bench_dashboard';

const DEPARTMENTS = [
  'housing',
  'market',
  'planning',
  'enforcement',
  'emergency',
  'traffic-police',
  'environment',
  'fire-rescue',
  'economy',
  'science',
  'tax',
  'public-security',
  'transport',
  'health',
  'hr-social',
  'civil-affairs',
  'justice',
  'commerce',
  'agriculture',
  'water',
  'education',
  'street-zhongma',
  'street-baisha',
  'street-kongpu',
];
const SCENARIOS = ['housing-quality', 'pollution-source', 'new-product-rd', 'hazmat-transport'];

const arr = (xs: string[]) => `array[${xs.map((x) => `'${x}'`).join(',')}]`;

async function seed(db: Knex): Promise<void> {
  const t0 = Date.now();
  const step = async (what: string, sql: string) => {
    const s = Date.now();
    await db.raw(sql);
    process.stdout.write(`  ${what}: ${((Date.now() - s) / 1000).toFixed(1)} s\n`);
  };
  // Closed cases: created over the last 365 days, closed 2–200 hours later.
  await step(
    `${CLOSED.toLocaleString()} closed cases`,
    `
    insert into "case" (id, case_no, status, channel, description, lead_department, collaborators, scenario, created_at, updated_at, closed_at, accepted_at,
                        responded_at, response_met, rating_satisfied, rated_at, light, due_at)
    select 'c' || i, 'JB-C' || lpad(i::text, 9, '0'), 'closed', (array['web','hotline','open311','api'])[1 + i % 4], '基准测试案件 ' || i,
           d, '[]', case when i % 100 = 0 then 'fire-lane' when i % 3 = 0 then (${arr(SCENARIOS)})[1 + i % ${SCENARIOS.length}] end,
           created, created, created + ((2 + i % 199) || ' hours')::interval, created,
           created + interval '1 hour', (i % 7) <> 0, case when i % 5 < 3 then (i % 10) <> 0 end, case when i % 5 < 3 then created + ((3 + i % 199) || ' hours')::interval end,
           'green', created + interval '48 hours'
      from (select i, (${arr(DEPARTMENTS)})[1 + i % ${DEPARTMENTS.length}] as d, now() - ((i % 365) || ' days')::interval - ((i % 1440) || ' minutes')::interval as created
              from generate_series(1, ${CLOSED}) i) s`,
  );
  await step(
    `${OPEN.toLocaleString()} open cases`,
    `
    insert into "case" (id, case_no, status, channel, description, lead_department, collaborators, scenario, created_at, updated_at, light, escalation_level, due_at, response_met)
    select 'o' || i, 'JB-O' || lpad(i::text, 9, '0'), 'handling', 'web', '待办基准案件 ' || i, (${arr(DEPARTMENTS)})[1 + i % ${DEPARTMENTS.length}], '[]',
           case when i % 3 = 0 then (${arr(SCENARIOS)})[1 + i % ${SCENARIOS.length}] end, now() - ((i % 20) || ' days')::interval, now(),
           case when i % 25 < 2 then 'red' when i % 25 < 5 then 'yellow' else 'green' end, case when i % 25 < 2 then 1 else 0 end,
           now() + ((i % 240 - 40) || ' hours')::interval, case when i % 2 = 0 then true end
      from generate_series(1, ${OPEN}) i`,
  );
  await step(
    'SLA clocks (1 per case)',
    `
    insert into sla_clock (sla_key, case_id, process_instance_key, bpmn_process_id, step, department, working_hours, started_at, warn_at, due_at, state, light, red_at, stopped_at, created_at, updated_at)
    select 'sla:' || c.id, c.id, '1', coalesce(c.scenario, 'case-handling'), 'leadHandle', c.lead_department, 16, c.created_at, c.created_at + interval '30 hours',
           c.created_at + interval '40 hours', case when c.status = 'closed' then 'stopped' else 'running' end, c.light,
           case when (c.status = 'closed' and abs(hashtext(c.id)) % 100 < 8) or c.light = 'red' then c.created_at + interval '40 hours' end,
           -- 8 % of the finished steps breached (red card, finished after the due date); the rest finished in time
           case when c.status = 'closed' then c.created_at + case when abs(hashtext(c.id)) % 100 < 8 then interval '42 hours' else ((1 + abs(hashtext(c.id)) % 38) || ' hours')::interval end end,
           c.created_at, c.created_at
      from "case" c`,
  );
  await step(
    'tasks (1 per case: completed or open)',
    `
    insert into task (id, job_key, process_instance_key, element_instance_key, element_id, bpmn_process_id, case_id, name, candidate_groups, department, assignee,
                      priority, due_at, state, light, created_at, completed_at, completed_by, sla_key)
    select 't' || c.id, 'j' || c.id, '1', 'e' || c.id, 'leadHandle', coalesce(c.scenario, 'case-handling'), c.id, '牵头部门办理', jsonb_build_array(c.lead_department),
           c.lead_department, case when c.status = 'closed' or hashtext(c.id) % 3 = 0 then 'clerk.' || c.lead_department end, 25 * (abs(hashtext(c.id)) % 4),
           c.due_at, case when c.status = 'closed' then 'completed' else 'created' end, c.light, c.created_at, c.closed_at,
           case when c.status = 'closed' then 'clerk.' || c.lead_department end, 'sla:' || c.id
      from "case" c`,
  );
  await step(
    'timeline (reported, task.completed, closed per closed case)',
    `
    insert into case_event (case_id, at, type, actor, department, data)
    select c.id, x.at, x.type, x.actor, c.lead_department, x.data
      from "case" c cross join lateral (values (c.created_at, 'reported', 'reporter', '{}'::jsonb),
                                              (c.closed_at - interval '1 hour', 'task.completed', 'clerk', '{"elementId":"leadHandle"}'::jsonb),
                                              (c.closed_at, 'closed', 'system', '{}'::jsonb)) as x(at, type, actor, data)
     where c.status = 'closed'`,
  );
  await step(
    'fire lane: detections, SMS, cleared',
    `
    insert into device_event (device_id, type, lane_id, plate, detected_at, status, case_id)
    select 'cam-' || (i % 30), 'fire-lane.occupied', 'L' || (i % 30), '浙B' || lpad((i % 20000)::text, 5, '0'), c.created_at + (n || ' minutes')::interval, 'processed', c.id
      from (select c.*, row_number() over () as i from "case" c where c.scenario = 'fire-lane') c cross join generate_series(0, 1) n;
    insert into notification (idempotency_key, case_id, to_phone, template, text, status, local_day, queued_at, sent_at)
    select c.id || ':' || k, c.id, '138' || lpad((abs(hashtext(c.id)) % 100000000)::text, 8, '0'), 'fire-lane.' || k, 'x', 'sent', c.created_at::date,
           c.created_at + interval '1 second', c.created_at + ((2 + abs(hashtext(c.id)) % 9) || ' seconds')::interval + case when k = 'warning' then interval '30 minutes' else interval '0' end
      from "case" c cross join unnest(array['notice', 'warning']) k where c.scenario = 'fire-lane';
    insert into case_event (case_id, at, type, actor, data)
    select c.id, c.created_at + interval '12 minutes', case when hashtext(c.id) % 3 = 0 then 'fire-lane.handled' else 'fire-lane.cleared' end, 'system', '{}'
      from "case" c where c.scenario = 'fire-lane'`,
  );
  // What autovacuum does in steady state: statistics and the visibility map (index-only scans).
  await step('VACUUM ANALYZE', 'vacuum analyze');
  process.stdout.write(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function time(fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await fn(); // warm-up: plans and buffers
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('Expected DATABASE_URL=postgres://… (the benchmark needs a PostgreSQL server)');
  const server = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  const exists = (await server.raw('select 1 from pg_database where datname = ?', [DB_NAME])).rows.length > 0;
  const fresh = !(flag('keep') && exists);
  if (fresh) {
    await server.raw(`drop database if exists ${DB_NAME} with (force)`);
    await server.raw(`create database ${DB_NAME}`);
  }
  const version = (await server.raw('show server_version')).rows[0].server_version;
  await server.destroy();
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${DB_NAME}`;
  let db = knexFactory({ client: 'pg', connection: dbUrl.toString(), pool: { min: 1, max: 10 } });
  try {
    if (fresh) {
      await migrateAll(db, { engine: false });
      await seedDepartments(db);
      process.stdout.write('seeding…\n');
      // A bulk load: the rollup's dirty-marking triggers off, then one rebuild (what the migration's
      // backfill does), instead of 1.1M dirty rows folded afterwards.
      for (const [table, triggers] of Object.entries(DASHBOARD_TRIGGERS))
        for (const t of triggers) await db.raw(`alter table "${table}" disable trigger ${t}`);
      await seed(db);
      for (const [table, triggers] of Object.entries(DASHBOARD_TRIGGERS))
        for (const t of triggers) await db.raw(`alter table "${table}" enable trigger ${t}`);
      const r = Date.now();
      await rebuildDashboardDaily(db);
      const rows = (await db.raw('select count(*) as n from dashboard_daily')).rows[0].n;
      process.stdout.write(`  dashboard_daily rebuilt: ${rows} rows in ${((Date.now() - r) / 1000).toFixed(1)} s\n`);
    }
    // The migration's indexes as they are now (re-created, so --keep measures the current set).
    for (const idx of [...DASHBOARD_INDEXES, 'task_process_element_idx']) await db.raw(`drop index if exists ${idx}`);
    if (!flag('no-indexes')) await createDashboardIndexes(db);
    // Some changes not folded yet (what the dashboard sees between folds): 2,000 cases closed and
    // rated now, so the period's reads include the dirty-case correction; folded before the runs
    // unless --unfolded.
    await foldDashboardDaily(db); // what earlier --keep runs left
    await db.raw(`update "case" set status = 'closed', closed_at = now(), rated_at = now(), rating_satisfied = true
      where id in (select id from "case" where status = 'handling' order by id limit 2000)`);
    if (!flag('unfolded')) await foldDashboardDaily(db);
    await db.raw('vacuum analyze');
    // JIT compilation cost 90 ms of a 300 ms dashboard query and saves nothing on these short
    // aggregates; the recommended setting (bench/README.md) is jit = off for the database.
    if (!flag('jit')) await db.raw(`alter database ${DB_NAME} set jit = off`);
    else await db.raw(`alter database ${DB_NAME} reset jit`);
    await db.destroy();
    db = knexFactory({ client: 'pg', connection: dbUrl.toString(), pool: { min: 1, max: 10 } });
    const dashboard = new DashboardService({ db, foldIntervalMs: FOLD_INTERVAL_MS });
    const to = new Date();
    const month = { from: new Date(to.getTime() - 30 * 86_400_000), to };
    const year = { from: new Date(to.getTime() - 365 * 86_400_000), to };
    const queries: [string, () => Promise<unknown>][] = [
      ['overview (30 d)', () => dashboard.overview(month)],
      ['rates (30 d)', () => dashboard.rates(month)],
      ['rates (365 d)', () => dashboard.rates(year)],
      ['rates (30 d, one department)', () => dashboard.rates({ ...month, department: 'housing' })],
      ['sla by department (30 d)', () => dashboard.sla({ ...month, groupBy: 'department' })],
      ['sla by stage (30 d)', () => dashboard.sla({ ...month, groupBy: 'stage' })],
      ['warnings red', () => dashboard.warnings({ light: 'red' })],
      ['warnings yellow', () => dashboard.warnings({ light: 'yellow' })],
      ['rankings (30 d)', () => dashboard.rankings(month)],
      ['heatmap case-handling (30 d)', () => dashboard.heatmap({ ...month, processId: 'case-handling' })],
      ['timeseries created/day (365 d)', () => dashboard.timeseries({ ...year, metric: 'created', interval: 'day' })],
      ['timeseries closed/week (365 d)', () => dashboard.timeseries({ ...year, metric: 'closed', interval: 'week' })],
      ['fire-lane (30 d)', () => dashboard.fireLane(month)],
      ['reform effect (30 d)', () => dashboard.reformEffect(month)],
      [
        'inbox: one department, first page',
        () => listInbox(db, { departments: ['housing'], state: 'created', limit: 50, offset: 0 }),
      ],
      [
        'inbox: two departments, red only',
        () =>
          listInbox(db, {
            departments: ['housing', 'enforcement'],
            state: 'created',
            light: 'red',
            limit: 50,
            offset: 0,
          }),
      ],
      [
        'inbox: assigned to me',
        () =>
          listInbox(db, {
            departments: ['housing'],
            state: 'created',
            assignee: 'clerk.housing',
            limit: 50,
            offset: 0,
          }),
      ],
    ];
    const cpus = os.cpus();
    process.stdout.write(
      `\nmachine: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}, PostgreSQL ${version}\n`,
    );
    const pending = (await db.raw('select count(distinct case_id) as n from dashboard_dirty')).rows[0].n;
    process.stdout.write(
      `data: ${CLOSED.toLocaleString()} closed + ${OPEN.toLocaleString()} open cases; ${RUNS} runs per query; jit ${flag('jit') ? 'on' : 'off'}${flag('no-indexes') ? '; WITHOUT the dashboard indexes' : ''}; ${pending} cases not folded into the rollup\n\n`,
    );
    process.stdout.write(`${'query'.padEnd(40)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)}  target\n`);
    for (const [name, fn] of queries) {
      const r = await time(fn);
      const target = name.startsWith('inbox') ? 50 : 300;
      process.stdout.write(
        `${name.padEnd(40)} ${r.p50.toFixed(1).padStart(9)} ${r.p95.toFixed(1).padStart(9)}  ${r.p95 <= target ? 'ok' : 'OVER'} (≤ ${target})\n`,
      );
    }
    if (flag('explain')) {
      const explain = async (title: string, sql: string, bindings: unknown[]) => {
        const plan = await db.raw(`explain (analyze, buffers) ${sql}`, bindings as any[]);
        process.stdout.write(
          `\n-- ${title}\n${plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}\n`,
        );
      };
      const f = periodFacts('closed', month, {});
      await explain(
        'resolution (30 d) on the rollup',
        `select coalesce(sum(f.n), 0), coalesce(sum(f.met), 0) from (${f.sql}) f`,
        f.bindings,
      );
      const y = periodFacts('created', year, {});
      await explain(
        'created per day (365 d) on the rollup',
        `select f.day, sum(f.n) from (${y.sql}) f group by 1`,
        y.bindings,
      );
      let reform: { sql: string; bindings: unknown[] } | undefined;
      const capture = (q: { sql: string; bindings: unknown[] }) => {
        if (q.sql.includes('from dashboard_case dc')) reform = q;
      };
      db.on('query', capture);
      await dashboard.reformEffect(month);
      db.off('query', capture);
      if (reform) await explain('reform effect (30 d)', reform.sql.replace(/\$\d+/g, '?'), reform.bindings);
      await explain(
        'resolution (30 d), raw rows (before the rollup)',
        `select count(*), count(*) - count(b.case_id) from "case" c left join (select distinct k.case_id from sla_clock k where k.red_at is not null or k.stopped_at > k.due_at) b on b.case_id = c.id where c.closed_at >= ? and c.closed_at < ? and c.status = 'closed'`,
        [month.from, month.to],
      );
      await explain(
        'inbox',
        `select t.*, c.case_no from task t left join "case" c on c.id = t.case_id where t.state = 'created' and t.department in ('housing') order by t.due_at asc nulls last, t.priority desc, t.created_at asc, t.id asc limit 50`,
        [],
      );
      await explain(
        'open clocks by department',
        `select coalesce(k.department, ''), count(*), count(*) filter (where k.light = 'red') from sla_clock k where k.state in ('running', 'suspended') group by 1`,
        [],
      );
    }
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
