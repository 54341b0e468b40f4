/** Shared by the yellow-card, red-card and escalation workers: who and what the notice is about. */
import type { Knex } from 'knex';
import type { SlaClockRow } from './sla-clock-store';
import { formatShanghai } from './working-time';

export interface CardContext {
  caseNo: string;
  departmentName: string;
  stepName: string;
  assignee: string | null;
  dueAt: string;
}

export async function cardContext(db: Knex, clock: SlaClockRow, stepName: unknown): Promise<CardContext> {
  const [c, dept, task] = await Promise.all([
    clock.case_id ? db('case').where({ id: clock.case_id }).first('case_no') : undefined,
    clock.department ? db('department').where({ code: clock.department }).first('name_zh') : undefined,
    db('task')
      .where({ sla_key: clock.sla_key })
      .whereNot('bpmn_process_id', 'sla-clock')
      .orderBy('created_at', 'desc')
      .first('assignee', 'name'),
  ]);
  return {
    caseNo: c?.case_no ?? clock.case_id ?? clock.process_instance_key,
    departmentName: dept?.name_zh ?? clock.department ?? '承办部门',
    stepName: String(task?.name ?? stepName ?? clock.step).slice(0, 35),
    assignee: task?.assignee ?? null,
    // Minutes are enough in an SMS: "2026-12-01 17:30".
    dueAt: formatShanghai(clock.due_at).slice(0, 16).replace('T', ' '),
  };
}
