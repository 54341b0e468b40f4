/**
 * Job worker for `io.camunda.zeebe:userTask` (the user-task bridge): mirrors a job-worker user task
 * into a `task` row the clerks' task list reads — candidate groups (department codes), assignee,
 * form (schema resolved from the deployed form's key), due and follow-up dates, priority, SLA key —
 * and appends `task.created` to the case timeline.
 *
 * It does NOT complete the job: the job stays activated until a clerk completes the task through
 * domain/tasks/task-service.ts, which completes the job with the form's variables. Leases
 * (./user-task-lease.ts; processes/README.md, "User-task bridge: leases"): the job is activated for a
 * few minutes only; once the row is written the bridge arms a long lease with `UpdateJobTimeout`,
 * which the heartbeat (./user-task-heartbeat.ts) re-arms while the task is open. A worker that dies
 * (or a database write that fails) before the row exists therefore costs minutes, not a month: the
 * job comes back and the bridge writes the row then. The row is keyed by `job_key`, so a job
 * delivered again (to this or another worker) finds its row: no duplicate task, claim and history
 * are kept, and its lease is re-armed.
 *
 * Tasks whose element is terminated (a boundary event, a terminate end, a cancelled instance) are
 * closed by `sla.stop` (the clock's 督办/提级 tasks), by the heartbeat (NOT_FOUND on re-arming), or by
 * `sweepCancelledTasks` in task-service.
 */
import crypto from 'node:crypto';
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import { appendCaseEvent } from '../domain/cases/timeline';
import { optionalJobCaseId } from './support/case-job';
import { ModelInputError, optionalString, type JobAck, type ScenarioDeps, type WorkerJob } from './support/job';
import { armLease, DEFAULT_USER_TASK_LEASE } from '../domain/tasks/user-task-lease';

export const taskType = 'io.camunda.zeebe:userTask';

const H = {
  assignee: 'io.camunda.zeebe:assignee',
  candidateGroups: 'io.camunda.zeebe:candidateGroups',
  candidateUsers: 'io.camunda.zeebe:candidateUsers',
  dueDate: 'io.camunda.zeebe:dueDate',
  followUpDate: 'io.camunda.zeebe:followUpDate',
  formKey: 'io.camunda.zeebe:formKey',
} as const;

/** Variables that are engine plumbing or too large to snapshot for the clerk. */
const HIDDEN_VARIABLES = new Set(['candidates']);

export interface BridgeJob extends WorkerJob {
  forward(): JobAck;
}

function parseList(raw: unknown): string[] {
  if (typeof raw !== 'string' || raw.trim() === '') return [];
  try {
    const v = JSON.parse(raw);
    if (Array.isArray(v)) return v.map(String);
  } catch {
    // Zeebe sends a JSON array; tolerate a comma list.
  }
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function dateOrNull(raw: unknown): Date | null {
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  const ms = Date.parse(raw);
  return Number.isFinite(ms) ? new Date(ms) : null;
}

async function resolveForm(db: Knex, formKey: string | null): Promise<unknown> {
  if (!formKey) return null;
  const row = await db('deployed_form').where({ form_key: formKey }).first('schema');
  if (!row) return null;
  return typeof row.schema === 'string' ? JSON.parse(row.schema) : row.schema;
}

async function resolveName(db: Knex, job: WorkerJob & { processDefinitionVersion?: number }): Promise<string> {
  const q = db('deployed_user_task').where({ bpmn_process_id: job.bpmnProcessId, element_id: job.elementId });
  const row = job.processDefinitionVersion
    ? await q.clone().where({ version: job.processDefinitionVersion }).first('name')
    : undefined;
  const any = row ?? (await q.orderBy('version', 'desc').first('name'));
  return any?.name ?? job.elementId;
}

function snapshot(variables: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(variables)) if (!HIDDEN_VARIABLES.has(k)) out[k] = v;
  return out;
}

/** How the bridge arms a job's lease once its row exists (the platform's worker; tests may leave it out). */
export interface BridgeLease {
  zbc: Zeebe.ZeebeGrpcClient;
  leaseMs: number;
  /** Back-off before a job whose row could not be written is handed out again. */
  retryBackOffMs?: number;
  log?: { warn(obj: object, msg: string): void };
}

/**
 * The bridge's handler. With `lease`, the job's lease is armed as soon as its row exists (new or
 * found on a second delivery). Without it (the scenario test driver, which activates with
 * {@link USER_TASK_JOB_TIMEOUT_MS}) the activation's own timeout stands.
 */
export function createUserTaskBridgeHandler(deps: ScenarioDeps, lease?: BridgeLease) {
  const record = async (job: WorkerJob): Promise<void> => {
    const v = job.variables;
    const h = job.customHeaders;
    const existing = await deps.db('task').where({ job_key: job.key }).first('id');
    if (existing) return; // delivered again (a lease ran out): the row is already there
    const now = deps.now();
    const groups = parseList(h[H.candidateGroups]);
    const formKey = optionalString(h[H.formKey]);
    const slaKey = optionalString(v.slaKey);
    const clock = slaKey
      ? await deps.db('sla_clock').where({ sla_key: slaKey }).first('due_at', 'warn_at', 'light')
      : undefined;
    const named = optionalString(v.caseId);
    const caseExists = named ? await deps.db('case').where({ id: named }).first('id') : undefined;
    // A task is written on a case only by an instance that works for it (the check fails the job otherwise).
    const caseId = caseExists ? await optionalJobCaseId(deps, job, named) : null;
    const priority = Math.max(
      0,
      Math.min(100, Number.isFinite(Number(v.taskPriority)) && v.taskPriority != null ? Number(v.taskPriority) : 50),
    );
    const id = crypto.randomUUID();
    const name = await resolveName(deps.db, job);
    const row = {
      id,
      job_key: job.key,
      process_instance_key: job.processInstanceKey,
      element_instance_key: job.elementInstanceKey,
      element_id: job.elementId,
      bpmn_process_id: job.bpmnProcessId,
      case_id: caseExists ? caseId : null,
      name,
      candidate_groups: JSON.stringify(groups),
      department: groups[0] ?? null,
      assignee: optionalString(h[H.assignee]),
      form_key: formKey,
      form_schema: JSON.stringify(await resolveForm(deps.db, formKey)),
      priority,
      // The clock is the deadline in force (an extension may have moved it since the header was set).
      due_at: clock?.due_at ?? dateOrNull(h[H.dueDate]),
      warn_at: clock?.warn_at ?? dateOrNull(v.slaWarnAt),
      follow_up_at: dateOrNull(h[H.followUpDate]),
      light: clock?.light ?? 'green',
      sla_key: slaKey,
      state: 'created',
      variables: JSON.stringify(snapshot(v)),
      created_at: now,
    };
    const inserted = await deps.db('task').insert(row).onConflict('job_key').ignore().returning('id');
    if (inserted.length > 0 && row.case_id) {
      await appendCaseEvent(deps.db, row.case_id, {
        type: 'task.created',
        department: row.department,
        at: now,
        data: {
          taskId: id,
          elementId: job.elementId,
          name,
          candidateGroups: groups,
          dueAt: row.due_at ? new Date(row.due_at).toISOString() : null,
        },
      });
    }
  };
  return async (job: BridgeJob): Promise<JobAck> => {
    try {
      await record(job);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof ModelInputError)
        return job.fail({ errorMessage: `${message} (element ${job.elementId})`, retries: 0 });
      // The database did not take the row. A user-task job has one retry, so counting this failure
      // would raise an incident nobody's inbox shows: keep the retries and hand the job out again
      // after a back-off, when the database may answer (with no answer at all, the activation
      // timeout brings it back).
      lease?.log?.warn(
        { err: { message }, jobKey: job.key, elementId: job.elementId },
        'user task not recorded; the job is handed out again after a back-off',
      );
      return job.fail({
        errorMessage: `${job.type} failed on element ${job.elementId}: ${message}`,
        retries: Math.max(1, job.retries),
        retryBackOff: lease?.retryBackOffMs ?? DEFAULT_USER_TASK_LEASE.retryBackOffMs,
      });
    }
    if (lease) await armLeaseOrWait(lease, job);
    return job.forward();
  };
}

/**
 * Arms the lease of a job whose row exists. If the engine does not answer, the job keeps its short
 * activation, comes back, finds its row and is armed then. A job already gone (terminated between
 * activation and now) is left to the heartbeat, which marks its task cancelled.
 */
async function armLeaseOrWait(lease: BridgeLease, job: WorkerJob): Promise<void> {
  try {
    await armLease(lease.zbc, job.key, lease.leaseMs);
  } catch (err) {
    lease.log?.warn(
      { err: { message: (err as Error).message }, jobKey: job.key },
      'could not arm the user-task lease; the job comes back after its activation timeout',
    );
  }
}
