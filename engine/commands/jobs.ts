import { catchThrown, findCatch, unhandledErrorMessage } from '../bpmn/behaviors/triggers';
import { queueCompletion, runSteps } from '../bpmn/execution';
import { jobRecord, makeActivatable, removeJobDue } from '../bpmn/behaviors/jobs';
import { raiseIncident } from '../bpmn/behaviors/incidents';
import { setLocalVariables, visibleVariables } from '../bpmn/behaviors/variables';
import type { EngineCore } from '../processing/EngineCore';
import { TENANT } from '../processing/EngineCore';
import { Rejection } from '../processing/Rejection';
import type { Job, Key } from '../state/types';
import { stringifyJson } from '../state/json';

/** The gateway's ActivatedJob message (int64 as strings, JSON documents as strings). */
export interface ActivatedJob {
  key: Key;
  type: string;
  processInstanceKey: Key;
  bpmnProcessId: string;
  processDefinitionVersion: number;
  processDefinitionKey: Key;
  elementId: string;
  elementInstanceKey: Key;
  customHeaders: string;
  worker: string;
  retries: number;
  deadline: string;
  variables: string;
  tenantId: string;
}

export interface ActivateRequest {
  type: string;
  worker: string;
  timeout: number;
  maxJobsToActivate: number;
  fetchVariable: string[];
}

function getJob(core: EngineCore, key: Key, intent: string, verb: string): Job {
  const job = core.store.jobs.get(key);
  if (!job)
    throw new Rejection('NOT_FOUND', intent, `Expected to ${verb} job with key '${key}', but no such job was found`);
  return job;
}

function requireActivatable(job: Job, intent: string, verb: string): void {
  if (job.state !== 'ACTIVATABLE' && job.state !== 'ACTIVATED') {
    throw new Rejection(
      'INVALID_STATE',
      intent,
      `Expected to ${verb} job with key '${job.key}', but it is in state '${job.state}'`,
    );
  }
}

/** Activates up to N activatable jobs of a type, oldest first; each gets a deadline. */
export function activateJobs(core: EngineCore, req: ActivateRequest): ActivatedJob[] {
  const out: ActivatedJob[] = [];
  const now = core.now();
  for (const jk of [...core.store.activatableByType.get(req.type)]) {
    if (out.length >= req.maxJobsToActivate) break;
    const job = core.store.jobs.get(jk)!;
    const deadline = now + req.timeout;
    const activated = core.store.jobs.put(jk, { ...job, state: 'ACTIVATED', worker: req.worker, deadline });
    core.store.due.put(`jd:${jk}`, { id: `jd:${jk}`, kind: 'job-deadline', dueAt: deadline, data: { jobKey: jk } });
    core.effects.dueChanged = true;
    out.push(toActivatedJob(core, activated, req.fetchVariable));
  }
  if (out.length) {
    core.record('JOB_BATCH', 'ACTIVATED', core.store.nextKey(), {
      type: req.type,
      worker: req.worker,
      timeout: req.timeout,
      maxJobsToActivate: req.maxJobsToActivate,
      jobKeys: out.map((j) => j.key),
      tenantIds: [TENANT],
    });
  }
  return out;
}

export function toActivatedJob(core: EngineCore, job: Job, fetchVariable: string[]): ActivatedJob {
  return {
    key: job.key,
    type: job.type,
    processInstanceKey: job.processInstanceKey,
    bpmnProcessId: job.bpmnProcessId,
    processDefinitionVersion: job.version,
    processDefinitionKey: job.processDefinitionKey,
    elementId: job.elementId,
    elementInstanceKey: job.elementInstanceKey,
    customHeaders: JSON.stringify(job.customHeaders),
    worker: job.worker,
    retries: job.retries,
    deadline: String(job.deadline),
    variables: stringifyJson(visibleVariables(core, job.elementInstanceKey, fetchVariable)),
    tenantId: TENANT,
  };
}

/** A pushed job that could not be delivered goes back to ACTIVATABLE (Zeebe: job YIELDED). */
export function yieldJob(core: EngineCore, key: Key): void {
  const job = core.store.jobs.get(key);
  if (!job || job.state !== 'ACTIVATED') return;
  makeActivatable(core, job, 'YIELDED');
}

export function completeJob(core: EngineCore, key: Key, variables: Record<string, unknown>): void {
  const job = getJob(core, key, 'COMPLETE', 'complete');
  requireActivatable(job, 'COMPLETE', 'complete');
  core.store.jobs.delete(key);
  removeJobDue(core, key);
  core.record('JOB', 'COMPLETED', key, { ...jobRecord(job), variables }, job.processInstanceKey);
  const inst = core.store.elements.get(job.elementInstanceKey);
  if (inst && inst.state === 'ACTIVATED') {
    core.store.elements.update(inst.key, { payload: variables, jobKey: undefined });
    queueCompletion(core, core.store.elements.get(inst.key)!);
    runSteps(core);
  }
}

export function failJob(
  core: EngineCore,
  key: Key,
  retries: number,
  errorMessage: string,
  backoffMs: number,
  variables: Record<string, unknown>,
): void {
  const job = getJob(core, key, 'FAIL', 'fail');
  requireActivatable(job, 'FAIL', 'fail');
  const message = errorMessage.slice(0, 10000);
  if (Object.keys(variables).length && core.store.elements.has(job.elementInstanceKey))
    setLocalVariables(core, job.elementInstanceKey, variables);
  const failed: Job = { ...job, state: 'FAILED', retries, errorMessage: message, worker: '', deadline: -1 };
  removeJobDue(core, key);
  if (retries > 0 && backoffMs <= 0) {
    core.store.jobs.put(key, failed);
    core.record('JOB', 'FAILED', key, jobRecord(failed), job.processInstanceKey);
    makeActivatable(core, failed, 'RECURRED_AFTER_BACKOFF');
    return;
  }
  if (retries > 0) {
    const until = core.now() + backoffMs;
    core.store.jobs.put(key, { ...failed, backoffUntil: until });
    core.store.due.put(`jb:${key}`, { id: `jb:${key}`, kind: 'job-backoff', dueAt: until, data: { jobKey: key } });
    core.effects.dueChanged = true;
    core.record('JOB', 'FAILED', key, jobRecord(failed), job.processInstanceKey);
    return;
  }
  core.store.jobs.put(key, failed);
  core.record('JOB', 'FAILED', key, jobRecord(failed), job.processInstanceKey);
  const inst = core.store.elements.get(job.elementInstanceKey);
  if (inst) raiseIncident(core, inst, 'JOB_NO_RETRIES', message || 'No more retries left.', key);
}

export function throwError(
  core: EngineCore,
  key: Key,
  errorCode: string,
  errorMessage: string,
  variables: Record<string, unknown>,
): void {
  const job = getJob(core, key, 'THROW_ERROR', 'throw an error for');
  requireActivatable(job, 'THROW_ERROR', 'throw an error for');
  const inst = core.store.elements.get(job.elementInstanceKey);
  if (!inst || inst.state !== 'ACTIVATED') {
    throw new Rejection(
      'INVALID_STATE',
      'THROW_ERROR',
      `Expected to throw an error for job with key '${key}', but its element instance is not active`,
    );
  }
  removeJobDue(core, key);
  const thrown: Job = { ...job, state: 'ERROR_THROWN', errorMessage, worker: '', deadline: -1 };
  core.store.jobs.put(key, thrown);
  core.record(
    'JOB',
    'ERROR_THROWN',
    key,
    { ...jobRecord(thrown), errorCode, errorMessage, variables },
    job.processInstanceKey,
  );
  const available: string[] = [];
  const target = findCatch(core, inst, 'error', errorCode, available);
  if (!target) {
    raiseIncident(core, inst, 'UNHANDLED_ERROR_EVENT', unhandledErrorMessage(errorCode, errorMessage, available), key);
    return;
  }
  core.record(
    'ERROR',
    'THROWN',
    core.store.nextKey(),
    {
      errorCode,
      errorMessage,
      elementId: inst.elementId,
      processInstanceKey: inst.processInstanceKey,
      tenantId: TENANT,
    },
    inst.processInstanceKey,
  );
  catchThrown(core, target, variables);
  runSteps(core);
}

export function updateJobRetries(core: EngineCore, key: Key, retries: number): void {
  if (retries < 1)
    throw new Rejection(
      'INVALID_ARGUMENT',
      'UPDATE_RETRIES',
      `Expected to update retries for job with key '${key}' with a positive amount of retries, but the amount given was '${retries}'`,
    );
  const job = getJob(core, key, 'UPDATE_RETRIES', 'update retries for');
  const updated = core.store.jobs.put(key, { ...job, retries });
  core.record('JOB', 'RETRIES_UPDATED', key, jobRecord(updated), job.processInstanceKey);
}

export function updateJobTimeout(core: EngineCore, key: Key, timeout: number): void {
  const job = getJob(core, key, 'UPDATE_TIMEOUT', 'update timeout for');
  if (job.state !== 'ACTIVATED')
    throw new Rejection(
      'INVALID_STATE',
      'UPDATE_TIMEOUT',
      `Expected to update the timeout of job with key '${key}', but it is not active`,
    );
  const deadline = core.now() + timeout;
  const updated = core.store.jobs.put(key, { ...job, deadline });
  core.store.due.put(`jd:${key}`, { id: `jd:${key}`, kind: 'job-deadline', dueAt: deadline, data: { jobKey: key } });
  core.effects.dueChanged = true;
  core.record('JOB', 'TIMEOUT_UPDATED', key, jobRecord(updated), job.processInstanceKey);
}
