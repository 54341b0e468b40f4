/**
 * The fire-lane workers (issue 6) and the generic `sms.notify` step as {@link JobWorkerDefinition}s,
 * and the same handlers by job type for the tests' driver. `vehicle.lookup` and `sms.notify` are on
 * the detection → SMS path, so they take their jobs from a job stream (pushed the moment the engine
 * creates them) rather than from a poll.
 */
import type { FireLaneConfig } from '../domain/fire-lane/config';
import { createFireLaneOffenceHandler, taskType as offenceType } from './fire-lane-offence';
import type { JobWorkerDefinition } from './index';
import type { AnyHandler } from './scenario-workers';
import { createSmsNotifyHandler, taskType as smsType } from './sms-notify';
import type { ScenarioDeps } from './support/job';
import { createVehicleLookupHandler, taskType as lookupType } from './vehicle-lookup';

export interface FireLaneWorkerDeps extends ScenarioDeps {
  /** Wakes the SMS dispatcher after a new outbox row (detection → provider latency). */
  wake?: () => void;
  dailyCapPerPhone?: number;
  fireLane?: FireLaneConfig;
}

export const FIRE_LANE_JOB_TYPES = [lookupType, smsType, offenceType] as const;

export function fireLaneHandlers(deps: FireLaneWorkerDeps): Record<string, AnyHandler> {
  return {
    [lookupType]: createVehicleLookupHandler(deps) as AnyHandler,
    [smsType]: createSmsNotifyHandler({ db: deps.db, now: deps.now, wake: deps.wake, dailyCapPerPhone: deps.dailyCapPerPhone }) as AnyHandler,
    [offenceType]: createFireLaneOffenceHandler(deps) as AnyHandler,
  };
}

type SdkHandler = JobWorkerDefinition['handler'] extends (ctx: never) => infer H ? H : never;

export const fireLaneWorkers: JobWorkerDefinition[] = FIRE_LANE_JOB_TYPES.map((type) => ({
  taskType: type,
  handler: (ctx) =>
    fireLaneHandlers({ db: ctx.db, now: () => new Date(), wake: ctx.notify?.wake, dailyCapPerPhone: ctx.notify?.dailyCapPerPhone, fireLane: ctx.config.fireLane })[type] as unknown as SdkHandler,
  options: { timeout: 60_000 },
  stream: type !== offenceType,
}));
