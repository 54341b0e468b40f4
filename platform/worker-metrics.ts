import type { JobWorkerDefinition } from '../workers';
import type { PlatformMetrics } from '../server/metrics/metrics';

const OUTCOMES = {
  complete: 'complete',
  fail: 'fail',
  error: 'error',
  forward: 'forward',
  cancelWorkflow: 'cancel',
} as const;

/**
 * Wraps worker definitions so each handled job is counted by outcome and timed, without touching
 * the workers themselves: the job's outcome methods are observed as the handler calls them.
 */
export function instrumentWorkers(
  definitions: readonly JobWorkerDefinition[],
  metrics: PlatformMetrics,
): JobWorkerDefinition[] {
  return definitions.map((def) => ({
    ...def,
    handler: (ctx) => {
      const inner = def.handler(ctx);
      return ((job: any, ...rest: any[]) => {
        const end = metrics.workerJobDuration.startTimer({ type: def.taskType });
        for (const [method, outcome] of Object.entries(OUTCOMES)) {
          const original = job[method];
          if (typeof original !== 'function') continue;
          job[method] = (...args: unknown[]) => {
            metrics.workerJobs.inc({ type: def.taskType, outcome });
            return original.apply(job, args);
          };
        }
        const finish = () => end();
        try {
          const result = (inner as any)(job, ...rest);
          return Promise.resolve(result).then(
            (value) => (finish(), value),
            (err) => {
              finish();
              metrics.workerJobs.inc({ type: def.taskType, outcome: 'thrown' });
              throw err;
            },
          );
        } catch (err) {
          finish();
          metrics.workerJobs.inc({ type: def.taskType, outcome: 'thrown' });
          throw err;
        }
      }) as ReturnType<JobWorkerDefinition['handler']>;
    },
  }));
}
