import path from 'node:path';
import { z } from 'zod';

/**
 * Platform configuration, read from the environment once at start and validated, so a typo fails
 * fast with a message naming the variable instead of surfacing later as a confusing runtime error.
 */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Unset → embedded PostgreSQL (PGlite) under `dataDir/pg`. */
  databaseUrl?: string;
  /** Unset → start the embedded engine on `enginePort`. */
  zeebeGrpcAddress?: string;
  enginePort: number;
  engineHost: string;
  smsProvider: 'outbox' | 'webhook' | 'aliyun' | 'tencent';
  smsWebhookUrl?: string;
  demo: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Sessions end after this many minutes without a request (sliding expiry). */
  sessionIdleMinutes: number;
  /** In-memory rate limits (server/auth/rate-limit.ts). */
  rateLimits: { loginPerIp: RateLimit; loginPerUser: RateLimit; publicIntakePerIp: RateLimit };
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Camunda Operate of an external Zeebe cluster (the SDK's CAMUNDA_OPERATE_BASE_URL), named in the incidents answer. */
  operateUrl?: string;
  /** How often (seconds) a platform on PostgreSQL looks for holiday years changed by another process; 0 = never. */
  calendarRefreshSeconds: number;
}

/** At most `limit` requests per `windowMs`, written `limit/window` in the environment, e.g. `10/15m`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['', '0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'expected one of 1, 0, true, false, yes, no, on, off',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const port = z
  .string()
  .trim()
  .regex(/^\d+$/, 'expected a whole number')
  .transform(Number)
  .refine((n) => n >= 0 && n <= 65535, 'expected a port number from 0 to 65535');

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

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };
const rateLimit = z
  .string()
  .trim()
  .regex(/^\d+\/\d+[smh]$/, 'expected limit/window, e.g. 10/15m (window in s, m or h)')
  .transform((v): RateLimit => {
    const [limit, window] = v.split('/');
    return { limit: Number(limit), windowMs: Number(window.slice(0, -1)) * UNIT_MS[window.slice(-1)] };
  })
  .refine((r) => r.limit > 0 && r.windowMs > 0, 'expected a limit and a window above 0');

const schema = z.object({
  PORT: port.default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: postgresUrl.optional(),
  ZEEBE_GRPC_ADDRESS: grpcAddress.optional(),
  ENGINE_PORT: port.default(26500),
  ENGINE_HOST: z.string().trim().min(1).default('127.0.0.1'),
  SMS_PROVIDER: z.enum(['outbox', 'webhook', 'aliyun', 'tencent']).default('outbox'),
  SMS_WEBHOOK_URL: z.url().optional(),
  DEMO: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: z.string().trim().regex(/^[1-9]\d*$/, 'expected a whole number of minutes above 0').transform(Number).default(480),
  RATE_LIMIT_LOGIN_IP: rateLimit.default({ limit: 30, windowMs: 10 * 60_000 }),
  RATE_LIMIT_LOGIN_USER: rateLimit.default({ limit: 10, windowMs: 10 * 60_000 }),
  RATE_LIMIT_INTAKE_IP: rateLimit.default({ limit: 20, windowMs: 10 * 60_000 }),
  METRICS_TOKEN: z.string().trim().min(16, 'expected at least 16 characters').optional(),
  CAMUNDA_OPERATE_BASE_URL: z.url().optional(),
  CALENDAR_REFRESH_SECONDS: z.string().trim().regex(/^\d+$/, 'expected a whole number of seconds (0 = never)').transform(Number).default(60),
});

/** Thrown when the environment is invalid; `message` names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return `${name}=${JSON.stringify(input[name] ?? '')}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  if (e.SMS_PROVIDER === 'webhook' && !e.SMS_WEBHOOK_URL) {
    throw new ConfigError(['SMS_WEBHOOK_URL: required when SMS_PROVIDER=webhook']);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    zeebeGrpcAddress: e.ZEEBE_GRPC_ADDRESS,
    enginePort: e.ENGINE_PORT,
    engineHost: e.ENGINE_HOST,
    smsProvider: e.SMS_PROVIDER,
    smsWebhookUrl: e.SMS_WEBHOOK_URL,
    demo: e.DEMO,
    logLevel: e.LOG_LEVEL,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    rateLimits: { loginPerIp: e.RATE_LIMIT_LOGIN_IP, loginPerUser: e.RATE_LIMIT_LOGIN_USER, publicIntakePerIp: e.RATE_LIMIT_INTAKE_IP },
    metricsToken: e.METRICS_TOKEN,
    operateUrl: e.CAMUNDA_OPERATE_BASE_URL,
    calendarRefreshSeconds: e.CALENDAR_REFRESH_SECONDS,
  };
}
