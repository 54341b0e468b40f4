/**
 * `/v2/user-tasks`: native Camunda user tasks (`zeebe:userTask`). Live tasks come from the
 * engine's state, finished ones (COMPLETED, CANCELED) from the USER_TASK records of the log.
 * Commands go through commands/user-tasks.ts on the single writer, like every other change.
 */
import type { Request } from 'express';
import { z } from 'zod';
import type { EngineRuntime } from '../../Engine';
import type { EngineAdmin } from '../../index';
import {
  assignUserTask,
  claimUserTask,
  completeUserTask,
  updateUserTask,
  type UserTaskChangeset,
} from '../../commands/user-tasks';
import { TENANT } from '../../processing/EngineCore';
import type { Key, UserTask } from '../../state/types';
import { RestError } from './problem';
import { matchString, search, type SearchRequest, type SearchSpec } from './query';
import { api, parseBody, shape } from './schemas';

type Route = (
  method: 'get' | 'post' | 'put' | 'patch' | 'delete',
  path: string,
  fn: (req: Request) => Promise<unknown> | unknown,
) => void;

const iso = (ms: number) => new Date(ms).toISOString();
const utc = (date: string) => (Number.isNaN(Date.parse(date)) ? date : new Date(date).toISOString());

export interface UserTaskRow extends Record<string, unknown> {
  userTaskKey: string;
  state: string;
  processInstanceKey: string;
  candidateGroups: string[];
  candidateUsers: string[];
}

function row(u: UserTask, state: string, processName: string | undefined, completionDate?: string): UserTaskRow {
  return {
    userTaskKey: u.key,
    state,
    ...(u.name ? { name: u.name } : {}),
    elementId: u.elementId,
    elementInstanceKey: u.elementInstanceKey,
    processInstanceKey: u.processInstanceKey,
    processDefinitionKey: u.processDefinitionKey,
    processDefinitionId: u.bpmnProcessId,
    processDefinitionVersion: u.version,
    ...(processName ? { processName } : {}),
    tenantId: TENANT,
    ...(u.assignee ? { assignee: u.assignee } : {}),
    candidateGroups: u.candidateGroups,
    candidateUsers: u.candidateUsers,
    // As instants in UTC: the API's clients validate RFC 3339 with `Z` (an offset fails them).
    ...(u.dueDate ? { dueDate: utc(u.dueDate) } : {}),
    ...(u.followUpDate ? { followUpDate: utc(u.followUpDate) } : {}),
    creationDate: iso(u.createdAt),
    ...(completionDate ? { completionDate } : {}),
    customHeaders: u.customHeaders,
    ...(u.formKey ? { formKey: u.formKey } : {}),
    ...(u.externalFormReference ? { externalFormReference: u.externalFormReference } : {}),
    priority: u.priority,
  };
}

/** Every user task the engine knows: finished ones from the log, live ones from state. */
export async function userTasks(
  rt: EngineRuntime,
  admin: EngineAdmin,
  filter: { processInstanceKey?: string } = {},
): Promise<UserTaskRow[]> {
  const rows = new Map<Key, UserTaskRow>();
  const name = (definitionKey: Key) => rt.core.models.get(definitionKey)?.name;
  const records = await admin.records({
    valueType: 'USER_TASK',
    processInstanceKey: filter.processInstanceKey,
    limit: 1_000_000,
  });
  for (const rec of records) {
    if (rec.intent !== 'COMPLETED' && rec.intent !== 'CANCELED') continue;
    const v = rec.value as Record<string, any>;
    const u: UserTask = {
      key: rec.key,
      state: 'CREATED',
      name: v.name || undefined,
      assignee: v.assignee ?? '',
      candidateGroups: v.candidateGroupsList ?? [],
      candidateUsers: v.candidateUsersList ?? [],
      dueDate: v.dueDate ?? '',
      followUpDate: v.followUpDate ?? '',
      priority: v.priority ?? 50,
      formKey: v.formKey && v.formKey !== '-1' ? String(v.formKey) : undefined,
      externalFormReference: v.externalFormReference || undefined,
      customHeaders: v.customHeaders ?? {},
      elementId: v.elementId,
      elementInstanceKey: String(v.elementInstanceKey),
      processInstanceKey: String(v.processInstanceKey),
      processDefinitionKey: String(v.processDefinitionKey),
      bpmnProcessId: v.bpmnProcessId,
      version: v.processDefinitionVersion,
      createdAt: v.creationTimestamp,
    };
    rows.set(rec.key, row(u, rec.intent, name(u.processDefinitionKey), iso(rec.timestamp)));
  }
  for (const u of rt.core.store.userTasks.values()) {
    if (filter.processInstanceKey && u.processInstanceKey !== filter.processInstanceKey) continue;
    rows.set(u.key, row(u, u.state, name(u.processDefinitionKey)));
  }
  return [...rows.values()];
}

const assignmentBody = z.strictObject({
  assignee: z.string(),
  allowOverride: z.boolean().nullish(),
  action: z.string().nullish(),
});
const completionBody = z.strictObject({
  variables: z.record(z.string(), z.unknown()).nullish(),
  action: z.string().nullish(),
});
const unassignBody = z.strictObject({ action: z.string().nullish() });

const containsMatcher = (field: 'candidateGroups' | 'candidateUsers') => (r: Record<string, unknown>, value: unknown) =>
  ((r[field] as string[]) ?? []).some((x) => matchString(x, value));

const spec: SearchSpec = {
  key: 'userTaskKey',
  dates: ['creationDate', 'completionDate', 'dueDate', 'followUpDate'],
  custom: { candidateGroup: containsMatcher('candidateGroups'), candidateUser: containsMatcher('candidateUsers') },
};

export function userTaskRoutes(
  route: Route,
  rt: EngineRuntime,
  admin: EngineAdmin,
  searchBody: (schema: z.ZodType, body: unknown) => SearchRequest,
  pathKey: (req: Request, name: string) => string,
): void {
  const p = rt.processor;
  const one = async (key: string) => {
    const found = (await userTasks(rt, admin)).find((u) => u.userTaskKey === key);
    if (!found) throw new RestError(404, 'NOT_FOUND', `User task with key '${key}' not found`);
    return found;
  };
  route('post', '/user-tasks/search', async (req) => {
    const q = searchBody(api.queryUserTasksRequestBodySchema, req.body);
    if (q.filter?.localVariables || q.filter?.processInstanceVariables)
      throw new RestError(
        400,
        'INVALID_ARGUMENT',
        'Filtering user tasks by variables is not supported by this engine; filter by process instance instead',
      );
    const pik = q.filter?.processInstanceKey;
    const rows = await userTasks(rt, admin, typeof pik === 'string' ? { processInstanceKey: pik } : {});
    return shape(api.queryUserTasksResponseBodySchema, search(rows, q, spec));
  });
  route('get', '/user-tasks/:userTaskKey', async (req) =>
    shape(api.userTaskSchema, await one(pathKey(req, 'userTaskKey'))),
  );
  route('get', '/user-tasks/:userTaskKey/form', async (req) => {
    const task = await one(pathKey(req, 'userTaskKey'));
    const formKey = task.formKey as string | undefined;
    const form = formKey ? rt.core.store.resources.get(formKey) : undefined;
    if (!form) return undefined; // 204: the task links no deployed form
    return shape(api.formSchema, {
      formKey: form.key,
      tenantId: TENANT,
      bpmnId: form.resourceId,
      schema: form.content,
      version: form.version,
    });
  });
  route('post', '/user-tasks/:userTaskKey/assignment', async (req) => {
    const key = pathKey(req, 'userTaskKey');
    const body = parseBody(assignmentBody, req.body);
    // Camunda: allowOverride false is a CLAIM (refused when someone else holds the task).
    await p.submit((core) =>
      body.allowOverride === false
        ? claimUserTask(core, key, body.assignee, body.action ?? undefined)
        : assignUserTask(core, key, body.assignee, body.action ?? undefined),
    );
    return undefined;
  });
  route('delete', '/user-tasks/:userTaskKey/assignee', async (req) => {
    const key = pathKey(req, 'userTaskKey');
    const body = parseBody(unassignBody, req.body ?? {});
    await p.submit((core) => assignUserTask(core, key, '', body.action ?? undefined));
    return undefined;
  });
  const update = async (req: Request, flat = false) => {
    const key = pathKey(req, 'userTaskKey');
    const raw = req.body ?? {};
    const body = parseBody(
      api.updateUserTaskRequestBodySchema,
      flat && !('changeset' in raw) ? { changeset: raw } : raw,
    );
    const c = body.changeset ?? {};
    const changes: UserTaskChangeset = {};
    for (const [k, v] of Object.entries(c)) {
      if (v === undefined || v === null) continue;
      if ((k === 'dueDate' || k === 'followUpDate') && v !== '' && Number.isNaN(Date.parse(String(v))))
        throw new RestError(
          400,
          'INVALID_ARGUMENT',
          `The provided ${k} '${v}' cannot be parsed as a date according to RFC 3339, section 5.6`,
        );
      (changes as Record<string, unknown>)[k] = v;
    }
    await p.submit((core) => updateUserTask(core, key, changes, body.action ?? undefined));
    return undefined;
  };
  route('patch', '/user-tasks/:userTaskKey', (req) => update(req));
  // @camunda8/sdk 8.8's CamundaRestClient.updateUserTask sends the bare changeset to PATCH …/update
  // (not the 8.8 API's path or shape): served too, so that client works unchanged.
  route('patch', '/user-tasks/:userTaskKey/update', (req) => update(req, true));
  route('post', '/user-tasks/:userTaskKey/completion', async (req) => {
    const key = pathKey(req, 'userTaskKey');
    const body = parseBody(completionBody, req.body);
    await p.submit((core) => completeUserTask(core, key, body.variables ?? {}, body.action ?? undefined));
    return undefined;
  });
}
