/**
 * `npm run engine`: the embedded engine on its own, as a process (operators, crash tests).
 *
 * Environment:
 * - `DATABASE_URL`: PostgreSQL server (postgres://…); unset → PGlite.
 * - `ENGINE_DB_SCHEMA`: PostgreSQL schema to use (applied as search_path); default `public`.
 * - `ENGINE_DATA_DIR`: PGlite data directory (file-backed); unset → in-memory (state is lost on exit).
 * - `ENGINE_PORT` (default 26500), `ENGINE_HOST` (default 127.0.0.1).
 * - `ENGINE_REST_PORT` (default 8080): the Camunda 8.8 REST API (`/v2`) on ENGINE_HOST; `off` serves none.
 * - `ENGINE_AUTH_TOKEN` and/or `ENGINE_AUTH_USERNAME`/`ENGINE_AUTH_PASSWORD`: credentials both gateways
 *   require (SDK `CAMUNDA_AUTH_STRATEGY` `BEARER` / `BASIC`); `ENGINE_TLS_CERT`/`ENGINE_TLS_KEY`: PEM
 *   files, then gRPC and REST serve TLS only. A non-loopback ENGINE_HOST without credentials is
 *   refused unless `DEMO=1`. `ENGINE_FEEL_BUDGET_MS` (default 100): the FEEL evaluation budget.
 * - `ENGINE_MAX_XML_BYTES`, `ENGINE_MAX_SUBPROCESS_DEPTH`, `ENGINE_MAX_XML_DEPTH`, `ENGINE_MAX_ELEMENTS`,
 *   `ENGINE_MAX_EXPRESSION_LENGTH`: model structure limits checked at deploy (engine/README.md "Limits").
 *
 * Prints one JSON line `{"msg":"listening","address":"host:port"}` once the gateway serves, and stops
 * gracefully on SIGTERM/SIGINT (a second signal exits at once).
 */
import fs from 'node:fs';
import { createDb } from '../db/knex';
import { envBool, readEnv } from '../domain/config/env';
import { z } from 'zod';
import { engineExposureProblem, readEngineSecurity } from './config';
import { MODEL_LIMIT_ENV, startEngine, type Engine, type EngineLogger, type ModelLimits } from '../engine/index';

function line(level: string, obj: object | string, msg?: string): string {
  const fields = typeof obj === 'string' ? { msg: obj } : { ...serialise(obj), ...(msg ? { msg } : {}) };
  return `${JSON.stringify({ level, time: Date.now(), ...fields })}\n`;
}

function serialise(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...obj };
  const err = (obj as { err?: unknown }).err;
  if (err instanceof Error) out.err = { message: err.message, stack: err.stack };
  return out;
}

const logger: EngineLogger = {
  info: (o, m) => void process.stdout.write(line('info', o, m)),
  debug: () => undefined,
  warn: (o, m) => void process.stderr.write(line('warn', o, m)),
  error: (o, m) => void process.stderr.write(line('error', o, m)),
};

async function main(): Promise<void> {
  const port = Number(process.env.ENGINE_PORT ?? 26500);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`ENGINE_PORT must be a port number, but was '${process.env.ENGINE_PORT}'`);
  const restRaw = (process.env.ENGINE_REST_PORT ?? '8080').trim().toLowerCase();
  const restPort = restRaw === 'off' ? undefined : Number(restRaw);
  if (restPort !== undefined && (!/^\d+$/.test(restRaw) || restPort > 65535))
    throw new Error(`ENGINE_REST_PORT must be a port number or 'off', but was '${process.env.ENGINE_REST_PORT}'`);
  const modelLimits: Partial<ModelLimits> = {};
  for (const [limit, name] of Object.entries(MODEL_LIMIT_ENV) as [keyof ModelLimits, string][]) {
    const raw = process.env[name];
    if (raw === undefined || raw === '') continue;
    if (!/^[1-9]\d*$/.test(raw.trim())) throw new Error(`${name} must be a positive whole number, but was '${raw}'`);
    modelLimits[limit] = Number(raw.trim());
  }
  const security = readEngineSecurity(process.env);
  const host = process.env.ENGINE_HOST || '127.0.0.1';
  const { DEMO: demo } = readEnv(z.object({ DEMO: envBool.default(false) }), process.env);
  const exposed = engineExposureProblem(host, security.auth, demo);
  if (exposed) throw new Error(exposed);
  const db = createDb({
    databaseUrl: process.env.DATABASE_URL || undefined,
    schema: process.env.ENGINE_DB_SCHEMA || undefined,
    pgliteDir: process.env.ENGINE_DATA_DIR || undefined,
  });

  const running: { engine?: Engine } = {};
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    Promise.resolve()
      .then(() => running.engine?.stop())
      .then(() => db.destroy())
      .then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const engine = await startEngine({
    db,
    port,
    host,
    logger,
    auth: security.auth,
    tls: security.tls && { cert: fs.readFileSync(security.tls.certPath), key: fs.readFileSync(security.tls.keyPath) },
    feelBudgetMs: security.feelBudgetMs,
    rest: restPort === undefined ? undefined : { port: restPort },
    modelLimits,
  });
  running.engine = engine;
  process.stdout.write(
    `${JSON.stringify({ msg: 'listening', address: engine.address, ...(engine.restAddress ? { rest: `${engine.restAddress}/v2` } : {}) })}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(line('error', { err }, 'engine failed to start'));
  process.exit(1);
});
