/**
 * Every job type the platform's workers handle, declared once: its type (exported by the worker's
 * own file), how its handler is made from the dependencies, and how it is run (stream or poll,
 * SDK options, a companion). The runner (./index.ts) registers {@link workerRegistry} with the SDK;
 * the scenario tests' driver calls {@link jobHandlers} with the engine's clock. Job types and their
 * contracts: processes/README.md. Adding a worker: CONTRIBUTING.md.
 */
import type { Knex } from 'knex';
import { ClassificationService } from '../domain/classify/classification-service';
import type { FireLaneConfig } from '../domain/fire-lane/config';
import { createAssignCollaboratorsHandler, taskType as assignType } from './case-assign-collaborators';
import { handler as classifyHandler, taskType as classifyType } from './case-classify';
import { createCaseAcceptHandler, taskType as acceptType } from './case-accept';
import { createCaseCloseHandler, taskType as closeType } from './case-close';
import { createCaseConfirmHandler, taskType as confirmType } from './case-confirm-classification';
import { createCaseMergeHandler, taskType as mergeType } from './case-merge';
import { createCaseReopenHandler, taskType as reopenType } from './case-reopen';
import { createCaseReplyHandler, taskType as replyType } from './case-reply';
import { createCaseReturnHandler, taskType as returnType } from './case-return';
import { createCaseRouteHandler, taskType as routeType } from './case-route';
import { createFireLaneOffenceHandler, taskType as offenceType } from './fire-lane-offence';
import { createHazmatCloseRoundHandler, taskType as closeRoundType } from './hazmat-close-round';
import { createHazmatOpenRoundHandler, taskType as openRoundType } from './hazmat-open-round';
import type { JobWorkerDefinition, WorkerContext } from './index';
import { createRectificationNoticeHandler, taskType as rectifyType } from './rectification-notice';
import { createSlaAdjustHandler, taskType as adjustType } from './sla-adjust';
import { createSlaComputeHandler, taskType as computeType } from './sla-compute';
import { createSlaEscalateHandler, taskType as escalateType } from './sla-escalate';
import { createSlaRedCardHandler, taskType as redType } from './sla-red-card';
import { createSlaStopHandler, taskType as stopType } from './sla-stop';
import { createSlaYellowCardHandler, taskType as yellowType } from './sla-yellow-card';
import { createSmsNotifyHandler, taskType as smsType } from './sms-notify';
import type { JobAck, WorkerJob } from './support/job';
import {
  createUserTaskBridgeHandler,
  taskType as bridgeType,
  type BridgeJob,
  type BridgeLease,
} from './user-task-bridge';
import { UserTaskLeaseHeartbeat } from './user-task-heartbeat';
import { createVehicleLookupHandler, taskType as lookupType } from './vehicle-lookup';

/** What handlers are made from. The platform passes the system clock; the tests' driver the engine's. */
export interface JobDeps {
  db: Knex;
  now: () => Date;
  /** The classifier (`case.classify`, `case.confirm-classification`); one per database. */
  classification?: ClassificationService;
  /** The user-task bridge arms job leases with it (the platform's worker); absent in the test driver. */
  userTaskLease?: BridgeLease;
  /** Wakes the SMS dispatcher after a new outbox row (detection → provider latency). */
  wake?: () => void;
  dailyCapPerPhone?: number;
  fireLane?: FireLaneConfig;
}

export type AnyHandler = (job: WorkerJob & BridgeJob) => Promise<JobAck>;

/** One job type: declared once, here. */
interface JobType {
  taskType: string;
  create(deps: JobDeps): AnyHandler;
  /** Latency-critical: take jobs from a StreamActivatedJobs stream (./index.ts). */
  stream?: boolean;
  /** The job's activation timeout in this context (default 60 s). */
  timeoutMs?: (ctx: WorkerContext) => number;
  companion?: JobWorkerDefinition['companion'];
}

const classification = (d: JobDeps) => d.classification ?? classificationFor(d.db);

/** Every job type, in the order of the one window: intake, dispatch, handling, SLA, tasks, fire lane. */
export const JOB_TYPES: readonly JobType[] = [
  { taskType: acceptType, create: createCaseAcceptHandler },
  {
    taskType: classifyType,
    create: (d) => (job) =>
      classifyHandler(job as never, { ...d, classification: classification(d) }) as Promise<JobAck>,
  },
  { taskType: confirmType, create: (d) => createCaseConfirmHandler({ ...d, classification: classification(d) }) },
  { taskType: routeType, create: createCaseRouteHandler },
  { taskType: mergeType, create: createCaseMergeHandler },
  { taskType: returnType, create: createCaseReturnHandler },
  { taskType: replyType, create: createCaseReplyHandler },
  { taskType: closeType, create: createCaseCloseHandler },
  { taskType: reopenType, create: createCaseReopenHandler },
  { taskType: assignType, create: createAssignCollaboratorsHandler },
  { taskType: rectifyType, create: createRectificationNoticeHandler },
  { taskType: openRoundType, create: createHazmatOpenRoundHandler },
  { taskType: closeRoundType, create: createHazmatCloseRoundHandler },
  { taskType: computeType, create: createSlaComputeHandler },
  { taskType: adjustType, create: createSlaAdjustHandler },
  { taskType: yellowType, create: createSlaYellowCardHandler },
  { taskType: redType, create: createSlaRedCardHandler },
  { taskType: escalateType, create: createSlaEscalateHandler },
  { taskType: stopType, create: createSlaStopHandler },
  {
    taskType: bridgeType,
    create: (d) => createUserTaskBridgeHandler(d, d.userTaskLease),
    // A user-task job is activated for minutes; the bridge arms a long lease once its row exists.
    timeoutMs: (ctx) => ctx.config.userTaskLease.activationTimeoutMs,
    companion: (ctx) =>
      new UserTaskLeaseHeartbeat(ctx.db, ctx.zbc, ctx.config.userTaskLease, () => new Date(), ctx.log).start(),
  },
  // the fire lane: detection → SMS is latency-critical, so its steps are streamed
  { taskType: lookupType, create: (d) => createVehicleLookupHandler(d) as AnyHandler, stream: true },
  {
    taskType: smsType,
    create: (d) =>
      createSmsNotifyHandler({
        db: d.db,
        now: d.now,
        wake: d.wake,
        dailyCapPerPhone: d.dailyCapPerPhone,
      }) as AnyHandler,
    stream: true,
  },
  { taskType: offenceType, create: (d) => createFireLaneOffenceHandler(d) as AnyHandler },
];

/** Every job type → its handler, over the given dependencies (the scenario tests' driver). */
export function jobHandlers(deps: JobDeps): Record<string, AnyHandler> {
  return Object.fromEntries(JOB_TYPES.map((j) => [j.taskType, j.create(deps)]));
}

/** One classifier per database, shared by `case.classify` and `case.confirm-classification`. */
const services = new WeakMap<Knex, ClassificationService>();
function classificationFor(db: Knex): ClassificationService {
  let s = services.get(db);
  if (!s) services.set(db, (s = new ClassificationService(db)));
  return s;
}

type SdkHandler = JobWorkerDefinition['handler'] extends (ctx: never) => infer H ? H : never;

/** The job types as the runner registers them with the SDK (./index.ts). */
export const workerRegistry: readonly JobWorkerDefinition[] = JOB_TYPES.map((j) => ({
  taskType: j.taskType,
  handler: (ctx) => {
    const { userTaskLease } = ctx.config;
    const lease = ctx.zbc
      ? { zbc: ctx.zbc, leaseMs: userTaskLease.leaseMs, retryBackOffMs: userTaskLease.retryBackOffMs, log: ctx.log }
      : undefined;
    const deps: JobDeps = {
      db: ctx.db,
      now: () => new Date(),
      userTaskLease: lease,
      wake: ctx.notify?.wake,
      dailyCapPerPhone: ctx.notify?.dailyCapPerPhone,
      fireLane: ctx.config.fireLane,
    };
    return j.create(deps) as unknown as SdkHandler;
  },
  options: (ctx) => ({ timeout: j.timeoutMs?.(ctx) ?? 60_000 }),
  stream: j.stream,
  companion: j.companion,
}));
