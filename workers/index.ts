/**
 * @packageDocumentation
 * The job worker runner: registers every worker in {@link workerRegistry} with the SDK's Zeebe gRPC
 * client. It is the same code whether the client talks to the embedded engine or to a Zeebe
 * cluster (ARCHITECTURE.md, "One protocol, two engines").
 *
 * Adding a worker: write `workers/<job-type>.ts` exporting its `taskType` and a handler factory,
 * and declare it once in ./registry.ts (CONTRIBUTING.md).
 */
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { FireLaneConfig } from '../domain/fire-lane/config';
import type { UserTaskLeaseConfig } from '../domain/tasks/user-task-lease';
import { workerRegistry } from './registry';

type ZeebeGrpcClient = Zeebe.ZeebeGrpcClient;
type WorkerConfig = Parameters<ZeebeGrpcClient['createWorker']>[0];
type WorkerOptions = Omit<WorkerConfig, 'taskType' | 'taskHandler'>;

/** A definition's SDK options in a context. */
export function optionsOf(definition: JobWorkerDefinition, ctx: WorkerContext): WorkerOptions | undefined {
  return typeof definition.options === 'function' ? definition.options(ctx) : definition.options;
}

/** The settings the workers read (sections of platform/config.ts's configuration). */
export interface WorkersConfig {
  fireLane: FireLaneConfig;
  userTaskLease: UserTaskLeaseConfig;
}

/** What every handler may use besides the job: the database, configuration and a logger. */
export interface WorkerContext {
  db: Knex;
  config: WorkersConfig;
  log: Logger;
  /** The SMS outbox's dispatcher: `sms.notify` wakes it after queuing, so a notice leaves at once. */
  notify?: { wake(): void; dailyCapPerPhone?: number };
  /** The client the workers run on (set by {@link startWorkers}): for calls besides the job's own outcome. */
  zbc?: ZeebeGrpcClient;
}

/**
 * One job type and how to handle it. The handler must return an explicit outcome
 * (`job.complete()`, `job.fail()`, `job.error()`); a thrown exception fails the job with retries.
 * Handlers are idempotent: a job can be delivered twice.
 */
export interface JobWorkerDefinition {
  taskType: string;
  handler: (ctx: WorkerContext) => WorkerConfig['taskHandler'];
  /** Extra SDK options (maxJobsToActivate, timeout, pollInterval, fetchVariable, …), or a function of the context for options that come from the configuration. */
  options?: WorkerOptions | ((ctx: WorkerContext) => WorkerOptions);
  /**
   * Latency-critical (detection → SMS): take jobs from a StreamActivatedJobs stream, which the engine
   * pushes the moment a job is created, instead of waiting for the next poll (up to `pollInterval`
   * late). The SDK's stream worker also polls on open and every {@link STREAM_SIDECAR_POLL_MS} for
   * jobs created while no stream was open (a restart) or timed out.
   */
  stream?: boolean;
  /**
   * Something that runs beside the worker and stops with it, e.g. the user-task bridge's lease
   * heartbeat. Started once by {@link startWorkers}; `close()` is awaited after the worker closed.
   */
  companion?: (ctx: WorkerContext & { zbc: ZeebeGrpcClient }) => { close(): Promise<void> };
}

/** The workers the platform starts: every job type of ./registry.ts. */
export { workerRegistry };

/** The stream workers' safety-net poll for jobs the stream did not carry. */
export const STREAM_SIDECAR_POLL_MS = 1000;
/** How soon a job stream that could not be opened is tried again. */
const STREAM_RETRY_MS = 2000;

/** Running workers; `close()` stops polling and waits for handlers in flight. */
export interface RunningWorkers {
  readonly taskTypes: readonly string[];
  close(): Promise<void>;
}

/** Starts one SDK job worker per definition on the given client. */
export function startWorkers(
  zbc: ZeebeGrpcClient,
  ctx: WorkerContext,
  registry: readonly JobWorkerDefinition[] = workerRegistry,
): RunningWorkers {
  const full = { ...ctx, zbc: ctx.zbc ?? zbc };
  const workers: Array<{ close(): Promise<unknown> }> = registry.map((definition) =>
    definition.stream
      ? streamWorker(zbc, definition, full)
      : zbc.createWorker({
          // The SDK polls every 300 ms by default, which caps throughput and adds latency (PITFALLS.md).
          pollInterval: 50,
          ...optionsOf(definition, full),
          taskType: definition.taskType,
          taskHandler: definition.handler(full),
        }),
  );
  const companions = registry.flatMap((definition) => (definition.companion ? [definition.companion(full)] : []));
  if (workers.length > 0) ctx.log.info({ taskTypes: registry.map((d) => d.taskType) }, 'job workers started');
  return {
    taskTypes: registry.map((d) => d.taskType),
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(companions.map((c) => c.close()));
    },
  };
}

/**
 * One streamed job type. The SDK's stream worker calls the handler without awaiting it, so a thrown
 * exception would be an unhandled rejection: here it fails the job with a retry, like the polling
 * worker does; `close()` ends the stream and waits for the handlers in flight.
 */
function streamWorker(
  zbc: ZeebeGrpcClient,
  definition: JobWorkerDefinition,
  ctx: WorkerContext,
): { close(): Promise<void> } {
  const handler = definition.handler(ctx) as (job: any) => Promise<unknown>;
  const inFlight = new Set<Promise<unknown>>();
  const run = (job: any) => {
    const p = Promise.resolve()
      .then(() => handler(job))
      .catch((err: Error) => {
        ctx.log.warn(
          { err: { message: err.message }, jobType: definition.taskType, elementId: job.elementId },
          'job handler failed; the job is failed with a retry',
        );
        return job
          .fail({
            errorMessage: `${definition.taskType}: ${err.message}`,
            retries: Math.max(0, Number(job.retries) - 1),
            retryBackOff: 1000,
          })
          .catch(() => undefined);
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  // Open the stream; if the engine is not reachable yet (an external cluster coming up), retry.
  let closed = false;
  let current: { close?: () => void } | undefined;
  let retry: NodeJS.Timeout | undefined;
  let warned = false;
  const open = () => {
    if (closed) return;
    zbc
      .streamJobs({
        type: definition.taskType,
        worker: `onematter-${definition.taskType}`,
        timeout: Number(optionsOf(definition, ctx)?.timeout ?? 60_000),
        taskHandler: run as never,
        tenantIds: [],
        pollInterval: STREAM_SIDECAR_POLL_MS,
      })
      .then(
        (stream) => {
          if (closed) (stream as { close?: () => void }).close?.();
          else current = stream as { close?: () => void };
        },
        (err: Error) => {
          if (!warned)
            ctx.log.warn(
              { err: { message: err.message }, jobType: definition.taskType },
              'job stream not open yet; retrying',
            );
          warned = true;
          if (closed) return;
          retry = setTimeout(open, STREAM_RETRY_MS);
          retry.unref();
        },
      );
  };
  open();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      // The SDK prints every stream error with console.error, including the CANCELLED our own close
      // causes; a stream being closed on purpose is not an error worth a stack trace on shutdown.
      const streams =
        (zbc as unknown as { streamWorker?: { streams?: NodeJS.EventEmitter[] } }).streamWorker?.streams ?? [];
      for (const s of streams) s.removeAllListeners('error').on('error', () => undefined);
      current?.close?.();
      await Promise.all([...inFlight]);
    },
  };
}
