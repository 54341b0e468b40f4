import type { Knex } from 'knex';

/**
 * What the HTTP API (issue 7 items 3–6) needs beyond the scenario tables:
 *
 * - `process_version`: every process and form version deployed through the SDK (by
 *   processes/deploy.ts at start and by `POST /api/processes`), with its XML, so `GET /api/processes`,
 *   the version list and the designer's/heatmap's diagram work the same against the embedded engine
 *   and a Zeebe cluster (whose deployments cannot be listed over gRPC).
 * - `case.responded_at` / `case.response_met`: the lead department's first response to the work
 *   order (claim or completion of its first task), judged against the situation's `response_hours`
 *   in working time when it happens (server/tasks/response.ts) — the response rate reads one column.
 * - indexes for the dashboard and the inbox, chosen with EXPLAIN (ANALYZE) on the benchmark's data
 *   (bench/dashboard.ts: 1M closed cases, 100k open tasks; figures in bench/README.md).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('process_version', (t) => {
    t.string('kind', 8).notNullable(); // bpmn | form
    t.string('resource_id', 255).notNullable(); // BPMN process id or form id
    t.integer('version').notNullable();
    t.string('definition_key', 24).notNullable(); // processDefinitionKey or formKey
    t.string('resource_name', 255).notNullable();
    t.string('name', 500);
    t.text('xml').notNullable(); // the BPMN XML or the form JSON as deployed
    t.string('deployed_by', 100).notNullable().defaultTo('system');
    t.timestamp('deployed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['kind', 'resource_id', 'version']);
  });
  await knex.raw(
    `alter table process_version add constraint process_version_kind_check check (kind in ('bpmn', 'form'))`,
  );

  await knex.schema.alterTable('case', (t) => {
    t.timestamp('responded_at', { useTz: true });
    t.boolean('response_met');
  });

  await createDashboardIndexes(knex);
}

export async function down(knex: Knex): Promise<void> {
  for (const idx of DASHBOARD_INDEXES) await knex.raw(`drop index if exists ${idx}`);
  await knex.schema.alterTable('case', (t) => {
    t.dropColumn('responded_at');
    t.dropColumn('response_met');
  });
  await knex.schema.dropTable('process_version');
}

/**
 * Dashboard and inbox indexes, chosen with EXPLAIN (ANALYZE, BUFFERS) on the benchmark's data
 * (bench/dashboard.ts: 1M closed + 100k open cases, PostgreSQL 15, 2 cores; before → after, p50,
 * full table in bench/README.md). Exported so the benchmark can drop and re-create them.
 */
export const DASHBOARD_INDEXES = [
  'case_closed_at_idx',
  'case_created_at_idx',
  'case_rated_at_idx',
  'sla_clock_breached_case_idx',
  'sla_clock_breached_step_idx',
  'sla_clock_open_idx',
  'sla_clock_stopped_at_idx',
  'task_open_inbox_idx',
  'task_open_light_idx',
  'task_process_created_idx',
];

export async function createDashboardIndexes(knex: Knex): Promise<void> {
  // Rates, overview, rankings and time series take a period of created_at / closed_at / rated_at and
  // group by lead department. Without these the 30-day rates seq-scanned all 1.1M cases; with the
  // grouped/filtered columns INCLUDEd the period is an index-only scan (~82k entries for 30 days).
  await knex.raw(`create index case_closed_at_idx on "case" (closed_at) include (lead_department, scenario, status)
    where closed_at is not null`);
  await knex.raw(
    `create index case_created_at_idx on "case" (created_at) include (lead_department, scenario, channel, status, response_met)`,
  );
  await knex.raw(`create index case_rated_at_idx on "case" (rated_at) include (lead_department, scenario, rating_satisfied)
    where rated_at is not null`);
  // Resolution within SLA = no breached step. Breaches are ~8 % of all clocks, so partial indexes on
  // them stay small: by case for the resolution anti-join (hashed: one index-only pass over 95k
  // entries instead of 82k probes — EXPLAIN ANALYZE 302 ms → 83 ms), by process and start for the
  // heatmap's overdue counts (heatmap p50 204 → 35 ms with task_process_created_idx below).
  await knex.raw(`create index sla_clock_breached_case_idx on sla_clock (case_id)
    where red_at is not null or stopped_at > due_at`);
  await knex.raw(`create index sla_clock_breached_step_idx on sla_clock (bpmn_process_id, started_at) include (step, state)
    where red_at is not null or stopped_at > due_at`);
  // SLA overview reads the running clocks only and the clocks stopped in the period.
  await knex.raw(`create index sla_clock_open_idx on sla_clock (department, light) include (bpmn_process_id, step, due_at)
    where state in ('running', 'suspended')`);
  await knex.raw(`create index sla_clock_stopped_at_idx on sla_clock (stopped_at) include (department, bpmn_process_id, step, due_at, red_at)
    where state = 'stopped'`);
  // The inbox: open tasks of a department by due date then priority — the index order is the
  // answer order, so the first page reads ~100 index entries (EXPLAIN ANALYZE 0.7 ms, p50 4.7 ms
  // through the service) whatever the backlog.
  await knex.raw(
    `create index task_open_inbox_idx on task (department, due_at, priority desc) where state = 'created'`,
  );
  // Warning lists: open tasks of one light, most urgent first.
  await knex.raw(`create index task_open_light_idx on task (light, due_at) where state = 'created'`);
  // Heatmap: tasks of one process created in the period, per element and state (index-only).
  await knex.raw(
    'create index task_process_created_idx on task (bpmn_process_id, created_at) include (element_id, state)',
  );
}
