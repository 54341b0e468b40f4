/**
 * @packageDocumentation
 * The embedded Zeebe-protocol engine: BPMN execution with its state in PostgreSQL, served over
 * Zeebe's gRPC gateway protocol, so any Zeebe client (`@camunda8/sdk`, zbctl, Java/Go clients)
 * works against it unchanged. See engine/README.md.
 */
import type { Knex } from 'knex';
import { EngineRuntime } from './Engine';
import { Gateway } from './gateway/Gateway';
import type { GatewayAuth, GatewayTls } from './gateway/auth';
import type { RestGateway } from './gateway/rest/RestGateway';
import { systemClock, type EngineClock } from './processing/Clock';
import { migrateEngine } from './state/migrate';
import { resolveModelLimits, type ModelLimits } from './model/limits';
import { Ownership } from './state/Ownership';
import type { EngineRecord, Incident } from './state/types';
import { parseJson } from './state/json';
import { setFeelBudget } from './feel/Feel';

export interface EngineLogger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

export interface EngineOptions {
  /** knex instance (PGlite or PostgreSQL); the engine keeps its tables prefixed `engine_`. */
  db: Knex;
  /** gRPC port; 0 picks a free one. Default 26500. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logger?: EngineLogger;
  /** Engine clock (tests pass a ControlledClock). */
  clock?: EngineClock;
  /** Run the engine's migrations first (default true). */
  migrate?: boolean;
  /**
   * How long the record log keeps records, in ms (default 7 days; `0` keeps everything). Pruned
   * every `recordPruneIntervalMs` (default 10 minutes) so the database stays bounded.
   */
  recordRetentionMs?: number;
  recordPruneIntervalMs?: number;
  /**
   * Also serve the Camunda 8.8 Orchestration Cluster REST API (`/v2`) on this port (`0` picks a
   * free one) and host (default: `host`). Unset: no REST server. See gateway/rest/.
   */
  rest?: { port: number; host?: string };
  /**
   * Model structure limits checked at deploy before any expensive work (defaults in
   * `DEFAULT_MODEL_LIMITS`; see engine/README.md "Limits"). A model over one is refused with
   * `INVALID_ARGUMENT` naming the limit and the value.
   */
  modelLimits?: Partial<ModelLimits>;
  /**
   * Client credentials both gateways require (`authorization: Bearer <token>` and/or `Basic`, as the
   * SDK's `BEARER` and `BASIC` auth strategies send them). Unset: no authentication.
   */
  auth?: GatewayAuth;
  /** PEM certificate and key: gRPC and REST then serve TLS only (`grpcs://`, `https://`). */
  tls?: GatewayTls;
  /**
   * How long one FEEL evaluation that can loop (`for`, `some`, `every`, ranges, functions) may run,
   * in ms (default 100). Past it the evaluation stops and the element gets an incident naming the
   * budget. Process-wide: engines in one process share the last value given.
   */
  feelBudgetMs?: number;
}

export type { GatewayAuth, GatewayTls } from './gateway/auth';

export {
  checkModelLimits,
  DEFAULT_MODEL_LIMITS,
  MODEL_LIMIT_ENV,
  ModelLimitError,
  resolveModelLimits,
  type ModelLimits,
} from './model/limits';

/** Read-only views for operators and the application's admin screens (no gRPC query exists). */
export interface EngineAdmin {
  incidents(filter?: { processInstanceKey?: string }): Incident[];
  /** Record log from the database, oldest first. */
  records(filter?: {
    processInstanceKey?: string;
    fromPosition?: number;
    limit?: number;
    valueType?: string;
  }): Promise<EngineRecord[]>;
}

export interface Engine {
  /** `host:port` the gateway listens on. */
  readonly address: string;
  readonly port: number;
  /** `http(s)://host:port` of the REST API (the API is under `/v2`), when `rest` was given. */
  readonly restAddress?: string;
  readonly admin: EngineAdmin;
  /** Internal runtime (testing harness). */
  readonly runtime: EngineRuntime;
  stop(): Promise<void>;
}

const noopLogger: EngineLogger = { info() {}, warn() {}, error() {}, debug() {} };

/** Starts an engine: migrate, load state, serve the gateway. */
export async function startEngine(options: EngineOptions): Promise<Engine> {
  const log = options.logger ?? noopLogger;
  const limits = resolveModelLimits(options.modelLimits);
  if (options.feelBudgetMs !== undefined) setFeelBudget(options.feelBudgetMs);
  if (options.migrate !== false) await migrateEngine(options.db);
  // One engine per database: wait (hot standby) until we own it, then fence every commit.
  const ownership = new Ownership(options.db, log);
  await ownership.acquire();
  const runtime = new EngineRuntime(options.db, options.clock ?? systemClock, log, limits);
  runtime.processor.fence = { epoch: () => ownership.commitEpoch(), fencedOut: () => ownership.fencedOut() };
  await runtime.start();
  const host = options.host ?? '127.0.0.1';
  const security = { auth: options.auth, tls: options.tls };
  const gateway = new Gateway(runtime, host, security);
  const port = await gateway.listen(options.port ?? 26500);
  log.info({ address: `${host}:${port}` }, 'embedded Zeebe-protocol engine listening');
  const retention = options.recordRetentionMs ?? 7 * 24 * 3600 * 1000;
  const pruneTimer =
    retention > 0
      ? setInterval(
          () => {
            runtime.pruneRecords(retention).catch((err) => log.warn({ err }, 'pruning the record log failed'));
          },
          options.recordPruneIntervalMs ?? 10 * 60 * 1000,
        )
      : undefined;
  pruneTimer?.unref();
  const rest: { gateway?: RestGateway } = {};
  let stopped: Promise<void> | undefined;
  function stop(): Promise<void> {
    stopped ??= (async () => {
      if (pruneTimer) clearInterval(pruneTimer);
      await rest.gateway?.close();
      await gateway.close();
      await runtime.stop();
      await ownership.release();
    })();
    return stopped;
  }
  // Superseded by another engine (our lock connection died): stop serving at once.
  ownership.onLost = () => void stop();
  const engine: Engine = {
    address: `${host}:${port}`,
    port,
    runtime,
    admin: {
      incidents(filter = {}) {
        return [...runtime.core.store.incidents.values()]
          .filter((i) => !filter.processInstanceKey || i.processInstanceKey === filter.processInstanceKey)
          .sort((a, b) => a.createdAt - b.createdAt);
      },
      async records(filter = {}) {
        // Batches are found by position range and instance (GIN); their records unpacked in SQL.
        const where: string[] = [];
        const bindings: (string | number)[] = [];
        if (filter.fromPosition) {
          where.push('b.last_position >= ?', 'r.position >= ?');
          bindings.push(filter.fromPosition, filter.fromPosition);
        }
        if (filter.processInstanceKey) {
          where.push('b.process_instance_keys @> array[?::int8]', 'r."processInstanceKey" = ?');
          bindings.push(filter.processInstanceKey, filter.processInstanceKey);
        }
        if (filter.valueType) {
          where.push('r."valueType" = ?');
          bindings.push(filter.valueType);
        }
        bindings.push(filter.limit ?? 10000);
        const res: any = await options.db.raw(
          `select r.position, r.key, r."valueType", r.intent, r."processInstanceKey", r.timestamp, r.value::text as value
           from engine_record_batch b
           cross join lateral json_to_recordset(b.records::json) as r(position int8, key text, "valueType" text, intent text,
             "processInstanceKey" text, timestamp int8, value json)
           ${where.length ? `where ${where.join(' and ')}` : ''}
           order by r.position limit ?`,
          bindings,
        );
        return ((res.rows ?? res) as any[]).map((r) => ({
          position: Number(r.position),
          key: r.key,
          valueType: r.valueType,
          intent: r.intent,
          processInstanceKey: r.processInstanceKey ?? null,
          timestamp: Number(r.timestamp),
          value: typeof r.value === 'string' ? parseJson(r.value) : r.value,
        }));
      },
    },
    stop,
  };
  if (!options.rest) return engine;
  const restHost = options.rest.host ?? host;
  // Loaded only when asked for: the schema package costs seconds to load on a busy machine.
  const { RestGateway } = await import('./gateway/rest/RestGateway');
  const restGateway = new RestGateway(runtime, engine.admin, restHost, () => port, security);
  try {
    const restPort = await restGateway.listen(options.rest.port);
    rest.gateway = restGateway;
    const restAddress = `${options.tls ? 'https' : 'http'}://${restHost.includes(':') ? `[${restHost}]` : restHost}:${restPort}`;
    log.info({ address: restAddress }, 'Camunda 8.8 REST API (/v2) listening');
    return { ...engine, restAddress };
  } catch (err) {
    await stop();
    throw err;
  }
}

export { ControlledClock, systemClock, type EngineClock } from './processing/Clock';
export { engineMigrations } from './state/migrations';
export { migrateEngine };
export type { EngineRecord, Incident } from './state/types';
/** FEEL as the engine evaluates it (feelin, with the engine's clock as `nowMs`): for form conditions outside the engine. */
export { DEFAULT_FEEL_BUDGET_MS, evaluateFeel, type EvalResult as FeelResult } from './feel/Feel';
