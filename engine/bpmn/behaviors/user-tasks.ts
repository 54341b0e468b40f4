import type { ElementModel } from '../../model/types';
import type { EngineCore } from '../../processing/EngineCore';
import { TENANT } from '../../processing/EngineCore';
import type { ElementInstance, Key, UserTask } from '../../state/types';
import type { UserTaskProps } from './jobs';

/** The USER_TASK record value (Zeebe's UserTaskRecord; keys as strings, lists as arrays). */
export function userTaskRecord(u: UserTask, extra: Record<string, unknown> = {}) {
  return {
    userTaskKey: u.key,
    assignee: u.assignee,
    candidateGroupsList: u.candidateGroups,
    candidateUsersList: u.candidateUsers,
    dueDate: u.dueDate,
    followUpDate: u.followUpDate,
    formKey: u.formKey ?? '-1',
    externalFormReference: u.externalFormReference ?? '',
    customHeaders: u.customHeaders,
    priority: u.priority,
    creationTimestamp: u.createdAt,
    elementId: u.elementId,
    elementInstanceKey: u.elementInstanceKey,
    processInstanceKey: u.processInstanceKey,
    processDefinitionKey: u.processDefinitionKey,
    bpmnProcessId: u.bpmnProcessId,
    processDefinitionVersion: u.version,
    name: u.name ?? '',
    variables: {},
    changedAttributes: [] as string[],
    action: '',
    tenantId: TENANT,
    ...extra,
  };
}

/**
 * Creates the user task of an activated native user task (Zeebe: CREATING → CREATED, then, with
 * an assignee, ASSIGNING → ASSIGNED in the same step).
 */
export function createUserTask(core: EngineCore, inst: ElementInstance, el: ElementModel, p: UserTaskProps): UserTask {
  const key = core.store.nextKey();
  const task: UserTask = {
    key,
    state: 'CREATED',
    ...(el.name ? { name: el.name } : {}),
    assignee: '',
    candidateGroups: p.candidateGroups,
    candidateUsers: p.candidateUsers,
    dueDate: p.dueDate ?? '',
    followUpDate: p.followUpDate ?? '',
    priority: p.priority,
    ...(p.formKey ? { formKey: p.formKey } : {}),
    ...(p.externalFormReference ? { externalFormReference: p.externalFormReference } : {}),
    customHeaders: el.userTask?.customHeaders ?? {},
    elementId: inst.elementId,
    elementInstanceKey: inst.key,
    processInstanceKey: inst.processInstanceKey,
    processDefinitionKey: inst.processDefinitionKey,
    bpmnProcessId: inst.bpmnProcessId,
    version: inst.version,
    createdAt: core.now(),
  };
  core.record('USER_TASK', 'CREATING', key, userTaskRecord(task), inst.processInstanceKey);
  core.store.userTasks.put(key, task);
  core.store.elements.update(inst.key, { userTaskKey: key });
  core.record('USER_TASK', 'CREATED', key, userTaskRecord(task), inst.processInstanceKey);
  if (p.assignee) {
    core.record('USER_TASK', 'ASSIGNING', key, userTaskRecord(task, { assignee: p.assignee }), inst.processInstanceKey);
    const assigned = core.store.userTasks.put(key, { ...task, assignee: p.assignee });
    core.record(
      'USER_TASK',
      'ASSIGNED',
      key,
      userTaskRecord(assigned, { changedAttributes: ['assignee'] }),
      inst.processInstanceKey,
    );
    return assigned;
  }
  return task;
}

/** The element instance is terminated: its user task is canceled (CANCELING → CANCELED). */
export function cancelUserTaskOf(core: EngineCore, inst: ElementInstance): void {
  const key: Key | undefined = inst.userTaskKey;
  if (!key) return;
  const task = core.store.userTasks.get(key);
  if (!task) return;
  core.record('USER_TASK', 'CANCELING', key, userTaskRecord(task), task.processInstanceKey);
  core.store.userTasks.delete(key);
  core.record('USER_TASK', 'CANCELED', key, userTaskRecord(task), task.processInstanceKey);
}
