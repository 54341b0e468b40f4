/**
 * The user-task bridge's job leases (processes/README.md, "User-task bridge: leases").
 *
 * A user-task job is activated with a SHORT timeout ({@link UserTaskLeaseConfig.activationTimeoutMs},
 * 10 minutes): if the worker dies (or its database write fails) before the task row exists, the
 * engine hands the job out again within minutes and the bridge writes the row then — it is keyed by
 * `job_key`, so a second delivery never duplicates a task. Once the row exists the bridge arms a
 * LONG lease on the job with `UpdateJobTimeout` ({@link UserTaskLeaseConfig.leaseMs}, 3 days), and
 * the {@link UserTaskLeaseHeartbeat} re-arms the lease of every open task once per cycle (a day), so
 * a task that waits for weeks is never handed to another worker.
 *
 * The heartbeat only talks to the engine through the gateway protocol (`UpdateJobTimeout`), so it
 * works the same against the embedded engine and a Zeebe cluster. What each answer means:
 * - OK: the lease runs `leaseMs` from now;
 * - NOT_FOUND: the job is gone (its element was terminated) → the task is marked cancelled;
 * - FAILED_PRECONDITION / INVALID_STATE: the job exists but is not activated (its lease ran out while
 *   the platform was down, or it failed): the bridge activates it again, finds the row, re-arms it.
 *
 * Load: one `UpdateJobTimeout` per open task per cycle, spread evenly over the cycle in small slices
 * (every `heartbeatTickMs`), walking the open tasks by `job_key`. 100 000 open tasks with the
 * defaults are ≈ 70 calls a minute.
 */
import type { Zeebe } from '@camunda8/sdk';
import { z } from 'zod';
import { EnvError, readEnv } from '../config/env';

type ZeebeGrpcClient = Zeebe.ZeebeGrpcClient;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A long activation for callers that hold user-task jobs without the lease heartbeat: the scenario
 * test driver activates with it, and `sweepCancelledTasks` re-arms with it. The platform's worker
 * activates for {@link DEFAULT_USER_TASK_LEASE}`.activationTimeoutMs` and arms leases instead.
 */
export const USER_TASK_JOB_TIMEOUT_MS = 30 * 24 * 3600 * 1000;

export interface UserTaskLeaseConfig {
  /** How long a job activated by the bridge may go without a task row before the engine hands it out again. */
  activationTimeoutMs: number;
  /** The lease armed on a job whose task row exists (and re-armed by the heartbeat). */
  leaseMs: number;
  /** Every open task's lease is re-armed once per cycle. Must be well under `leaseMs`. */
  heartbeatCycleMs: number;
  /** How often the heartbeat re-arms its next slice; 0 = never by itself (tests call `tick()`). */
  heartbeatTickMs: number;
  /** `UpdateJobTimeout` calls in flight at once. */
  concurrency: number;
  /** Back-off before a job whose row could not be written (database error) is handed out again. */
  retryBackOffMs: number;
}

export const DEFAULT_USER_TASK_LEASE: Readonly<UserTaskLeaseConfig> = Object.freeze({
  activationTimeoutMs: 10 * MINUTE,
  leaseMs: 3 * DAY,
  heartbeatCycleMs: DAY,
  heartbeatTickMs: MINUTE,
  concurrency: 8,
  retryBackOffMs: MINUTE,
});

const ENV: Record<keyof UserTaskLeaseConfig, string> = {
  activationTimeoutMs: 'USER_TASK_ACTIVATION_TIMEOUT_MS',
  leaseMs: 'USER_TASK_LEASE_MS',
  heartbeatCycleMs: 'USER_TASK_HEARTBEAT_CYCLE_MS',
  heartbeatTickMs: 'USER_TASK_HEARTBEAT_TICK_MS',
  concurrency: 'USER_TASK_HEARTBEAT_CONCURRENCY',
  retryBackOffMs: 'USER_TASK_RETRY_BACKOFF_MS',
};

/**
 * Checks a lease configuration. The lease must outlast two cycles plus a tick: a task visited first
 * in one cycle and last in the next waits up to two cycles for its next re-arm.
 */
export function validateUserTaskLease(c: UserTaskLeaseConfig): UserTaskLeaseConfig {
  for (const key of Object.keys(ENV) as Array<keyof UserTaskLeaseConfig>) {
    const v = c[key];
    if (!Number.isInteger(v) || v < 0 || (v === 0 && key !== 'heartbeatTickMs' && key !== 'retryBackOffMs')) {
      throw new Error(`${ENV[key]} must be a positive whole number, but is ${v}`);
    }
  }
  if (c.activationTimeoutMs < 10_000)
    throw new Error(
      `${ENV.activationTimeoutMs} must be at least 10 s (a row write takes longer under load), but is ${c.activationTimeoutMs}`,
    );
  if (c.leaseMs < 2 * c.heartbeatCycleMs + c.heartbeatTickMs) {
    throw new Error(
      `${ENV.leaseMs} (${c.leaseMs}) must be at least two heartbeat cycles plus a tick (${2 * c.heartbeatCycleMs + c.heartbeatTickMs})`,
    );
  }
  if (c.leaseMs <= c.activationTimeoutMs)
    throw new Error(`${ENV.leaseMs} must be longer than ${ENV.activationTimeoutMs}`);
  if (c.heartbeatTickMs > c.heartbeatCycleMs)
    throw new Error(`${ENV.heartbeatTickMs} must not exceed ${ENV.heartbeatCycleMs}`);
  return c;
}

const milliseconds = z
  .string()
  .trim()
  .refine((v) => Number.isFinite(Number(v)), 'expected a number of milliseconds')
  .transform(Number);
/** This module's variables: each a number of milliseconds (or a count), unset = the default. */
const leaseEnv = z.object(Object.fromEntries(Object.values(ENV).map((name) => [name, milliseconds.optional()])));

/**
 * The lease configuration from the environment (milliseconds), defaults for what is unset; read
 * with the one env reader (domain/config/env.ts). Throws EnvError naming the variable.
 */
export function loadUserTaskLease(env: NodeJS.ProcessEnv = process.env): UserTaskLeaseConfig {
  const e = readEnv(leaseEnv, env, 'user-task lease configuration');
  const out = { ...DEFAULT_USER_TASK_LEASE };
  for (const [key, name] of Object.entries(ENV) as Array<[keyof UserTaskLeaseConfig, string]>) {
    if (e[name] !== undefined) out[key] = e[name];
  }
  try {
    return validateUserTaskLease(out);
  } catch (err) {
    throw new EnvError([(err as Error).message], 'user-task lease configuration');
  }
}

export type LeaseOutcome = 'armed' | 'gone' | 'not-active';

function grpcCode(err: unknown): number | undefined {
  const e = err as { code?: number; message?: string };
  if (typeof e?.code === 'number') return e.code;
  const m = /^(\d+) [A-Z_]+:/.exec(String(e?.message ?? ''));
  return m ? Number(m[1]) : undefined;
}

/**
 * Arms (or re-arms) a user-task job's lease. NOT_FOUND (5) means the job is gone; FAILED_PRECONDITION
 * (9, Zeebe's INVALID_STATE) that it exists but is not activated. Anything else (the engine is
 * unreachable) is thrown.
 */
export async function armLease(zbc: ZeebeGrpcClient, jobKey: string, leaseMs: number): Promise<LeaseOutcome> {
  try {
    await zbc.updateJobTimeout({ jobKey, timeout: leaseMs });
    return 'armed';
  } catch (err) {
    const code = grpcCode(err);
    if (code === 5 || /NOT_FOUND/.test(String((err as Error)?.message))) return 'gone';
    if (code === 9 || /INVALID_STATE|FAILED_PRECONDITION/.test(String((err as Error)?.message))) return 'not-active';
    throw err;
  }
}
