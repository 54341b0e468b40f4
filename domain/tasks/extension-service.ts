/**
 * Deadline extensions (延期申请): a clerk asks for more working hours on an open task before it is
 * due; a supervisor approves or rejects. Approval publishes `case.extension-approved` (correlation
 * key = the task's SLA clock key) with `extensionHours` and `extensionId`; the clock's `sla.adjust`
 * (mode extend) moves the running task's due date and re-arms its timers, exactly once per request.
 */
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import type { TaskResult } from './task-service';
import { appendCaseEvent } from '../cases/timeline';

type ZeebeGrpcClient = Zeebe.ZeebeGrpcClient;

/** Practice caps an extension at 15 working days (practice.md, "Time limits"). */
export const MAX_EXTENSION_HOURS = 15 * 8;

export async function requestExtension(
  db: Knex,
  taskId: string,
  by: string,
  hours: number,
  reason: string,
  now: Date = new Date(),
): Promise<TaskResult<{ extensionId: string }>> {
  const task = await db('task').where({ id: taskId }).first();
  if (!task) return { ok: false, kind: 'not-found', code: 'TASK_NOT_FOUND', detail: `task ${taskId} does not exist` };
  if (task.state !== 'created' || !task.sla_key)
    return {
      ok: false,
      kind: 'conflict',
      code: 'TASK_NOT_EXTENSIBLE',
      detail: `task ${taskId} is ${task.state} or has no SLA`,
    };
  if (!(hours > 0 && hours <= MAX_EXTENSION_HOURS))
    return {
      ok: false,
      kind: 'invalid',
      code: 'HOURS_OUT_OF_RANGE',
      detail: `an extension is 1–${MAX_EXTENSION_HOURS} working hours`,
      fields: ['hours'],
    };
  if (!reason.trim())
    return {
      ok: false,
      kind: 'invalid',
      code: 'REASON_REQUIRED',
      detail: 'an extension needs a reason',
      fields: ['reason'],
    };
  const clock = await db('sla_clock').where({ sla_key: task.sla_key }).first('due_at', 'state');
  if (!clock || clock.state === 'stopped')
    return {
      ok: false,
      kind: 'conflict',
      code: 'TASK_NOT_EXTENSIBLE',
      detail: `task ${taskId} has no running SLA clock`,
    };
  if (new Date(clock.due_at) < now)
    return {
      ok: false,
      kind: 'conflict',
      code: 'ALREADY_OVERDUE',
      detail: 'an extension must be requested before the due date',
    };
  const [row] = await db('sla_extension')
    .insert({
      sla_key: task.sla_key,
      task_id: taskId,
      case_id: task.case_id,
      hours,
      reason,
      requested_by: by,
      status: 'pending',
      created_at: now,
    })
    .returning('id');
  const extensionId = String(typeof row === 'object' ? row.id : row);
  if (task.case_id)
    await appendCaseEvent(db, task.case_id, {
      at: now,
      type: 'extension.requested',
      actor: by,
      department: task.department,
      data: { extensionId, taskId, hours, reason },
    });
  return { ok: true, value: { extensionId } };
}

export async function decideExtension(
  db: Knex,
  zbc: ZeebeGrpcClient,
  extensionId: string,
  by: string,
  approved: boolean,
  comment: string | null = null,
  now: Date = new Date(),
): Promise<TaskResult> {
  const ext = await db('sla_extension').where({ id: extensionId }).first();
  if (!ext)
    return {
      ok: false,
      kind: 'not-found',
      code: 'EXTENSION_NOT_FOUND',
      detail: `extension ${extensionId} does not exist`,
    };
  if (ext.status !== 'pending')
    return {
      ok: false,
      kind: 'conflict',
      code: 'EXTENSION_DECIDED',
      detail: `extension ${extensionId} is already ${ext.status}`,
    };
  const n = await db('sla_extension')
    .where({ id: extensionId, status: 'pending' })
    .update({ status: approved ? 'approved' : 'rejected', decided_by: by, decided_at: now, decision_comment: comment });
  if (n === 0)
    return {
      ok: false,
      kind: 'conflict',
      code: 'EXTENSION_DECIDED',
      detail: `extension ${extensionId} was decided meanwhile`,
    };
  if (ext.case_id) {
    await appendCaseEvent(db, ext.case_id, {
      at: now,
      type: approved ? 'extension.approved' : 'extension.rejected',
      actor: by,
      data: { extensionId, hours: Number(ext.hours), comment },
    });
  }
  if (approved) {
    await zbc.publishMessage({
      name: 'case.extension-approved',
      correlationKey: ext.sla_key,
      timeToLive: 3600_000,
      messageId: `extension:${extensionId}`,
      variables: { extensionHours: Number(ext.hours), extensionId: String(extensionId) },
    });
  }
  return { ok: true, value: undefined };
}
