import express, { type Express } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from './config';
import { problemHandler, problemNotFound } from './http/problem';
import { healthRouter, type HealthProbe } from './routes/health';

/** What route modules get: the database, configuration, logger and the engine client. */
export interface AppContext {
  db: Knex;
  config: Config;
  log: Logger;
  /** Reports engine reachability for /healthz (Topology through the SDK). */
  engineHealth: HealthProbe;
}

/** Builds the express app; no listening, so tests can mount it on port 0. */
export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(healthRouter(ctx));
  app.use(express.json({ limit: '1mb' }));
  app.use('/api', problemNotFound);
  app.use(problemHandler(ctx.log));
  return app;
}
