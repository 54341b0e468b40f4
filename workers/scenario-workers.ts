/**
 * The one-matter scenario workers (issue 5) as {@link JobWorkerDefinition}s, and the same handlers by
 * job type for the scenario tests' driver. Job types and their contracts: processes/README.md.
 */
import type { Knex } from 'knex';
import { ClassificationService } from '../domain/classify/classification-service';
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
import { createHazmatCloseRoundHandler, taskType as closeRoundType } from './hazmat-close-round';
import { createHazmatOpenRoundHandler, taskType as openRoundType } from './hazmat-open-round';
import type { JobWorkerDefinition } from './index';
import { createRectificationNoticeHandler, taskType as rectifyType } from './rectification-notice';
import { createSlaAdjustHandler, taskType as adjustType } from './sla-adjust';
import { createSlaComputeHandler, taskType as computeType } from './sla-compute';
import { createSlaEscalateHandler, taskType as escalateType } from './sla-escalate';
import { createSlaRedCardHandler, taskType as redType } from './sla-red-card';
import { createSlaStopHandler, taskType as stopType } from './sla-stop';
import { createSlaYellowCardHandler, taskType as yellowType } from './sla-yellow-card';
import type { JobAck, WorkerJob } from './support/job';
import { createUserTaskBridgeHandler, taskType as bridgeType, type BridgeJob, type BridgeLease } from './user-task-bridge';
import { UserTaskLeaseHeartbeat } from './user-task-heartbeat';

export interface ScenarioWorkerDeps {
  db: Knex;
  now: () => Date;
  classification: ClassificationService;
  /** The user-task bridge arms job leases with it (the platform's worker); absent in the test driver. */
  userTaskLease?: BridgeLease;
}

export type AnyHandler = (job: WorkerJob & BridgeJob) => Promise<JobAck>;

/** Every scenario job type → its handler, over the given dependencies. */
export function scenarioHandlers(deps: ScenarioWorkerDeps): Record<string, AnyHandler> {
  return {
    [acceptType]: createCaseAcceptHandler(deps),
    [classifyType]: (job) => classifyHandler(job as never, deps) as Promise<JobAck>,
    [confirmType]: createCaseConfirmHandler(deps),
    [routeType]: createCaseRouteHandler(deps),
    [mergeType]: createCaseMergeHandler(deps),
    [returnType]: createCaseReturnHandler(deps),
    [replyType]: createCaseReplyHandler(deps),
    [closeType]: createCaseCloseHandler(deps),
    [reopenType]: createCaseReopenHandler(deps),
    [assignType]: createAssignCollaboratorsHandler(deps),
    [rectifyType]: createRectificationNoticeHandler(deps),
    [openRoundType]: createHazmatOpenRoundHandler(deps),
    [closeRoundType]: createHazmatCloseRoundHandler(deps),
    [computeType]: createSlaComputeHandler(deps),
    [adjustType]: createSlaAdjustHandler(deps),
    [yellowType]: createSlaYellowCardHandler(deps),
    [redType]: createSlaRedCardHandler(deps),
    [escalateType]: createSlaEscalateHandler(deps),
    [stopType]: createSlaStopHandler(deps),
    [bridgeType]: createUserTaskBridgeHandler(deps, deps.userTaskLease),
  };
}

export const SCENARIO_JOB_TYPES = [
  acceptType, classifyType, confirmType, routeType, mergeType, returnType, replyType, closeType, reopenType, assignType,
  rectifyType, openRoundType, closeRoundType, computeType, adjustType, yellowType, redType, escalateType, stopType, bridgeType,
] as const;

/** One classifier per database, shared by `case.classify` and `case.confirm-classification`. */
const services = new WeakMap<Knex, ClassificationService>();
function classificationFor(db: Knex): ClassificationService {
  let s = services.get(db);
  if (!s) services.set(db, (s = new ClassificationService(db)));
  return s;
}

type SdkHandler = JobWorkerDefinition['handler'] extends (ctx: never) => infer H ? H : never;

/** The scenario workers for the runner (workers/index.ts). */
export const scenarioWorkers: JobWorkerDefinition[] = SCENARIO_JOB_TYPES.map((type) => ({
  taskType: type,
  handler: (ctx) => {
    const { userTaskLease } = ctx.config;
    const lease = type === bridgeType && ctx.zbc ? { zbc: ctx.zbc, leaseMs: userTaskLease.leaseMs, retryBackOffMs: userTaskLease.retryBackOffMs, log: ctx.log } : undefined;
    const handlers = scenarioHandlers({ db: ctx.db, now: () => new Date(), classification: classificationFor(ctx.db), userTaskLease: lease });
    return handlers[type] as unknown as SdkHandler;
  },
  // A user-task job is activated for minutes; the bridge arms a long lease once its row exists.
  options: (ctx) => ({ timeout: type === bridgeType ? ctx.config.userTaskLease.activationTimeoutMs : 60_000 }),
  companion: type === bridgeType ? (ctx) => new UserTaskLeaseHeartbeat(ctx.db, ctx.zbc, ctx.config.userTaskLease, () => new Date(), ctx.log).start() : undefined,
}));
