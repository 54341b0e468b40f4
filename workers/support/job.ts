/**
 * What the scenario workers need of a job: the SDK's `ZeebeJob` satisfies it structurally, and the
 * test driver (test/scenarios/drive.ts) builds the same shape over `activateJobs`, so tests run the
 * real handlers job by job.
 */
import type { JOB_ACTION_ACKNOWLEDGEMENT } from '@camunda8/sdk/dist/zeebe/lib/interfaces-1.0';
import type { Knex } from 'knex';

export type JobAck = JOB_ACTION_ACKNOWLEDGEMENT;

export interface WorkerJob<V = Record<string, unknown>> {
  readonly key: string;
  readonly type: string;
  readonly processInstanceKey: string;
  readonly bpmnProcessId: string;
  readonly elementId: string;
  readonly elementInstanceKey: string;
  readonly customHeaders: Readonly<Record<string, unknown>>;
  readonly variables: Readonly<V>;
  readonly retries: number;
  /** Epoch milliseconds, as a string. */
  readonly deadline: string;
  complete(variables?: Record<string, unknown>): Promise<JobAck>;
  fail(failure: { errorMessage: string; retries?: number; retryBackOff?: number }): Promise<JobAck>;
  error(error: { errorCode: string; errorMessage?: string; variables?: Record<string, unknown> }): Promise<JobAck>;
}

/** What every scenario worker gets: the database and a clock (the engine's clock in tests). */
export interface ScenarioDeps {
  db: Knex;
  now: () => Date;
}

export type ScenarioHandler = (job: WorkerJob) => Promise<JobAck>;

/** Bad input from the model; retrying cannot help, so the handler fails the job with no retries. */
export class ModelInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelInputError';
  }
}

/**
 * Wraps a handler body: a {@link ModelInputError} becomes an incident at once (no retries), any other
 * exception (database down) fails the job with the remaining retries and a back-off.
 */
export function withOutcome(body: (job: WorkerJob) => Promise<JobAck>): ScenarioHandler {
  return async (job) => {
    try {
      return await body(job);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof ModelInputError)
        return job.fail({ errorMessage: `${message} (element ${job.elementId})`, retries: 0 });
      return job.fail({
        errorMessage: `${job.type} failed on element ${job.elementId}: ${message}`,
        retries: Math.max(0, job.retries - 1),
        retryBackOff: 5000,
      });
    }
  };
}

/** A required string variable or header. */
export function requireString(value: unknown, what: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number') return String(value);
  throw new ModelInputError(`Expected ${what} to be a non-empty string, but got ${JSON.stringify(value)}`);
}

export function optionalString(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number') return String(value);
  return null;
}

export function stringList(value: unknown): string[] {
  if (Array.isArray(value))
    return [
      ...new Set(value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim())),
    ];
  if (typeof value === 'string' && value.trim() !== '')
    return [
      ...new Set(
        value
          .split(/[,;，；\s]+/)
          .map((v) => v.trim())
          .filter(Boolean),
      ),
    ];
  return [];
}

/** Parses an instant a variable carries: ISO with offset, FEEL's `…@UTC`/`[Zone]` forms, or epoch ms. */
export function parseInstant(value: unknown, what: string): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string') {
    const s = value
      .trim()
      .replace(/@UTC$/, 'Z')
      .replace(/\[[^\]]+\]$/, '');
    const ms = Date.parse(s);
    if (Number.isFinite(ms)) return new Date(ms);
  }
  throw new ModelInputError(`Expected ${what} to be an ISO date-time, but got ${JSON.stringify(value)}`);
}
