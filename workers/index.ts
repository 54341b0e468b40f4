/**
 * @packageDocumentation
 * The job worker runner: registers every worker in {@link workerRegistry} with the SDK's Zeebe gRPC
 * client. It is the same code whether the client talks to the embedded engine or to a Zeebe
 * cluster (ARCHITECTURE.md, "One protocol, two engines").
 *
 * Adding a worker: write `workers/<job-type>.ts` exporting a {@link JobWorkerDefinition} and list
 * it in {@link workerRegistry}.
 */
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../server/config';
import { scenarioWorkers } from './scenario-workers';

type ZeebeGrpcClient = Zeebe.ZeebeGrpcClient;
type WorkerConfig = Parameters<ZeebeGrpcClient['createWorker']>[0];

/** What every handler may use besides the job: the database, configuration and a logger. */
export interface WorkerContext {
  db: Knex;
  config: Config;
  log: Logger;
}

/**
 * One job type and how to handle it. The handler must return an explicit outcome
 * (`job.complete()`, `job.fail()`, `job.error()`); a thrown exception fails the job with retries.
 * Handlers are idempotent: a job can be delivered twice.
 */
export interface JobWorkerDefinition {
  taskType: string;
  handler: (ctx: WorkerContext) => WorkerConfig['taskHandler'];
  /** Extra SDK options (maxJobsToActivate, timeout, pollInterval, fetchVariable, …). */
  options?: Omit<WorkerConfig, 'taskType' | 'taskHandler'>;
}

/** The workers the platform starts. Other issues add theirs here. */
export const workerRegistry: readonly JobWorkerDefinition[] = [...scenarioWorkers];

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
  const workers = registry.map((definition) =>
    zbc.createWorker({
      // The SDK polls every 300 ms by default, which caps throughput and adds latency (PITFALLS.md).
      pollInterval: 50,
      ...definition.options,
      taskType: definition.taskType,
      taskHandler: definition.handler(ctx),
    }),
  );
  if (workers.length > 0) ctx.log.info({ taskTypes: registry.map((d) => d.taskType) }, 'job workers started');
  return {
    taskTypes: registry.map((d) => d.taskType),
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
