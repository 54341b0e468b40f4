/**
 * The clerks' task API (`/api/tasks`, `/api/extensions`) over the scenario services
 * (task-service.ts, extension-service.ts): department rules, form validation with field-level 400s,
 * 409s that say what happened to a task whose step the process ended, and the lead department's
 * response time (response.ts).
 */
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import { assertDepartmentAccess, hasRole, type UserPrincipal } from '../auth';
import {
  assignedDepartments,
  presentReporter,
  toCaseSummary,
  toTaskSummary,
  toTimeline,
  type CaseSummary,
  type TaskSummary,
  type TimelineEntry,
} from '../cases/case-view';
import { findCaseByIdOrNo, listCaseEvents } from '../../domain/cases/case-queries';
import { HttpProblem, problemFromDomain } from '../http/problem';
import { decideExtension, requestExtension } from '../../domain/tasks/extension-service';
import { defaultCalendar } from '../../domain/sla/working-time';
import { undeclaredFields, validateFormSubmission } from '../../domain/tasks/form-validation';
import { recordResponse } from '../../domain/tasks/response';
import { claimTask, completeTask, unclaimTask } from '../../domain/tasks/task-service';
import {
  findExtension,
  findTask,
  listEarlierAnswers,
  listExtensions,
  listInbox,
  type InboxFilter,
} from '../../domain/tasks/task-queries';

const json = <T>(v: unknown, fallback: T): T =>
  v == null ? fallback : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T);
const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());

export interface InboxTask extends TaskSummary {
  caseId: string | null;
  caseNo: string | null;
  scenario: string | null;
  summary: string | null;
}

export interface TaskDetail extends InboxTask {
  formKey: string | null;
  formSchema: unknown;
  variables: Record<string, unknown>;
  result: Record<string, unknown> | null;
  cancelReason: string | null;
  slaKey: string | null;
  case: (CaseSummary & { reporter: { name: string | null; phone: string | null } | null }) | null;
  timeline: TimelineEntry[];
  earlierAnswers: {
    taskId: string;
    name: string;
    elementId: string;
    department: string | null;
    completedBy: string | null;
    completedAt: string | null;
    answer: Record<string, unknown>;
  }[];
}

export interface InboxQuery {
  state?: 'created' | 'completed' | 'cancelled';
  assignee?: 'me';
  unassigned?: boolean;
  light?: 'green' | 'yellow' | 'red';
  scenario?: string;
  dueBefore?: string;
  department?: string;
  caseId?: string;
  limit?: number;
  offset?: number;
}

function toInboxTask(t: Record<string, any>): InboxTask {
  const description: string | null = t.case_description ?? null;
  return {
    ...toTaskSummary(t),
    caseId: t.case_id,
    caseNo: t.case_no ?? null,
    scenario: t.case_scenario ?? null,
    summary: description ? (description.length > 120 ? `${description.slice(0, 119)}…` : description) : null,
  };
}

export class TaskApiService {
  constructor(private readonly deps: { db: Knex; zbc?: Zeebe.ZeebeGrpcClient; now?: () => Date }) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private zbc(): Zeebe.ZeebeGrpcClient {
    if (!this.deps.zbc)
      throw new HttpProblem(503, 'Service Unavailable', 'The process engine is not connected; try again shortly.');
    return this.deps.zbc;
  }

  /** The inbox: tasks of the user's departments (supervisors: any, or the one asked for). */
  async list(user: UserPrincipal, query: InboxQuery): Promise<{ tasks: InboxTask[]; total: number }> {
    const elevated = hasRole(user, 'supervisor', 'admin');
    let departments: string[] | null = elevated ? null : user.departments;
    if (query.department) {
      if (!elevated && !user.departments.includes(query.department))
        throw HttpProblem.forbidden(
          `You are not in ${query.department}; you are in ${user.departments.join(', ') || 'no department'}.`,
        );
      departments = [query.department];
    }
    const filter: InboxFilter = {
      departments,
      state: query.state ?? 'created',
      assignee: query.assignee === 'me' ? user.username : undefined,
      unassigned: query.unassigned,
      light: query.light,
      scenario: query.scenario,
      dueBefore: query.dueBefore ? new Date(query.dueBefore) : undefined,
      caseId: query.caseId,
      limit: query.limit ?? 50,
      offset: query.offset ?? 0,
    };
    const { total, rows } = await listInbox(this.deps.db, filter);
    return { total, tasks: rows.map(toInboxTask) };
  }

  private async requireTask(id: string): Promise<Record<string, any>> {
    const task = await findTask(this.deps.db, id);
    if (!task) throw HttpProblem.notFound(`Task ${id} does not exist.`);
    return task;
  }

  async get(id: string, user: UserPrincipal): Promise<TaskDetail> {
    const task = await this.requireTask(id);
    assertDepartmentAccess(user, json<string[]>(task.candidate_groups, []), ['supervisor', 'admin']);
    const c = task.case_id ? await findCaseByIdOrNo(this.deps.db, task.case_id) : undefined;
    const events = c ? await listCaseEvents(this.deps.db, c.id) : [];
    const earlier = c ? await listEarlierAnswers(this.deps.db, c.id, task.id) : [];
    return {
      ...toInboxTask({ ...task, case_no: c?.case_no, case_scenario: c?.scenario, case_description: c?.description }),
      formKey: task.form_key,
      formSchema: json<unknown>(task.form_schema, null),
      variables: json<Record<string, unknown>>(task.variables, {}),
      result: json<Record<string, unknown> | null>(task.result, null),
      cancelReason: task.cancel_reason ?? null,
      slaKey: task.sla_key ?? null,
      case: c
        ? {
            ...toCaseSummary(c),
            reporter: presentReporter(c, user),
          }
        : null,
      timeline: toTimeline(
        events,
        c && user.departments.some((d) => assignedDepartments(c).includes(d)) ? 'full' : 'masked',
      ),
      earlierAnswers: earlier.map((t) => ({
        taskId: t.id,
        name: t.name,
        elementId: t.element_id,
        department: t.department,
        completedBy: t.completed_by,
        completedAt: iso(t.completed_at),
        answer: json<Record<string, unknown>>(t.result, {}),
      })),
    };
  }

  /** Clerks act on their departments' tasks only (supervisors read, they do not work tasks). */
  private async workable(id: string, user: UserPrincipal): Promise<Record<string, any>> {
    const task = await this.requireTask(id);
    assertDepartmentAccess(user, json<string[]>(task.candidate_groups, []));
    if (task.state === 'cancelled') {
      throw new HttpProblem(
        409,
        'Conflict',
        `Task ${id} was cancelled${task.cancelled_at ? ` at ${iso(task.cancelled_at)}` : ''} (${task.cancel_reason ?? 'its step was ended by the process'}); there is nothing left to do on it.`,
        { code: 'TASK_CANCELLED' },
      );
    }
    return task;
  }

  async claim(id: string, user: UserPrincipal): Promise<TaskSummary> {
    const task = await this.workable(id, user);
    const now = this.now();
    const r = await claimTask(this.deps.db, id, user.username, now);
    if (!r.ok) throw problemFromDomain(r);
    await recordResponse(this.deps.db, task, now);
    return toTaskSummary((await findTask(this.deps.db, id))!);
  }

  async unclaim(id: string, user: UserPrincipal): Promise<TaskSummary> {
    await this.workable(id, user);
    const r = await unclaimTask(this.deps.db, id, user.username);
    if (!r.ok) throw problemFromDomain(r);
    return toTaskSummary((await findTask(this.deps.db, id))!);
  }

  /**
   * Completes a task: the variables are checked against the task's form (400 listing every bad
   * field), then the job is completed through the SDK. A job the engine no longer has (an
   * interrupting timer fired, the case was cancelled) answers 409 and the task is marked cancelled.
   */
  async complete(id: string, user: UserPrincipal, variables: Record<string, unknown>): Promise<TaskSummary> {
    const task = await this.workable(id, user);
    if (task.state === 'created') {
      const schema = json<unknown>(task.form_schema, null);
      const unknown = undeclaredFields(schema, variables);
      if (unknown.length)
        throw HttpProblem.badRequest(
          `The form ${(schema as { id?: string } | null)?.id ?? '(none)'} has no field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; a task is completed with its form's fields only.`,
          unknown.map((k) => ({ field: `variables.${k}`, message: 'not a field of this form' })),
        );
      const errors = validateFormSubmission(schema, variables, json<Record<string, unknown>>(task.variables, {}));
      if (errors.length)
        throw HttpProblem.badRequest(
          `The form is not filled in correctly: ${errors.map((e) => `${e.field} (${e.message})`).join('; ')}.`,
          errors,
        );
    }
    const now = this.now();
    const r = await completeTask(this.deps.db, this.zbc(), id, user.username, variables, now);
    if (!r.ok) {
      if (r.code === 'TASK_GONE') {
        throw new HttpProblem(
          409,
          'Conflict',
          `Task ${id} can no longer be completed: the process ended this step (a deadline fired or the case was cancelled). It has been removed from the inbox.`,
          { code: r.code },
        );
      }
      throw problemFromDomain(r);
    }
    await recordResponse(this.deps.db, task, now);
    return toTaskSummary((await findTask(this.deps.db, id))!);
  }

  async requestExtension(
    id: string,
    user: UserPrincipal,
    body: { hours: number; reason: string },
  ): Promise<{ extensionId: string }> {
    await this.workable(id, user);
    const r = await requestExtension(this.deps.db, id, user.username, body.hours, body.reason, this.now());
    if (!r.ok) throw problemFromDomain(r);
    return r.value;
  }

  async decideExtension(
    id: string,
    user: UserPrincipal,
    approved: boolean,
    comment: string | null,
  ): Promise<ExtensionView> {
    if (!/^\d{1,18}$/.test(id) || !(await findExtension(this.deps.db, id)))
      throw HttpProblem.notFound(`Extension ${id} does not exist.`);
    const r = await decideExtension(this.deps.db, this.zbc(), id, user.username, approved, comment, this.now());
    if (!r.ok) throw problemFromDomain(r);
    return toExtensionView((await findExtension(this.deps.db, id))!);
  }

  async listExtensions(user: UserPrincipal, status: string | undefined, limit: number): Promise<ExtensionView[]> {
    const elevated = hasRole(user, 'supervisor', 'admin');
    const rows = await listExtensions(this.deps.db, { status, departments: elevated ? null : user.departments, limit });
    return rows.map(toExtensionView);
  }
}

export interface ExtensionView {
  id: string;
  taskId: string | null;
  taskName: string | null;
  department: string | null;
  caseId: string | null;
  caseNo: string | null;
  hours: number;
  reason: string;
  status: string;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
  /** The step's due date now (after any approved extension). */
  dueAt: string | null;
  /** A pending request: the due date if it is approved now (the hours counted in working time from the current due date). */
  requestedDueAt: string | null;
  /** The step's SLA light now. */
  light: 'green' | 'yellow' | 'red' | null;
}

function toExtensionView(e: Record<string, any>): ExtensionView {
  return {
    id: String(e.id),
    taskId: e.task_id,
    taskName: e.task_name ?? null,
    department: e.task_department ?? null,
    caseId: e.case_id,
    caseNo: e.case_no ?? null,
    hours: Number(e.hours),
    reason: e.reason,
    status: e.status,
    requestedBy: e.requested_by,
    requestedAt: iso(e.created_at)!,
    decidedBy: e.decided_by,
    decidedAt: iso(e.decided_at),
    comment: e.decision_comment ?? null,
    dueAt: iso(e.clock_due_at ?? e.task_due_at),
    requestedDueAt:
      e.status === 'pending' && e.clock_due_at && e.clock_state === 'running'
        ? defaultCalendar().addWorkingHours(new Date(e.clock_due_at), Number(e.hours)).toISOString()
        : null,
    light: e.clock_light ?? null,
  };
}
