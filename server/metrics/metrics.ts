/**
 * Prometheus metrics (prom-client), one registry per platform so tests can run several side by
 * side. HTTP durations are observed by {@link httpMetrics}; engine, task and SLA figures are
 * gauges computed when /metrics is scraped (callbacks), so nothing is counted twice or goes stale.
 */
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import client from 'prom-client';
import type { Engine } from '../../engine';

export interface PlatformMetrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  workerJobs: client.Counter<'type' | 'outcome'>;
  workerJobDuration: client.Histogram<'type'>;
}

export function createMetrics(): PlatformMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new client.Histogram({
      name: 'onematter_http_request_duration_seconds',
      help: 'HTTP requests by route pattern, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    workerJobs: new client.Counter({
      name: 'onematter_worker_jobs_total',
      help: 'Jobs handled by the job workers, by job type and outcome (complete, fail, error, forward, cancel, thrown)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    workerJobDuration: new client.Histogram({
      name: 'onematter_worker_job_duration_seconds',
      help: 'Time a job worker handler took, by job type',
      labelNames: ['type'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
  };
}

/**
 * Observes every response. The route label is the matched route pattern (`/api/admin/users/:id`),
 * never the raw URL, so label cardinality stays bounded whatever clients send.
 */
export function httpMetrics(metrics: PlatformMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ method: req.method.length <= 7 ? req.method : 'OTHER', route, status: String(res.statusCode) });
    });
    next();
  };
}

/** Registers the gauges fed at scrape time from the engine (embedded mode) and the application tables. */
export function registerStateGauges(metrics: PlatformMetrics, sources: { db: Knex; engine?: Engine }): void {
  const { registry } = metrics;
  const { db, engine } = sources;
  if (engine) {
    new client.Gauge({
      name: 'onematter_engine_incidents_open',
      help: 'Open incidents in the embedded engine',
      registers: [registry],
      collect() {
        this.set(engine.admin.incidents().length);
      },
    });
    new client.Gauge({
      name: 'onematter_engine_element_instances_active',
      help: 'Active element instances (process instances included) in the embedded engine',
      registers: [registry],
      collect() {
        this.set(engine.runtime.core.store.elements.size);
      },
    });
  }
  new client.Gauge({
    name: 'onematter_tasks_open',
    help: 'Open user tasks by SLA light (green, yellow = due soon, red = overdue)',
    labelNames: ['light'],
    registers: [registry],
    async collect() {
      const rows = await db('task')
        .where('state', 'created')
        .groupBy('light')
        .select('light', db.raw('count(*)::int as n'));
      setByLight(this, rows);
    },
  });
  new client.Gauge({
    name: 'onematter_cases_open',
    help: 'Open cases by SLA light (not closed, cancelled or merged)',
    labelNames: ['light'],
    registers: [registry],
    async collect() {
      const rows = await db('case')
        .whereNotIn('status', ['closed', 'cancelled', 'merged'])
        .groupBy('light')
        .select('light', db.raw('count(*)::int as n'));
      setByLight(this, rows);
    },
  });
}

function setByLight(gauge: client.Gauge<'light'>, rows: Array<{ light: string; n: number }>): void {
  // Every light is always present (0 when none), so alerts on `red > 0` see a series.
  const counts: Record<string, number> = { green: 0, yellow: 0, red: 0 };
  for (const r of rows) counts[r.light] = Number(r.n);
  for (const [light, n] of Object.entries(counts)) gauge.set({ light }, n);
}
