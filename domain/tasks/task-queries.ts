/** Query module for the clerks' inbox and task detail: the only place that knows their SQL. */
import type { Knex } from 'knex';

export interface InboxFilter {
  /** Departments to show (the user's, or one a supervisor picked); null = all (supervisors). */
  departments: string[] | null;
  state: 'created' | 'completed' | 'cancelled';
  assignee?: string;
  unassigned?: boolean;
  light?: 'green' | 'yellow' | 'red';
  scenario?: string;
  dueBefore?: Date;
  caseId?: string;
  limit: number;
  offset: number;
}

/**
 * Open tasks of the departments, by due date (no due date last), then priority (high first), then
 * age. `task_open_inbox_idx (department, due_at, priority desc) where state = 'created'` serves
 * exactly this order for one department (bench/README.md).
 */
export async function listInbox(db: Knex, f: InboxFilter): Promise<{ total: number; rows: Record<string, any>[] }> {
  const q = db('task as t').leftJoin('case as c', 'c.id', 't.case_id').where('t.state', f.state);
  if (f.departments) q.whereIn('t.department', f.departments);
  if (f.assignee) q.where('t.assignee', f.assignee);
  if (f.unassigned) q.whereNull('t.assignee');
  if (f.light) q.where('t.light', f.light);
  if (f.scenario) q.where((w) => w.where('t.bpmn_process_id', f.scenario!).orWhere('c.scenario', f.scenario!));
  if (f.dueBefore) q.where('t.due_at', '<', f.dueBefore);
  if (f.caseId) q.where('t.case_id', f.caseId);
  const [{ n }] = await q.clone().count<{ n: string | number }[]>({ n: '*' });
  const rows = await q
    .clone()
    .select(
      't.*',
      'c.case_no',
      'c.scenario as case_scenario',
      'c.description as case_description',
      'c.status as case_status',
    )
    .orderByRaw('t.due_at asc nulls last, t.priority desc, t.created_at asc, t.id asc')
    .limit(f.limit)
    .offset(f.offset);
  return { total: Number(n), rows };
}

export async function findTask(db: Knex, id: string): Promise<Record<string, any> | undefined> {
  return db('task').where({ id }).first();
}

/** The case's completed tasks with their answers, oldest first ("earlier answers" on the task page). */
export async function listEarlierAnswers(
  db: Knex,
  caseId: string,
  exceptTaskId: string,
): Promise<Record<string, any>[]> {
  return db('task')
    .where({ case_id: caseId, state: 'completed' })
    .whereNot({ id: exceptTaskId })
    .orderBy('completed_at');
}

/** Extension rows with their task, case number and the step's SLA clock (due date and light now). */
function extensionQuery(db: Knex) {
  return db('sla_extension as e')
    .leftJoin('task as t', 't.id', 'e.task_id')
    .leftJoin('case as c', 'c.id', 'e.case_id')
    .leftJoin('sla_clock as k', 'k.sla_key', 'e.sla_key')
    .select(
      'e.*',
      't.name as task_name',
      't.department as task_department',
      't.due_at as task_due_at',
      'c.case_no',
      'k.due_at as clock_due_at',
      'k.light as clock_light',
      'k.state as clock_state',
    );
}

export async function findExtension(db: Knex, id: string): Promise<Record<string, any> | undefined> {
  return extensionQuery(db).where('e.id', id).first();
}

export async function listExtensions(
  db: Knex,
  f: { status?: string; departments: string[] | null; limit: number },
): Promise<Record<string, any>[]> {
  const q = extensionQuery(db).orderBy('e.created_at', 'desc').limit(f.limit);
  if (f.status) q.where('e.status', f.status);
  if (f.departments) q.whereIn('t.department', f.departments);
  return q;
}
