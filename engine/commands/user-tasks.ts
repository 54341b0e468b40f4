import { queueCompletion, runSteps } from '../bpmn/execution';
import { userTaskRecord } from '../bpmn/behaviors/user-tasks';
import type { EngineCore } from '../processing/EngineCore';
import { Rejection } from '../processing/Rejection';
import type { Key, UserTask } from '../state/types';

/**
 * Commands on native user tasks (Zeebe: processing/usertask). Zeebe's wording: an unknown key is
 * NOT_FOUND "Expected to <verb> user task with key '<key>', but no such user task was found", a
 * task in another lifecycle state INVALID_STATE "…, but it is in state '<state>'". Without task
 * listeners every transition finishes in the same command (ASSIGNING → ASSIGNED and so on).
 */
function getTask(core: EngineCore, key: Key, intent: string, verb: string): UserTask {
  const task = core.store.userTasks.get(key);
  if (!task)
    throw new Rejection(
      'NOT_FOUND',
      intent,
      `Expected to ${verb} user task with key '${key}', but no such user task was found`,
    );
  if (task.state !== 'CREATED')
    throw new Rejection(
      'INVALID_STATE',
      intent,
      `Expected to ${verb} user task with key '${key}', but it is in state '${task.state}'`,
    );
  return task;
}

/** ASSIGN (also unassign, with an empty assignee: Zeebe has no UNASSIGN intent). */
export function assignUserTask(core: EngineCore, key: Key, assignee: string, action?: string): UserTask {
  const task = getTask(core, key, 'ASSIGN', 'assign');
  return assign(core, task, assignee, action || (assignee ? 'assign' : 'unassign'));
}

/** CLAIM: assign only if nobody, or the same user, holds it. */
export function claimUserTask(core: EngineCore, key: Key, assignee: string, action?: string): UserTask {
  const task = getTask(core, key, 'CLAIM', 'claim');
  if (!assignee.trim())
    throw new Rejection(
      'INVALID_STATE',
      'CLAIM',
      `Expected to claim user task with key '${key}', but provided assignee is empty`,
    );
  if (task.assignee && task.assignee !== assignee)
    throw new Rejection(
      'INVALID_STATE',
      'CLAIM',
      `Expected to claim user task with key '${key}', but it has already been assigned`,
    );
  return assign(core, task, assignee, action || 'claim');
}

function assign(core: EngineCore, task: UserTask, assignee: string, action: string): UserTask {
  const changed = task.assignee !== assignee ? ['assignee'] : [];
  const rec = (u: UserTask) => userTaskRecord(u, { assignee, action, changedAttributes: changed });
  core.record('USER_TASK', 'ASSIGNING', task.key, rec(task), task.processInstanceKey);
  const assigned = core.store.userTasks.put(task.key, { ...task, assignee });
  core.record('USER_TASK', 'ASSIGNED', task.key, rec(assigned), task.processInstanceKey);
  return assigned;
}

export type UserTaskChangeset = Partial<
  Pick<UserTask, 'candidateGroups' | 'candidateUsers' | 'dueDate' | 'followUpDate' | 'priority'>
>;

/** UPDATE: the changeset's attributes replace the task's (Zeebe: changedAttributes name them). */
export function updateUserTask(core: EngineCore, key: Key, changes: UserTaskChangeset, action?: string): UserTask {
  const task = getTask(core, key, 'UPDATE', 'update');
  const changed = Object.keys(changes).filter((k) => (changes as Record<string, unknown>)[k] !== undefined);
  const next: UserTask = { ...task };
  for (const k of changed) (next as unknown as Record<string, unknown>)[k] = (changes as Record<string, unknown>)[k];
  const rec = (u: UserTask) => userTaskRecord(u, { action: action || 'update', changedAttributes: changed });
  core.record('USER_TASK', 'UPDATING', key, rec(next), task.processInstanceKey);
  const updated = core.store.userTasks.put(key, next);
  core.record('USER_TASK', 'UPDATED', key, rec(updated), task.processInstanceKey);
  return updated;
}

/**
 * COMPLETE: the variables reach the element instance as its triggering event's payload, exactly
 * as a completed job's do (propagated to the scope, or local when the task has output mappings),
 * then the element completes.
 */
export function completeUserTask(
  core: EngineCore,
  key: Key,
  variables: Record<string, unknown>,
  action?: string,
): UserTask {
  const task = getTask(core, key, 'COMPLETE', 'complete');
  const rec = userTaskRecord(task, { variables, action: action || 'complete' });
  core.record('USER_TASK', 'COMPLETING', key, rec, task.processInstanceKey);
  core.store.userTasks.delete(key);
  core.record('USER_TASK', 'COMPLETED', key, rec, task.processInstanceKey);
  const inst = core.store.elements.get(task.elementInstanceKey);
  if (inst && inst.state === 'ACTIVATED') {
    core.store.elements.update(inst.key, { payload: variables, userTaskKey: undefined });
    queueCompletion(core, core.store.elements.get(inst.key)!);
    runSteps(core);
  }
  return task;
}
