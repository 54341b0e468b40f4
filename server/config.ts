/**
 * The HTTP server's settings: its own variables, read with the platform's one env reader
 * (domain/config/env.ts) and composed into the whole configuration by platform/config.ts.
 */
import { z } from 'zod';
import { envPort, readEnv } from '../domain/config/env';

/** At most `limit` requests per `windowMs`, written `limit/window` in the environment, e.g. `10/15m`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface ServerConfig {
  port: number;
  host: string;
  /** Sessions end after this many minutes without a request (sliding expiry). */
  sessionIdleMinutes: number;
  /** In-memory rate limits (server/auth/rate-limit.ts). */
  rateLimits: { loginPerIp: RateLimit; loginPerUser: RateLimit; publicIntakePerIp: RateLimit };
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Camunda Operate of an external Zeebe cluster (the SDK's CAMUNDA_OPERATE_BASE_URL), named in the incidents answer. */
  operateUrl?: string;
}

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

/** The server's variables (README, "Configuration"). */
export const serverEnv = z.object({
  PORT: envPort.default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  SESSION_IDLE_MINUTES: z
    .string()
    .trim()
    .regex(/^[1-9]\d*$/, 'expected a whole number of minutes above 0')
    .transform(Number)
    .default(480),
  RATE_LIMIT_LOGIN_IP: rateLimit.default({ limit: 30, windowMs: 10 * 60_000 }),
  RATE_LIMIT_LOGIN_USER: rateLimit.default({ limit: 10, windowMs: 10 * 60_000 }),
  RATE_LIMIT_INTAKE_IP: rateLimit.default({ limit: 20, windowMs: 10 * 60_000 }),
  METRICS_TOKEN: z.string().trim().min(16, 'expected at least 16 characters').optional(),
  CAMUNDA_OPERATE_BASE_URL: z.url().optional(),
});

/** The server's settings from the environment; throws EnvError naming every bad variable. */
export function readServerConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const e = readEnv(serverEnv, env);
  return {
    port: e.PORT,
    host: e.HOST,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    rateLimits: {
      loginPerIp: e.RATE_LIMIT_LOGIN_IP,
      loginPerUser: e.RATE_LIMIT_LOGIN_USER,
      publicIntakePerIp: e.RATE_LIMIT_INTAKE_IP,
    },
    metricsToken: e.METRICS_TOKEN,
    operateUrl: e.CAMUNDA_OPERATE_BASE_URL,
  };
}
