import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { GatewayAuth, ModelLimits } from '../engine';
import { envBool, envPort, readAll, readEnv } from '../domain/config/env';
import { loadFireLaneConfig, type FireLaneConfig } from '../domain/fire-lane/config';
import { loadNotifyConfig, type NotifyConfig } from '../domain/notify/config';
import { loadPrivacyConfig, type PrivacyConfig } from '../domain/privacy/config';
import { loadUserTaskLease, type UserTaskLeaseConfig } from '../domain/tasks/user-task-lease';
import { readServerConfig, type RateLimit, type ServerConfig } from '../server/config';

export type { RateLimit };

/**
 * The whole configuration, read from the environment once at start and validated, so a typo fails
 * fast with a message naming the variable instead of surfacing later as a confusing runtime error.
 * Composed of each module's section, every one read with the one env reader (domain/config/env.ts):
 * the platform's own variables here, the server's (server/config.ts), SMS (domain/notify/config.ts),
 * fire lane (domain/fire-lane/config.ts) and user-task leases (domain/tasks/user-task-lease.ts).
 */
export interface Config extends ServerConfig {
  dataDir: string;
  /** Unset → embedded PostgreSQL (PGlite) under `dataDir/pg`. */
  databaseUrl?: string;
  /** Unset → start the embedded engine on `enginePort`. */
  zeebeGrpcAddress?: string;
  enginePort: number;
  engineHost: string;
  /** Set → the embedded engine also serves the Camunda 8.8 REST API (`/v2`) on this port. */
  engineRestPort?: number;
  /**
   * Model structure limits (ENGINE_MAX_*): the embedded engine checks them at deploy, and the
   * upload route's lint applies them first. Unset ones keep the engine's defaults.
   */
  modelLimits: Partial<ModelLimits>;
  /** Credentials the embedded engine's gateways require (ENGINE_AUTH_*); the platform's clients send them. */
  engineAuth?: GatewayAuth;
  /** PEM files (ENGINE_TLS_CERT / ENGINE_TLS_KEY): the embedded engine serves TLS only. */
  engineTls?: EngineTlsFiles;
  /** ENGINE_FEEL_BUDGET_MS: how long one looping FEEL evaluation may run (engine default 100 ms). */
  feelBudgetMs?: number;
  /** The SMS provider (the same as `notify.provider`). */
  smsProvider: NotifyConfig['provider'];
  smsWebhookUrl?: string;
  demo: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How often (seconds) a platform on PostgreSQL looks for holiday years changed by another process; 0 = never. */
  calendarRefreshSeconds: number;
  /** SMS notification (domain/notify/config.ts). */
  notify: NotifyConfig;
  /** Fire-lane dwell, grace and offence thresholds (domain/fire-lane/config.ts). */
  fireLane: FireLaneConfig;
  /** User-task job activation, lease and heartbeat (domain/tasks/user-task-lease.ts). */
  userTaskLease: UserTaskLeaseConfig;
  /** Personal data: master keys and retention (domain/privacy/config.ts). */
  privacy: PrivacyConfig;
}

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => /^postgres(ql)?:\/\/.+/.test(v), 'expected a URL like postgres://user@host:5432/database');

const grpcAddress = z
  .string()
  .trim()
  .refine(
    (v) => /^(grpcs?:\/\/)?[^\s/:]+(:\d+)?$/.test(v),
    'expected host:port, grpc://host:port (plaintext) or grpcs://host:port (TLS)',
  );

const positiveInt = z
  .string()
  .trim()
  .regex(/^[1-9]\d*$/, 'expected a positive whole number')
  .transform(Number);

/** The platform's own variables. */
const platformEnv = z.object({
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: postgresUrl.optional(),
  ZEEBE_GRPC_ADDRESS: grpcAddress.optional(),
  ENGINE_PORT: envPort.default(26500),
  ENGINE_HOST: z.string().trim().min(1).default('127.0.0.1'),
  ENGINE_REST_PORT: envPort.optional(),
  DEMO: envBool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ENGINE_MAX_XML_BYTES: positiveInt.optional(),
  ENGINE_MAX_SUBPROCESS_DEPTH: positiveInt.optional(),
  ENGINE_MAX_XML_DEPTH: positiveInt.optional(),
  ENGINE_MAX_ELEMENTS: positiveInt.optional(),
  ENGINE_MAX_EXPRESSION_LENGTH: positiveInt.optional(),
  CALENDAR_REFRESH_SECONDS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a whole number of seconds (0 = never)')
    .transform(Number)
    .default(60),
});

export interface EngineTlsFiles {
  certPath: string;
  keyPath: string;
}

const readableFile = z
  .string()
  .trim()
  .refine((v) => {
    try {
      fs.accessSync(v, fs.constants.R_OK);
      return fs.statSync(v).isFile();
    } catch {
      return false;
    }
  }, 'expected a readable PEM file');

/**
 * The embedded engine's gateway security, shared by the platform and `npm run engine`
 * (platform/engine-main.ts): a bearer token and/or basic credentials, TLS files, the FEEL budget.
 */
const engineSecurityEnv = z
  .object({
    ENGINE_AUTH_TOKEN: z.string().optional(),
    ENGINE_AUTH_USERNAME: z.string().trim().optional(),
    ENGINE_AUTH_PASSWORD: z.string().optional(),
    ENGINE_TLS_CERT: readableFile.optional(),
    ENGINE_TLS_KEY: readableFile.optional(),
    ENGINE_FEEL_BUDGET_MS: positiveInt.optional(),
  })
  .superRefine((e, ctx) => {
    if (e.ENGINE_AUTH_USERNAME && e.ENGINE_AUTH_PASSWORD === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['ENGINE_AUTH_PASSWORD'],
        message: 'required when ENGINE_AUTH_USERNAME is set',
      });
    if (e.ENGINE_AUTH_PASSWORD !== undefined && !e.ENGINE_AUTH_USERNAME)
      ctx.addIssue({
        code: 'custom',
        path: ['ENGINE_AUTH_USERNAME'],
        message: 'required when ENGINE_AUTH_PASSWORD is set',
      });
    if (e.ENGINE_TLS_CERT && !e.ENGINE_TLS_KEY)
      ctx.addIssue({ code: 'custom', path: ['ENGINE_TLS_KEY'], message: 'required when ENGINE_TLS_CERT is set' });
    if (e.ENGINE_TLS_KEY && !e.ENGINE_TLS_CERT)
      ctx.addIssue({ code: 'custom', path: ['ENGINE_TLS_CERT'], message: 'required when ENGINE_TLS_KEY is set' });
  });

export interface EngineSecurity {
  auth?: GatewayAuth;
  tls?: EngineTlsFiles;
  feelBudgetMs?: number;
}

/** Reads ENGINE_AUTH_*, ENGINE_TLS_* and ENGINE_FEEL_BUDGET_MS; throws EnvError naming every bad one. */
export function readEngineSecurity(env: NodeJS.ProcessEnv): EngineSecurity {
  const e = readEnv(engineSecurityEnv, env);
  const auth: GatewayAuth = {
    ...(e.ENGINE_AUTH_TOKEN ? { token: e.ENGINE_AUTH_TOKEN } : {}),
    ...(e.ENGINE_AUTH_USERNAME ? { username: e.ENGINE_AUTH_USERNAME, password: e.ENGINE_AUTH_PASSWORD } : {}),
  };
  return {
    auth: auth.token || auth.username ? auth : undefined,
    tls: e.ENGINE_TLS_CERT && e.ENGINE_TLS_KEY ? { certPath: e.ENGINE_TLS_CERT, keyPath: e.ENGINE_TLS_KEY } : undefined,
    feelBudgetMs: e.ENGINE_FEEL_BUDGET_MS,
  };
}

const isLoopback = (host: string) => /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(host.trim());

/**
 * The engine may bind beyond this machine only with credentials (or in demo mode): anyone who
 * reaches an open gateway can deploy models and read every variable. A problem, or undefined.
 */
export function engineExposureProblem(host: string, auth: GatewayAuth | undefined, demo: boolean): string | undefined {
  if (demo || isLoopback(host) || auth) return undefined;
  return `ENGINE_HOST=${JSON.stringify(host)}: the engine would accept anyone on a non-loopback address; set ENGINE_AUTH_TOKEN or ENGINE_AUTH_USERNAME/ENGINE_AUTH_PASSWORD (and ENGINE_TLS_CERT/ENGINE_TLS_KEY), or bind 127.0.0.1`;
}

/** Thrown when the environment is invalid; `message` names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the whole configuration; a ConfigError lists every bad variable of every section. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const { values, problems } = readAll({
    platform: () => readEnv(platformEnv, env),
    server: () => readServerConfig(env),
    notify: () => loadNotifyConfig(env),
    fireLane: () => loadFireLaneConfig(env),
    userTaskLease: () => loadUserTaskLease(env),
    privacy: () => loadPrivacyConfig(env),
    engineSecurity: () => readEngineSecurity(env),
  });
  const { platform: e, server, notify, fireLane, userTaskLease, privacy, engineSecurity } = values;
  if (e && engineSecurity && !e.ZEEBE_GRPC_ADDRESS) {
    const exposed = engineExposureProblem(e.ENGINE_HOST, engineSecurity.auth, e.DEMO);
    if (exposed) problems.push(exposed);
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    ...server,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    zeebeGrpcAddress: e.ZEEBE_GRPC_ADDRESS,
    enginePort: e.ENGINE_PORT,
    engineHost: e.ENGINE_HOST,
    engineRestPort: e.ENGINE_REST_PORT,
    modelLimits: {
      maxXmlBytes: e.ENGINE_MAX_XML_BYTES,
      maxSubprocessDepth: e.ENGINE_MAX_SUBPROCESS_DEPTH,
      maxXmlDepth: e.ENGINE_MAX_XML_DEPTH,
      maxElements: e.ENGINE_MAX_ELEMENTS,
      maxExpressionLength: e.ENGINE_MAX_EXPRESSION_LENGTH,
    },
    engineAuth: engineSecurity.auth,
    engineTls: engineSecurity.tls,
    feelBudgetMs: engineSecurity.feelBudgetMs,
    smsProvider: notify.provider,
    smsWebhookUrl: notify.webhookUrl,
    demo: e.DEMO,
    logLevel: e.LOG_LEVEL,
    calendarRefreshSeconds: e.CALENDAR_REFRESH_SECONDS,
    notify,
    fireLane,
    userTaskLease,
    privacy,
  };
}
