/**
 * Fire-lane settings: this module's variables, read with the one env reader (domain/config/env.ts)
 * and composed into the whole configuration by platform/config.ts.
 *
 * - `FIRE_LANE_DWELL_SECONDS` (default 0): a car must be seen in a lane this long before a case
 *   opens; 0 opens a case on the first detection (the Ningbo practice: notice within seconds).
 * - `FIRE_LANE_GRACE` (ISO-8601 duration, default `PT30M`): how long the owner has after the notice
 *   before the warning SMS and the on-site task. Passed into the model as `graceDuration`.
 * - `FIRE_LANE_REPEAT_DAYS` (90), `FIRE_LANE_PENALTY_AT` (3), `FIRE_LANE_CREDIT_AT` (6): a plate's
 *   offences within the window; from the penalty threshold on the owner gets a penalty notice, at the
 *   credit threshold the plate is put on the credit list.
 */
import { z } from 'zod';
import { readEnv } from '../config/env';

export interface FireLaneConfig {
  dwellSeconds: number;
  /** ISO-8601 duration, e.g. `PT30M`. */
  grace: string;
  /** The grace in whole minutes (rounded up), for the SMS text. */
  graceMinutes: number;
  repeatWindowDays: number;
  penaltyAt: number;
  creditAt: number;
}

const ISO_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Seconds of a day-time ISO-8601 duration (`P1D`, `PT30M`, `PT1H30M`, `PT45S`); undefined if not one. */
export function isoDurationSeconds(value: string): number | undefined {
  const m = ISO_DURATION.exec(value.trim().toUpperCase());
  if (!m || value.trim().toUpperCase() === 'P' || /T$/.test(value.trim())) return undefined;
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0));
  return d * 86_400 + h * 3600 + min * 60 + s;
}

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `expected a number from ${min} to ${max}`);

const schema = z.object({
  FIRE_LANE_DWELL_SECONDS: int(0, 3600).default(0),
  FIRE_LANE_GRACE: z
    .string()
    .trim()
    .refine(
      (v) => (isoDurationSeconds(v) ?? 0) >= 60,
      'expected an ISO-8601 duration of at least one minute, e.g. PT30M',
    )
    .default('PT30M'),
  FIRE_LANE_REPEAT_DAYS: int(1, 3650).default(90),
  FIRE_LANE_PENALTY_AT: int(1, 1000).default(3),
  FIRE_LANE_CREDIT_AT: int(1, 1000).default(6),
});

/** Fire-lane settings from the environment; throws EnvError naming every bad variable. */
export function loadFireLaneConfig(env: NodeJS.ProcessEnv = process.env): FireLaneConfig {
  const e = readEnv(schema, env, 'fire-lane configuration');
  const grace = e.FIRE_LANE_GRACE.toUpperCase();
  return {
    dwellSeconds: e.FIRE_LANE_DWELL_SECONDS,
    grace,
    graceMinutes: Math.ceil(isoDurationSeconds(grace)! / 60),
    repeatWindowDays: e.FIRE_LANE_REPEAT_DAYS,
    penaltyAt: e.FIRE_LANE_PENALTY_AT,
    creditAt: Math.max(e.FIRE_LANE_CREDIT_AT, e.FIRE_LANE_PENALTY_AT),
  };
}
