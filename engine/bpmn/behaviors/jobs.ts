import type { ElementModel, UserTaskDef } from '../../model/types';
import type { Expr } from '../../feel/Feel';
import type { EngineCore } from '../../processing/EngineCore';
import { TENANT } from '../../processing/EngineCore';
import type { ElementInstance, Job, Key } from '../../state/types';
import { evaluate, evaluateTyped } from './variables';
import { stringifyJson } from '../../state/json';

export const USER_TASK_JOB_TYPE = 'io.camunda.zeebe:userTask';

export function jobRecord(j: Job) {
  return {
    type: j.type,
    worker: j.worker,
    retries: j.retries,
    deadline: j.deadline,
    errorMessage: j.errorMessage,
    customHeaders: j.customHeaders,
    elementId: j.elementId,
    elementInstanceKey: j.elementInstanceKey,
    processInstanceKey: j.processInstanceKey,
    bpmnProcessId: j.bpmnProcessId,
    processDefinitionKey: j.processDefinitionKey,
    processDefinitionVersion: j.version,
    tenantId: TENANT,
  };
}

export type JobSpec = { type: string; retries: number; headers: Record<string, string> };

/** Evaluates job type, retries and (for user tasks) the reserved headers; an error → incident message. */
export function evaluateJobSpec(
  core: EngineCore,
  inst: ElementInstance,
  el: ElementModel,
): { ok: true; spec: JobSpec } | { ok: false; message: string; errorType?: 'FORM_NOT_FOUND' } {
  const job = el.job!;
  const type = evaluateTyped(core, job.type, inst.key, 'STRING');
  if (!type.ok) return type;
  const retries = evaluateTyped(core, job.retries, inst.key, 'NUMBER');
  if (!retries.ok) return retries;
  const headers: Record<string, string> = { ...job.headers };
  if (el.userTask) {
    const props = evaluateUserTaskProps(core, inst, el.userTask);
    if (!props.ok) return props;
    const p = props.props;
    if (p.assignee) headers['io.camunda.zeebe:assignee'] = p.assignee;
    if (p.candidateGroups.length) headers['io.camunda.zeebe:candidateGroups'] = stringifyJson(p.candidateGroups);
    if (p.candidateUsers.length) headers['io.camunda.zeebe:candidateUsers'] = stringifyJson(p.candidateUsers);
    if (p.dueDate) headers['io.camunda.zeebe:dueDate'] = p.dueDate;
    if (p.followUpDate) headers['io.camunda.zeebe:followUpDate'] = p.followUpDate;
    if (p.formKey) headers['io.camunda.zeebe:formKey'] = p.formKey;
  }
  return { ok: true, spec: { type: type.value as string, retries: Number(retries.value), headers } };
}

export function createJob(core: EngineCore, inst: ElementInstance, spec: JobSpec): Job {
  const key = core.store.nextKey();
  const job: Job = {
    key,
    type: spec.type,
    state: 'ACTIVATABLE',
    retries: spec.retries,
    worker: '',
    deadline: -1,
    errorMessage: '',
    customHeaders: spec.headers,
    elementId: inst.elementId,
    elementInstanceKey: inst.key,
    processInstanceKey: inst.processInstanceKey,
    processDefinitionKey: inst.processDefinitionKey,
    bpmnProcessId: inst.bpmnProcessId,
    version: inst.version,
    createdAt: core.now(),
  };
  core.store.jobs.put(key, job);
  core.store.elements.update(inst.key, { jobKey: key });
  core.record('JOB', 'CREATED', key, jobRecord(job), inst.processInstanceKey);
  core.effects.jobTypes.add(job.type);
  return job;
}

/** Cancels the job of an element instance that is terminated (CANCELED record, due work removed). */
export function cancelJobsOf(core: EngineCore, elementInstanceKey: Key): void {
  for (const jk of [...core.store.jobsByElement.get(elementInstanceKey)]) {
    const job = core.store.jobs.get(jk)!;
    core.store.jobs.delete(jk);
    removeJobDue(core, jk);
    core.record('JOB', 'CANCELED', jk, jobRecord(job), job.processInstanceKey);
  }
}

export function removeJobDue(core: EngineCore, jobKey: Key): void {
  for (const id of [`jd:${jobKey}`, `jb:${jobKey}`]) {
    if (core.store.due.delete(id)) core.effects.dueChanged = true;
  }
}

/** Makes a job activatable again (after a timeout, back-off or resolved incident). */
export function makeActivatable(core: EngineCore, job: Job, intent: string): void {
  const updated = core.store.jobs.put(job.key, {
    ...job,
    state: 'ACTIVATABLE',
    worker: '',
    deadline: -1,
    backoffUntil: undefined,
  });
  removeJobDue(core, job.key);
  core.record('JOB', intent, job.key, jobRecord(updated), job.processInstanceKey);
  core.effects.jobTypes.add(job.type);
}

export interface UserTaskProps {
  assignee?: string;
  candidateGroups: string[];
  candidateUsers: string[];
  dueDate?: string;
  followUpDate?: string;
  /** Job-worker: the form key header; native: the linked form's key. */
  formKey?: string;
  externalFormReference?: string;
  priority: number;
}

type Evaluation = { ok: true; props: UserTaskProps } | { ok: false; message: string; errorType?: 'FORM_NOT_FOUND' };

/**
 * Evaluates a user task's assignment, schedule, form and priority (Zeebe: BpmnUserTaskBehavior
 * evaluateUserTaskExpressions). Assignee and candidate lists are non-nullable (null → an
 * EXTRACT_VALUE_ERROR incident); only the due and follow-up dates may be null.
 */
export function evaluateUserTaskProps(core: EngineCore, inst: ElementInstance, u: UserTaskDef): Evaluation {
  type R<T> = { ok: true; v?: T } | { ok: false; message: string };
  const str = (e: Expr | undefined, what: string, nullable = false): R<string> => {
    if (!e) return { ok: true };
    const r = evaluateTyped(core, e, inst.key, 'ANY');
    if (!r.ok) return r;
    if (r.value === null && nullable) return { ok: true };
    if (r.value === null)
      return {
        ok: false,
        message: `Expected result of the expression '${e.feel}' to be 'STRING', but was 'NULL' (${what}).`,
      };
    if (typeof r.value !== 'string')
      return {
        ok: false,
        message: `Expected result of the expression '${e.feel}' to be 'STRING', but was '${Array.isArray(r.value) ? 'ARRAY' : typeof r.value === 'number' ? 'NUMBER' : 'OBJECT'}' (${what}).`,
      };
    return { ok: true, v: r.value };
  };
  const split = (v: string) =>
    v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const list = (e: Expr | undefined): R<string[]> => {
    if (!e) return { ok: true, v: [] };
    if (e.feel === undefined) return { ok: true, v: split(e.raw) };
    const r = evaluate(core, e, inst.key);
    if (!r.ok) return r;
    if (r.value === null)
      return { ok: false, message: `Expected result of the expression '${e.feel}' to be 'ARRAY', but was 'NULL'.` };
    if (typeof r.value === 'string') return { ok: true, v: split(r.value) };
    if (!Array.isArray(r.value) || r.value.some((x) => typeof x !== 'string'))
      return {
        ok: false,
        message: `Expected result of the expression '${e.feel}' to be a list of strings, but was '${stringifyJson(r.value)}'.`,
      };
    return { ok: true, v: r.value as string[] };
  };
  const date = (e: Expr | undefined, what: string): R<string> => {
    const r = str(e, what, true);
    if (r.ok && r.v && Number.isNaN(Date.parse(r.v)))
      return {
        ok: false,
        message: `Expected result of the expression '${e!.feel ?? e!.raw}' to be a valid date-time string (${what}), but was '${r.v}'.`,
      };
    return r;
  };
  const assignee = str(u.assignee, 'assignee');
  if (!assignee.ok) return assignee;
  const candidateGroups = list(u.candidateGroups);
  if (!candidateGroups.ok) return candidateGroups;
  const candidateUsers = list(u.candidateUsers);
  if (!candidateUsers.ok) return candidateUsers;
  const dueDate = date(u.dueDate, 'due date');
  if (!dueDate.ok) return dueDate;
  const followUpDate = date(u.followUpDate, 'follow-up date');
  if (!followUpDate.ok) return followUpDate;
  const props: UserTaskProps = {
    assignee: assignee.v,
    candidateGroups: candidateGroups.v ?? [],
    candidateUsers: candidateUsers.v ?? [],
    dueDate: dueDate.v,
    followUpDate: followUpDate.v,
    priority: 50,
  };
  if (u.formKey) props.formKey = u.formKey;
  else if (u.formId) {
    const r = evaluateTyped(core, u.formId, inst.key, 'STRING');
    if (!r.ok) return r;
    const form = core.store.latestForm(r.value as string);
    if (!form)
      return {
        ok: false,
        errorType: 'FORM_NOT_FOUND',
        message: `Expected to find a form with id '${r.value}', but no form with this id is found, at least a form with this id should be available. To resolve the Incident please deploy a form with the same id`,
      };
    props.formKey = form.key;
  }
  if (u.externalReference) {
    const r = str(u.externalReference, 'external form reference');
    if (!r.ok) return r;
    props.externalFormReference = r.v;
  }
  if (u.priority) {
    const r = evaluateTyped(core, u.priority, inst.key, 'NUMBER');
    if (!r.ok) return r;
    const n = Number(r.value);
    if (!Number.isInteger(n) || n < 0 || n > 100)
      return {
        ok: false,
        message: `Expected priority to be in the range [0,100], but was '${n}'.`,
      };
    props.priority = n;
  }
  return { ok: true, props };
}
