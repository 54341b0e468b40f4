/**
 * Starts the whole platform in one process: database → migrations → embedded engine (unless a
 * Zeebe cluster is configured) → job workers → HTTP server, and stops it again in reverse order.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Camunda8, type Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { createDb, dbKind } from '../db/knex';
import { migrateAll } from './migrate-all';
import { startEngine, type Engine } from '../engine';
import { deployProcesses } from '../domain/processes/deploy';
import { startWorkers, workerRegistry } from '../workers';
import { createApp } from '../server/app';
import { bootstrapAuth } from '../server/auth/bootstrap';
import { seedDemoData, startDemoTraffic } from './demo';
import { createSmsProvider, Notifier } from '../domain/notify';
import { createMetrics } from '../server/metrics/metrics';
import { CalendarService } from '../domain/sla/calendar-service';
import { instrumentWorkers } from './worker-metrics';
import { CaseStarter } from '../domain/cases/pending-start';
import { boundedClient, ENGINE_CALL_DEADLINE_MS } from '../domain/processes/engine-call';
import { keyringOf, LOCAL_KEY_FILE } from '../domain/privacy/config';
import { setPiiKeyring } from '../domain/privacy/pii-crypto';
import { sealAll } from '../domain/privacy/personal-data';
import { RetentionJob } from '../domain/privacy/retention';
import { ConfigError, type Config } from './config';
import { EnvError } from '../domain/config/env';
import type { HealthProbe } from '../server/routes/health';

type ZeebeGrpcClient = Zeebe.ZeebeGrpcClient;

/** A running platform. */
export interface Platform {
  /** Base URL of the HTTP server, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The Zeebe gRPC address the workers and server use (`grpc://…`, or as configured). */
  readonly zeebeAddress: string;
  /** The platform's database (benchmarks count its statements; PGlite allows no second connection). */
  readonly db: Knex;
  /** Graceful stop: stop accepting, drain in-flight requests, close workers, engine and database. */
  stop(): Promise<void>;
}

/** How long /healthz waits for Topology: the SDK retries UNAVAILABLE forever, so we race it. */
export const ENGINE_PROBE_TIMEOUT_MS = 2000;
/** How long an external cluster gets before (and between) attempts to deploy the scenario models. */
const DEPLOY_RETRY_MS = 5000;
/** In-flight requests get this long to finish on shutdown before their sockets are cut. */
const DRAIN_TIMEOUT_MS = 10_000;

/** Parts a caller may leave out (tests of the HTTP/health path that must control every dial). */
export interface PlatformOptions {
  /** Start the job workers (default true). */
  workers?: boolean;
  /** Deploy the scenario models and forms (default true). */
  deployModels?: boolean;
}

export async function startPlatform(config: Config, logger: Logger, options: PlatformOptions = {}): Promise<Platform> {
  const started = Date.now();
  // Undo steps in reverse order if a later step fails, so a failed start leaves nothing running.
  const undo: Array<{ name: string; run: () => Promise<void> }> = [];
  const unwind = async () => {
    for (const step of undo.reverse()) {
      const t0 = Date.now();
      await step.run().catch((err) => logger.error({ err, step: step.name }, 'error while stopping'));
      logger.debug({ step: step.name, ms: Date.now() - t0 }, 'stopped');
    }
  };

  // Personal data is sealed with PII_MASTER_KEY; without one, a single machine keeps its key in DATA_DIR.
  try {
    setPiiKeyring(
      keyringOf(config.privacy, {
        demo: config.demo,
        sharedDatabase: !!config.databaseUrl,
        localKeyFile: path.join(config.dataDir, LOCAL_KEY_FILE),
        log: (m) => logger.warn(m),
      }),
    );
  } catch (err) {
    if (err instanceof EnvError) throw new ConfigError(err.problems);
    throw err;
  }
  try {
    const db = createDb({ databaseUrl: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pg') });
    undo.push({ name: 'database', run: () => db.destroy() });
    const embedded = !config.zeebeGrpcAddress;
    // With an external Zeebe cluster the engine's tables are never used, so they are not created.
    const applied = await migrateAll(db, { engine: embedded });
    logger.info({ db: dbKind(db), applied }, 'database migrated');
    // Rows written before encryption (or under an old master key) are sealed now: idempotent, one
    // process at a time (advisory lock), done before anything serves them.
    const sealed = await sealAll(db);
    if (sealed.cases + sealed.vehicles + sealed.notifications > 0)
      logger.info({ sealed }, 'personal data sealed with the current master key');
    // Departments, demo users and keys (DEMO=1), or the first admin with a password printed once.
    await bootstrapAuth(db, { demo: config.demo, log: logger });
    // The working calendar: shipped holiday years overridden by admin-entered ones, in force before
    // any worker computes a due date. Other processes' changes are picked up by a cheap fingerprint
    // check (PostgreSQL only: nothing else can write to an embedded PGlite database).
    const calendar = new CalendarService({ db, log: logger.child({ component: 'calendar' }) });
    await calendar.load();
    if (dbKind(db) === 'postgres' && config.calendarRefreshSeconds > 0) {
      const stopWatching = calendar.watch(config.calendarRefreshSeconds * 1000);
      undo.push({ name: 'calendar refresh', run: async () => stopWatching() });
    }
    // The SMS outbox's dispatcher: sends what workers queue (woken by sms.notify, else it polls).
    const notifyConfig = config.notify;
    const notifier = new Notifier(
      db,
      notifyConfig,
      createSmsProvider(notifyConfig),
      logger.child({ component: 'sms' }),
    );
    notifier.start();
    undo.push({ name: 'sms dispatcher', run: () => notifier.stop() });

    let engine: Engine | undefined;
    if (embedded) {
      engine = await startEngine({
        db,
        port: config.enginePort,
        host: config.engineHost,
        rest: config.engineRestPort === undefined ? undefined : { port: config.engineRestPort },
        modelLimits: config.modelLimits,
        auth: config.engineAuth,
        tls: config.engineTls && {
          cert: fs.readFileSync(config.engineTls.certPath),
          key: fs.readFileSync(config.engineTls.keyPath),
        },
        feelBudgetMs: config.feelBudgetMs,
        logger: logger.child({ component: 'engine' }),
      });
      undo.push({ name: 'engine', run: () => engine!.stop() });
    }
    const zeebeAddress = engine ? embeddedAddress(engine, config) : config.zeebeGrpcAddress!;
    const zeebe = connectZeebe(zeebeAddress, embedded ? embeddedClientSettings(config) : undefined, config.logLevel);
    undo.push({ name: 'zeebe client', run: () => zeebe.close() });
    // The scenario models and forms; unchanged files are duplicates and keep their version. The
    // embedded engine is up, so start waits for it. An external cluster may still be coming up and
    // the SDK retries UNAVAILABLE forever, so there the deployment waits in the background until the
    // health probe answers (first look after DEPLOY_RETRY_MS, then every DEPLOY_RETRY_MS).
    const deploy = () =>
      deployProcesses(zeebe.client, { db }).then((d) =>
        logger.info(
          { processes: d.processes.map((p) => `${p.bpmnProcessId}@${p.version}`), forms: d.forms.length },
          'scenario models deployed',
        ),
      );
    if (options.deployModels === false) {
      // left out on request
    } else if (embedded) await deploy();
    else {
      let timer: NodeJS.Timeout | undefined;
      const attempt = () => {
        timer = setTimeout(() => {
          zeebe.probe().then(
            () => deploy().catch((err) => logger.error({ err }, 'deploying the scenario models failed')),
            () => attempt(),
          );
        }, DEPLOY_RETRY_MS);
        timer.unref();
      };
      attempt();
      undo.push({ name: 'model deployment', run: async () => clearTimeout(timer) });
    }

    const metrics = createMetrics();
    const notify = { wake: () => notifier.dispatcher.wake(), dailyCapPerPhone: notifyConfig.dailyCapPerPhone };
    const workers = startWorkers(
      zeebe.client,
      { db, config, log: logger.child({ component: 'workers' }), notify },
      options.workers === false ? [] : instrumentWorkers(workerRegistry, metrics),
    );
    undo.push({ name: 'workers', run: () => workers.close() });

    // Intake never waits on the engine (docs/intake.md): one starter loop per database starts the
    // cases filed while the engine did not answer, on a client without retries.
    const starter = new CaseStarter({
      db,
      zbc: zeebe.bounded,
      log: logger.child({ component: 'case-starter' }),
      advisoryLock: dbKind(db) === 'postgres',
    });
    starter.start();
    undo.push({ name: 'case starter', run: () => starter.stop() });

    // Retention (docs/security.md): one purge a Shanghai day, one process at a time (advisory lock).
    const retention = new RetentionJob({
      db,
      rules: config.privacy.retention,
      log: logger.child({ component: 'retention' }),
    });
    retention.start();
    undo.push({ name: 'retention purge', run: () => retention.stop() });

    const app = createApp({
      db,
      config,
      log: logger,
      engineHealth: zeebe.probe,
      engine,
      // Requests wait for the engine at most ENGINE_CALL_DEADLINE_MS per call, without retries.
      zbc: zeebe.bounded,
      metrics,
      calendar,
    });
    const { server, drain } = await listen(app, config.host, config.port);
    undo.push({ name: 'http server', run: () => drain(logger) });

    const url = `http://${displayHost(config.host)}:${(server.address() as AddressInfo).port}`;
    if (config.demo) {
      // DEMO=1 only: the demo registry, lanes, contacts and labelled history, then bounded live traffic.
      await seedDemoData(db, { log: logger.child({ component: 'demo' }) });
      await sealAll(db); // the demo registry and history are written in plaintext by the seed
      const demo = startDemoTraffic({ db, zbc: zeebe.client, url, log: logger.child({ component: 'demo' }) });
      undo.push({ name: 'demo traffic', run: () => demo.stop() });
    }
    logger.info(
      {
        url,
        healthz: `${url}/healthz`,
        zeebe: zeebeAddress,
        engine: embedded ? 'embedded' : 'external',
        db: dbKind(db),
        ms: Date.now() - started,
      },
      `OneMatter is up at ${url} — report & track ${url}/, tasks ${url}/tasks, dashboard ${url}/dashboard, designer ${url}/designer, admin ${url}/admin`,
    );

    let stopping: Promise<void> | undefined;
    return {
      url,
      zeebeAddress,
      db,
      stop: () => (stopping ??= unwind().then(() => logger.info('OneMatter stopped'))),
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}

/**
 * Where the platform reaches its embedded engine: `grpc://` or, with TLS, `grpcs://`. A wildcard bind
 * is reached on loopback (`localhost` with TLS, the name a certificate most likely carries besides
 * the server's own).
 */
function embeddedAddress(engine: Engine, config: Config): string {
  const wildcard = ['0.0.0.0', '::', '[::]'].includes(config.engineHost);
  const host = wildcard ? (config.engineTls ? 'localhost' : '127.0.0.1') : config.engineHost;
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${config.engineTls ? 'grpcs' : 'grpc'}://${hostPart}:${engine.port}`;
}

/**
 * The SDK settings for the embedded engine, from the engine's own: the auth strategy its credentials
 * call for (`BEARER` with ENGINE_AUTH_TOKEN, else `BASIC`, else `NONE`) and, with TLS, its certificate
 * as the trusted root (self-signed), unless CAMUNDA_CUSTOM_ROOT_CERT_PATH names a CA.
 */
function embeddedClientSettings(config: Config): Record<string, string> {
  const auth = config.engineAuth;
  const credentials: Record<string, string> = auth?.token
    ? { CAMUNDA_AUTH_STRATEGY: 'BEARER', CAMUNDA_OAUTH_TOKEN: auth.token }
    : auth?.username
      ? {
          CAMUNDA_AUTH_STRATEGY: 'BASIC',
          CAMUNDA_BASIC_AUTH_USERNAME: auth.username,
          CAMUNDA_BASIC_AUTH_PASSWORD: auth.password ?? '',
        }
      : { CAMUNDA_AUTH_STRATEGY: 'NONE' };
  const tls: Record<string, string> = config.engineTls
    ? { CAMUNDA_CUSTOM_ROOT_CERT_PATH: process.env.CAMUNDA_CUSTOM_ROOT_CERT_PATH || config.engineTls.certPath }
    : {};
  return { ...credentials, ...tls };
}

/** The SDK client used by workers and routes, plus a health probe on its own quiet channel. */
function connectZeebe(
  address: string,
  embedded: Record<string, string> | undefined,
  logLevel: Config['logLevel'],
): { client: ZeebeGrpcClient; bounded: ZeebeGrpcClient; probe: HealthProbe; close(): Promise<void> } {
  // Embedded: the engine's own auth and TLS (ENGINE_AUTH_*, ENGINE_TLS_*), whatever the SDK's
  // variables say. External: the SDK reads its usual variables from the environment
  // (CAMUNDA_AUTH_STRATEGY OAUTH/BEARER/BASIC, ZEEBE_CLIENT_ID, CAMUNDA_OAUTH_TOKEN,
  // CAMUNDA_BASIC_AUTH_*, CAMUNDA_CUSTOM_ROOT_CERT_PATH, …) for the cluster's auth and TLS.
  // The SDK logs on its own; JSON lines unless in a terminal, like ours (ZEEBE_CLIENT_LOG_TYPE wins).
  const logType =
    process.env.ZEEBE_CLIENT_LOG_TYPE === 'SIMPLE' || (!process.env.ZEEBE_CLIENT_LOG_TYPE && process.stdout.isTTY)
      ? 'SIMPLE'
      : 'JSON';
  const c8 = new Camunda8({
    ZEEBE_GRPC_ADDRESS: address,
    ...(embedded ?? {}),
    zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_TYPE: logType, ZEEBE_CLIENT_LOG_LEVEL: sdkLogLevel(logLevel) },
  });
  const client = c8.getZeebeGrpcApiClient();
  // A second channel for /healthz without retries and logging: the main client retries
  // UNAVAILABLE forever and logs every attempt, which a probe polled by a load balancer must not.
  const probeClient = c8.getZeebeGrpcApiClient({
    zeebeGrpcSettings: { ZEEBE_GRPC_CLIENT_RETRY: false, ZEEBE_CLIENT_LOG_LEVEL: 'NONE' },
  });
  // The client requests and the case starter use: no retries (a call either answers or fails), and
  // every call bounded by a deadline, so no HTTP request waits on the engine without end.
  const requestClient = c8.getZeebeGrpcApiClient({ zeebeGrpcSettings: { ZEEBE_GRPC_CLIENT_RETRY: false } });
  const bounded = boundedClient(requestClient, ENGINE_CALL_DEADLINE_MS);
  let inFlight: Promise<'ok'> | undefined;
  const probe: HealthProbe = () => {
    // One Topology call at a time, so probes polled faster than it answers do not pile up.
    inFlight ??= probeClient.topology().then(
      () => 'ok' as const,
      (err: Error) => {
        throw new Error(`Topology failed at ${address}: ${err.message.trim()}`);
      },
    );
    const call = inFlight.finally(() => (inFlight = undefined));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no Topology answer from ${address} within ${ENGINE_PROBE_TIMEOUT_MS} ms`)),
        ENGINE_PROBE_TIMEOUT_MS,
      );
    });
    return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
  };
  return {
    client,
    bounded,
    probe,
    async close() {
      await Promise.all([client.close(), probeClient.close(), requestClient.close()]);
    },
  };
}

/** Our LOG_LEVEL mapped onto the SDK's coarser levels; ZEEBE_CLIENT_LOG_LEVEL, when set, wins. */
function sdkLogLevel(level: Config['logLevel']): 'NONE' | 'ERROR' | 'INFO' | 'DEBUG' {
  const fromEnv = process.env.ZEEBE_CLIENT_LOG_LEVEL;
  if (fromEnv === 'NONE' || fromEnv === 'ERROR' || fromEnv === 'INFO' || fromEnv === 'DEBUG') return fromEnv;
  if (level === 'silent') return 'NONE';
  if (level === 'debug' || level === 'trace') return 'DEBUG';
  return level === 'info' ? 'INFO' : 'ERROR';
}

/** An HTTP server that can drain: stop accepting, let in-flight requests finish, then close. */
function listen(
  app: http.RequestListener,
  host: string,
  port: number,
): Promise<{ server: http.Server; drain(logger: Logger): Promise<void> }> {
  const server = http.createServer(app);
  let draining = false;
  // server.close() closes only the connections idle at that moment; one that finishes its request
  // later would linger for keepAliveTimeout (5 s), so close it as soon as its response is sent.
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (draining) res.setHeader('Connection', 'close');
    res.on('finish', () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  const drain = (logger: Logger) =>
    new Promise<void>((resolve) => {
      draining = true;
      const force = setTimeout(() => {
        logger.warn({ ms: DRAIN_TIMEOUT_MS }, 'in-flight requests did not finish in time; closing their connections');
        server.closeAllConnections();
      }, DRAIN_TIMEOUT_MS);
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, drain });
    });
  });
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
