/**
 * The clerks' side of user tasks (routes are thin wrappers elsewhere): claim, complete and the
 * sweeper that closes tasks whose job no longer exists.
 *
 * Completing validates the form's required fields, completes the user-task job through the SDK
 * (the bridge left it activated), then marks the row completed and writes the timeline. Business
 * failures are {@link DomainFailure} values (not-found / conflict / invalid); a job the engine no
 * longer has (NOT_FOUND: the element was terminated, e.g. by an interrupting event) marks the task
 * cancelled and answers a conflict.
 */
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import type { DomainResult } from '../errors';
import { USER_TASK_JOB_TIMEOUT_MS } from './user-task-lease';
import { appendCaseEvent } from '../cases/timeline';
import { undeclaredFields } from './form-validation';

type ZeebeGrpcClient = Zeebe.ZeebeGrpcClient;

/** The outcome of a task operation (a {@link DomainResult}). */
export type TaskResult<T = undefined> = DomainResult<T>;

interface FormComponent {
  key?: string;
  type?: string;
  label?: string;
  validate?: { required?: boolean };
  conditional?: { hide?: string };
  components?: FormComponent[];
}

/**
 * Keys of required fields that are always shown. Fields with a `conditional.hide` are not enforced
 * here: whether they are shown depends on a FEEL condition the form viewer evaluates in the browser.
 */
export function requiredFields(schema: unknown): string[] {
  const out: string[] = [];
  const walk = (list: FormComponent[] | undefined) => {
    for (const c of list ?? []) {
      if (c.key && c.validate?.required && !c.conditional?.hide) out.push(c.key);
      walk(c.components);
    }
  };
  walk((schema as { components?: FormComponent[] } | null)?.components);
  return out;
}

function isGrpcNotFound(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e?.code === 5 || /NOT_FOUND/.test(String(e?.message ?? ''));
}

/** Marks an open task cancelled (its job is gone) and writes the timeline; false if it was not open. */
export async function markCancelled(
  db: Knex,
  task: { id: string; case_id: string | null; department: string | null },
  reason: string,
  at: Date,
): Promise<boolean> {
  const n = await db('task')
    .where({ id: task.id, state: 'created' })
    .update({ state: 'cancelled', cancelled_at: at, cancel_reason: reason });
  if (n && task.case_id) {
    await appendCaseEvent(db, task.case_id, {
      at,
      type: 'task.cancelled',
      department: task.department,
      data: { taskId: task.id, reason },
    });
  }
  return n > 0;
}

export async function claimTask(db: Knex, taskId: string, user: string, now: Date = new Date()): Promise<TaskResult> {
  const task = await db('task').where({ id: taskId }).first();
  if (!task) return { ok: false, kind: 'not-found', code: 'TASK_NOT_FOUND', detail: `task ${taskId} does not exist` };
  if (task.state !== 'created')
    return { ok: false, kind: 'conflict', code: 'TASK_NOT_OPEN', detail: `task ${taskId} is ${task.state}` };
  if (task.assignee && task.assignee !== user)
    return {
      ok: false,
      kind: 'conflict',
      code: 'TASK_ASSIGNED',
      detail: `task ${taskId} is assigned to ${task.assignee}`,
    };
  await db('task').where({ id: taskId }).update({ assignee: user, claimed_at: now });
  if (task.case_id)
    await appendCaseEvent(db, task.case_id, {
      at: now,
      type: 'task.claimed',
      actor: user,
      department: task.department,
      data: { taskId },
    });
  return { ok: true, value: undefined };
}

export async function unclaimTask(db: Knex, taskId: string, user: string): Promise<TaskResult> {
  const task = await db('task').where({ id: taskId }).first();
  if (!task) return { ok: false, kind: 'not-found', code: 'TASK_NOT_FOUND', detail: `task ${taskId} does not exist` };
  if (task.state !== 'created')
    return { ok: false, kind: 'conflict', code: 'TASK_NOT_OPEN', detail: `task ${taskId} is ${task.state}` };
  if (task.assignee && task.assignee !== user)
    return {
      ok: false,
      kind: 'conflict',
      code: 'TASK_ASSIGNED',
      detail: `task ${taskId} is assigned to ${task.assignee}`,
    };
  await db('task').where({ id: taskId }).update({ assignee: null, claimed_at: null });
  return { ok: true, value: undefined };
}

/**
 * Completes a task with the form's variables. The variables reach the process with `completedBy`
 * (the clerk) added, which workers record in the timeline (e.g. who confirmed a classification).
 */
export async function completeTask(
  db: Knex,
  zbc: ZeebeGrpcClient,
  taskId: string,
  user: string,
  variables: Record<string, unknown>,
  now: Date = new Date(),
): Promise<TaskResult> {
  const task = await db('task').where({ id: taskId }).first();
  if (!task) return { ok: false, kind: 'not-found', code: 'TASK_NOT_FOUND', detail: `task ${taskId} does not exist` };
  if (task.state !== 'created')
    return { ok: false, kind: 'conflict', code: 'TASK_NOT_OPEN', detail: `task ${taskId} is ${task.state}` };
  if (task.assignee && task.assignee !== user)
    return {
      ok: false,
      kind: 'conflict',
      code: 'TASK_ASSIGNED',
      detail: `task ${taskId} is assigned to ${task.assignee}`,
    };
  const schema = typeof task.form_schema === 'string' ? JSON.parse(task.form_schema) : task.form_schema;
  const undeclared = undeclaredFields(schema, variables);
  if (undeclared.length)
    return {
      ok: false,
      kind: 'invalid',
      code: 'FORM_UNKNOWN_FIELDS',
      detail: `the task's form has no field ${undeclared.join(', ')}`,
      fields: undeclared,
    };
  const missing = requiredFields(schema).filter(
    (k) => variables[k] === undefined || variables[k] === null || variables[k] === '',
  );
  if (missing.length)
    return {
      ok: false,
      kind: 'invalid',
      code: 'FORM_INVALID',
      detail: `required fields missing: ${missing.join(', ')}`,
      fields: missing,
    };
  try {
    await zbc.completeJob({ jobKey: task.job_key, variables: { ...variables, completedBy: user } });
  } catch (err) {
    if (isGrpcNotFound(err)) {
      await markCancelled(db, task, 'job no longer exists', now);
      return {
        ok: false,
        kind: 'conflict',
        code: 'TASK_GONE',
        detail: `task ${taskId} can no longer be completed: its step was ended by the process`,
      };
    }
    throw err;
  }
  await db.transaction(async (trx) => {
    await trx('task')
      .where({ id: taskId })
      .update({
        state: 'completed',
        completed_at: now,
        completed_by: user,
        assignee: task.assignee ?? user,
        result: JSON.stringify(variables),
      });
    if (task.case_id) {
      await appendCaseEvent(trx, task.case_id, {
        at: now,
        type: 'task.completed',
        actor: user,
        department: task.department,
        data: { taskId, elementId: task.element_id, name: task.name, variables },
      });
    }
  });
  return { ok: true, value: undefined };
}

/**
 * Closes open tasks whose job is gone (the element was terminated by an interrupting boundary event,
 * a terminate end or a cancelled instance). Asks the engine per task with `UpdateJobTimeout`, which
 * answers NOT_FOUND for a job that no longer exists — and for a live one re-arms the long timeout,
 * so a task waiting for weeks is never handed to another worker. Works the same against Zeebe.
 */
export async function sweepCancelledTasks(
  db: Knex,
  zbc: ZeebeGrpcClient,
  now: Date = new Date(),
  limit = 500,
): Promise<{ checked: number; cancelled: number }> {
  const open = await db('task').where({ state: 'created' }).orderBy('created_at').limit(limit);
  let cancelled = 0;
  for (const task of open) {
    try {
      await zbc.updateJobTimeout({ jobKey: task.job_key, timeout: USER_TASK_JOB_TIMEOUT_MS });
    } catch (err) {
      if (!isGrpcNotFound(err)) throw err;
      await markCancelled(db, task, 'element terminated', now);
      cancelled += 1;
    }
  }
  return { checked: open.length, cancelled };
}
