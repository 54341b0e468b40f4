import { Router } from 'express';
import type { Logger } from 'pino';
import type { PlatformMetrics } from '../metrics/metrics';
import { safeEqual } from '../auth/tokens';
import type { ManualOperation } from '../openapi/document';

/**
 * `GET /metrics` in Prometheus text format. With METRICS_TOKEN set it requires
 * `Authorization: Bearer <token>`. Without one it is closed (403) — except in demo mode (DEMO=1),
 * where it is open and the start log says so (issue 18: the figures name departments and load).
 */
export function metricsRouter(
  metrics: PlatformMetrics,
  token: string | undefined,
  options: { demo: boolean; log?: Pick<Logger, 'warn' | 'info'> } = { demo: false },
): Router {
  const router = Router();
  if (!token && options.demo)
    options.log?.warn('GET /metrics is open without a token (demo mode); set METRICS_TOKEN outside a demo');
  else if (!token)
    options.log?.info('GET /metrics is closed: set METRICS_TOKEN and scrape with Authorization: Bearer <token>');
  router.get('/metrics', async (req, res, next) => {
    try {
      if (!token && !options.demo) {
        res.status(403).type('application/problem+json').json({
          type: 'about:blank',
          title: 'Forbidden',
          status: 403,
          detail:
            'GET /metrics is closed: set METRICS_TOKEN on the server and send Authorization: Bearer <METRICS_TOKEN>.',
          instance: req.originalUrl,
        });
        return;
      }
      if (token) {
        const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
        if (!m || !safeEqual(m[1], token)) {
          res.set('WWW-Authenticate', 'Bearer realm="metrics"');
          res.status(401).type('application/problem+json').json({
            type: 'about:blank',
            title: 'Unauthorized',
            status: 401,
            detail: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.',
            instance: req.originalUrl,
          });
          return;
        }
      }
      const text = await metrics.registry.metrics();
      res.type(metrics.registry.contentType).send(text);
    } catch (err) {
      next(err);
    }
  });
  return router;
}

export const metricsOperation: ManualOperation = {
  method: 'get',
  path: '/metrics',
  summary:
    'Prometheus metrics: HTTP, engine, workers, tasks and SLA lights (Bearer METRICS_TOKEN; open without one only in demo mode)',
  tags: ['operations'],
  security: [{ metricsToken: [] }, {}],
  responses: {
    200: { description: 'text exposition format 0.0.4', contentType: 'text/plain' },
    401: { description: 'METRICS_TOKEN is set and was not sent' },
    403: { description: 'no METRICS_TOKEN is configured and the platform is not in demo mode' },
  },
};

/** `details.calendar` of /healthz (domain/sla/calendar-service.ts CalendarHealth). */
const healthDetails = {
  type: 'object',
  properties: {
    calendar: {
      type: 'object',
      description:
        'the working calendar: `fallback` when some working time is counted on plain weekdays (years without holiday data) — a warning, not a reason for 503',
      properties: {
        status: { enum: ['ok', 'fallback'] },
        coveredFrom: { type: 'string', description: 'YYYY-MM-DD' },
        coveredTo: { type: 'string', description: 'YYYY-MM-DD' },
        provisionalYears: { type: 'array', items: { type: 'integer' } },
        fallbackYears: {
          type: 'array',
          items: { type: 'integer' },
          description: 'this year when it has no data, and every year a computation needed',
        },
      },
      required: ['status', 'coveredFrom', 'coveredTo', 'provisionalYears', 'fallbackYears'],
    },
  },
};

export const healthOperation: ManualOperation = {
  method: 'get',
  path: '/healthz',
  summary: 'Readiness: database and engine reachable; details: the working calendar',
  tags: ['operations'],
  responses: {
    200: {
      description: 'ready (also when details.calendar.status is `fallback`)',
      schema: {
        type: 'object',
        properties: {
          status: { const: 'ok' },
          db: { type: 'string' },
          engine: { type: 'string' },
          details: healthDetails,
        },
        required: ['status', 'db', 'engine'],
      },
    },
    503: {
      description: 'database or engine down; the failing part says why',
      schema: {
        type: 'object',
        properties: {
          status: { const: 'unavailable' },
          db: { type: 'string' },
          engine: { type: 'string' },
          details: healthDetails,
        },
        required: ['status', 'db', 'engine'],
      },
    },
  },
};
