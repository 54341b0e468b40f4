import type { Zeebe } from '@camunda8/sdk';
import type { PrivacyConfig } from '../domain/privacy/config';
import fs from 'node:fs';
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Engine, ModelLimits } from '../engine';
import { authenticate, createAuthServices, type AuthServices } from './auth';
import type { FireLaneConfig } from '../domain/fire-lane/config';
import type { NotifyConfig } from '../domain/notify/config';
import type { ServerConfig } from './config';
import { buildApiRouter, type AnyRoute } from './http/define-route';
import { problemHandler, problemNotFound } from './http/problem';
import { requestLogging } from './http/request-log';
import { securityHeaders } from './http/security-headers';
import { createMetrics, httpMetrics, registerStateGauges, type PlatformMetrics } from './metrics/metrics';
import { buildOpenApiDocument } from './openapi/document';
import { IncidentService } from './operations/incident-service';
import { adminApiKeyRoutes } from './routes/admin-api-keys';
import { adminAuditRoutes } from './routes/admin-audit';
import { privacyRoutes } from './routes/privacy';
import { adminCalendarRoutes } from './routes/admin-calendar';
import { adminIncidentRoutes } from './routes/admin-incidents';
import { adminUserRoutes } from './routes/admin-users';
import { authRoutes } from './routes/auth';
import { caseRoutes } from './routes/cases';
import { catalogRoutes } from './routes/catalog';
import { classifyRoutes } from './routes/classify';
import { dashboardRoutes } from './routes/dashboard';
import { departmentContactRoutes } from './routes/department-contacts';
import { departmentRoutes } from './routes/departments';
import { deviceEventRoutes } from './routes/device-events';
import { healthRouter, type HealthProbe } from './routes/health';
import { healthOperation, metricsOperation, metricsRouter } from './routes/metrics';
import { notificationRoutes } from './routes/notifications';
import { openApiRoute } from './routes/openapi';
import { open311Routes } from './routes/open311';
import { processRoutes } from './routes/processes';
import { taskRoutes } from './routes/tasks';
import { documentOpen311 } from './open311/openapi';
import { CalendarService } from '../domain/sla/calendar-service';
import { appendAudit } from '../domain/audit/audit-log';
import { safeNextPath } from '../domain/security/safe-next';

/** What route modules get: the database, configuration, logger and the engine client. */
export interface AppContext {
  db: Knex;
  /** The server's settings, and the fire-lane and SMS settings the device route needs (platform/config.ts composes them). */
  config: ServerConfig & {
    fireLane?: FireLaneConfig;
    notify?: Pick<NotifyConfig, 'dailyCapPerPhone'>;
    /** DEMO=1: /metrics may be open without METRICS_TOKEN. */
    demo?: boolean;
    /** Model structure limits the upload lint applies first (the engine's ENGINE_MAX_*). */
    modelLimits?: Partial<ModelLimits>;
    /** Retention rules of the purge run on demand (domain/privacy/config.ts). */
    privacy?: Pick<PrivacyConfig, 'retention'>;
  };
  log: Logger;
  /** Reports engine reachability for /healthz (Topology through the SDK). */
  engineHealth: HealthProbe;
  /** The embedded engine, when it runs in this process (its admin views: incidents, counts). */
  engine?: Engine;
  /** The SDK's Zeebe client (embedded engine or cluster): create instances, complete jobs, resolve incidents. */
  zbc?: Zeebe.ZeebeGrpcClient;
  /** Shared with the workers; created here when not given. */
  metrics?: PlatformMetrics;
  /** The clock business decisions read (response times, due dates); default the system clock. Tests pass the engine's. */
  now?: () => Date;
  /** The working calendar in force (holiday years); the platform loads it at start. Created here when not given. */
  calendar?: CalendarService;
}

/** What every route module receives: the app context plus the services built once per app. */
export interface RouteContext extends AppContext {
  auth: AuthServices;
  incidents: IncidentService;
  metrics: PlatformMetrics;
  calendar: CalendarService;
}

/**
 * The API's route modules, each `(ctx) => defineRoute(...)[]`. Adding endpoints: write
 * `server/routes/<thing>.ts` and list it here (server/README.md).
 */
export const routeModules: ReadonlyArray<(ctx: RouteContext) => AnyRoute[]> = [
  authRoutes,
  departmentRoutes,
  departmentContactRoutes,
  adminUserRoutes,
  adminApiKeyRoutes,
  adminAuditRoutes,
  privacyRoutes,
  adminIncidentRoutes,
  adminCalendarRoutes,
  deviceEventRoutes,
  open311Routes,
  caseRoutes,
  taskRoutes,
  classifyRoutes,
  notificationRoutes,
  catalogRoutes,
  processRoutes,
  dashboardRoutes,
];

/** The express app plus what tests and the platform want to reach. */
export interface App extends Express {
  locals: Express['locals'] & {
    routes: readonly AnyRoute[];
    auth: AuthServices;
    metrics: PlatformMetrics;
    openApi: () => Record<string, any>;
  };
}

const gaugesRegistered = new WeakSet<PlatformMetrics>();

/** Builds the express app; no listening, so tests can mount it on port 0. */
export function createApp(ctx: AppContext): App {
  const metrics = ctx.metrics ?? createMetrics();
  if (!gaugesRegistered.has(metrics)) {
    registerStateGauges(metrics, { db: ctx.db, engine: ctx.engine });
    gaugesRegistered.add(metrics);
  }
  const auth = createAuthServices(ctx.db, ctx.config);
  const calendar = ctx.calendar ?? new CalendarService({ db: ctx.db, log: ctx.log.child({ component: 'calendar' }) });
  const routeCtx: RouteContext = {
    ...ctx,
    metrics,
    auth,
    calendar,
    incidents: new IncidentService(ctx.engine, ctx.zbc, ctx.config.operateUrl),
  };

  let document: Record<string, any> | undefined;
  const routes: AnyRoute[] = [
    ...routeModules.flatMap((module) => module(routeCtx)),
    openApiRoute(() => (document ??= openApi())),
  ];
  const openApi = () =>
    documentOpen311(
      buildOpenApiDocument(routes, [healthOperation, metricsOperation], { title: 'OneMatter', version: '0.1.0' }),
    );

  const app = express() as unknown as App;
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders());
  app.use(requestLogging(ctx.log));
  app.use(httpMetrics(metrics));
  app.use(healthRouter({ ...ctx, calendar }));
  app.use(metricsRouter(metrics, ctx.config.metricsToken, { demo: ctx.config.demo === true, log: ctx.log }));
  // The body's bytes are kept (rawBody) so an upload sent as JSON is handed on as sent, never re-serialised.
  app.use(
    express.json({
      limit: '1mb',
      verify: (req, _res, buf) => {
        (req as unknown as { rawBody?: Buffer }).rawBody = buf;
      },
    }),
  );
  app.use('/api', authenticate(auth.sessions, auth.apiKeys));
  const now = ctx.now ?? (() => new Date());
  app.use(
    buildApiRouter(routes, {
      limiters: auth.limiters,
      strictResponses: process.env.NODE_ENV === 'test',
      audit: (entry) => appendAudit(ctx.db, { ...entry, at: now() }),
    }),
  );
  app.use('/api', problemNotFound);
  app.use(uiPages(UI_DIST));
  app.use(problemHandler(ctx.log));
  Object.assign(app.locals, { routes, auth, metrics, openApi: () => (document ??= openApi()) });
  return app;
}

/** The web UI's Vite build (`npm run build`, vite.config.mts). */
export const UI_DIST = path.resolve(__dirname, '../ui/dist');
/** Whether every `next` of a /login URL is a path on this site (domain/security/safe-next.ts). */
function loginNextIsSafe(originalUrl: string): boolean {
  const nexts = new URLSearchParams(originalUrl.split('?')[1] ?? '').getAll('next');
  return nexts.every((n) => safeNextPath(n, SAFE_NEXT_BASE) !== null);
}
/** Any origin works for the check: only whether the value stays on it matters. */
const SAFE_NEXT_BASE = 'http://onematter.invalid';

/** UI routes (API.md) → the page's html in the build. */
const UI_PAGES: Record<string, string> = {
  '/': 'index.html',
  '/login': 'login.html',
  '/tasks': 'tasks.html',
  '/dashboard': 'dashboard.html',
  '/designer': 'designer.html',
  '/admin': 'admin.html',
};

/**
 * Serves the UI: the pages (never cached, so a new build shows at once) and the hashed assets under
 * /assets (immutable for a year). One middleware rather than routes: these are not API operations.
 */
function uiPages(dist: string): RequestHandler {
  const assets = express.static(path.join(dist, 'assets'), {
    index: false,
    fallthrough: false,
    immutable: true,
    maxAge: '365d',
  });
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path.startsWith('/assets/'))
      return assets(Object.assign(req, { url: req.url.slice('/assets'.length) }), res, next);
    const page = UI_PAGES[req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path];
    if (!page) return next();
    if (page === 'login.html' && !loginNextIsSafe(req.originalUrl)) {
      // A link with a `next` leaving the site (M2): send the browser to the login page without it.
      const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
      query.delete('next');
      const rest = query.toString();
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, `/login${rest ? `?${rest}` : ''}`);
      return;
    }
    const file = path.join(dist, page);
    if (!fs.existsSync(file)) {
      res
        .status(503)
        .type('text/plain')
        .send('The web UI is not built: run `npm run build` (npm start does it when ui/dist is missing).\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(file);
  };
}
