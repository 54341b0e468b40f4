/**
 * The case API (`/api/cases…`) over the scenario services (case-service.ts) and the task API:
 * intake starts the one window; the case view applies the department and masking rules; the
 * clerk's case actions (并单 merge, 改派 re-dispatch, 退单 return) complete the open task of the
 * step the process offers for them, so the model stays the one place deciding what happens next.
 */
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { hasDepartmentAccess, hasRole, isUser, type Principal, type UserPrincipal } from '../auth';
import { HttpProblem, problemFromDomain } from '../http/problem';
import { listNotifications, type NotificationStatus, type PublicNotification } from '../../domain/notify/outbox';
import { TaskApiService } from '../tasks/task-api-service';
import { rateCase, resumeCase, suspendCase, type NewCase } from '../../domain/cases/case-service';
import {
  attemptStart,
  fileCase,
  INTAKE_START_DEADLINE_MS,
  isStartPending,
  requestHash,
} from '../../domain/cases/pending-start';
import {
  countAndListCases,
  findCaseByIdOrNo,
  listCaseEvents,
  listCaseTasks,
  type CaseFilter,
  type CaseRowFull,
} from '../../domain/cases/case-queries';
import { recordPersonalDataAccess } from '../../domain/privacy/access-log';
import { CONFIDENTIAL_MARK } from '../../domain/privacy/personal-data';
import {
  assignedDepartments,
  mayReadConfidential,
  toCaseSummary,
  toCaseView,
  type CaseSummary,
  type CaseView,
} from './case-view';

/** The one window sees every case: it dispatches, merges and re-dispatches them. */
export const ONE_WINDOW = 'mediation-center';
const digits = (s: string | null | undefined) =>
  String(s ?? '')
    .replace(/\D/g, '')
    .replace(/^(0086|86)(?=1\d{10}$)/, '');

export interface IntakeInput {
  description: string;
  channel?: 'web' | 'hotline' | 'api';
  reporter?: { name?: string; phone?: string };
  /** 举报人保密: the reporter's identity only for `confidential-reader` users. */
  confidential?: boolean;
  location?: { address?: string; lat?: number; lng?: number };
  attachments?: { url: string; name?: string; contentType?: string }[];
}

export interface IntakeAnswer {
  id: string;
  caseNo: string;
  status: string;
  /** `started`: the one window runs; `pending`: filed, the process starts as soon as the engine answers. */
  dispatch: 'started' | 'pending';
  trackingUrl: string;
}

/** Idempotency keys are the client's: one scope per logged-in user or API key, one for anonymous reports. */
function intakeScope(principal: Principal | undefined): string {
  if (!principal) return 'api:anonymous';
  return isUser(principal) ? `api:user:${principal.userId}` : `api:key:${principal.keyId}`;
}

export class CaseApiService {
  constructor(
    private readonly deps: {
      db: Knex;
      zbc?: Zeebe.ZeebeGrpcClient;
      log: Logger;
      tasks: TaskApiService;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private zbc(): Zeebe.ZeebeGrpcClient {
    if (!this.deps.zbc)
      throw new HttpProblem(503, 'Service Unavailable', 'The process engine is not connected; try again shortly.');
    return this.deps.zbc;
  }

  /**
   * Files a report: the case, its pending start of `case-intake` and the client's idempotency key
   * are written in one transaction (domain/cases/pending-start.ts), then the engine gets
   * {@link INTAKE_START_DEADLINE_MS} to start the instance. Started → 201; not (yet) → 202, and the
   * starter loop starts it once the engine answers. A repeat of an `Idempotency-Key` with the same
   * body answers for the case the first one filed (`replayed`); with another body → 422.
   */
  async intake(
    input: IntakeInput,
    principal: Principal | undefined,
    idempotencyKey?: string,
  ): Promise<{ started: boolean; replayed: boolean; answer: IntakeAnswer }> {
    const staff = isUser(principal);
    const channel: NewCase['channel'] = input.channel ?? (staff ? 'hotline' : 'web');
    if (channel === 'hotline' && !staff)
      throw HttpProblem.forbidden('Only logged-in hotline clerks file reports on the hotline channel.');
    const now = this.now();
    const outcome = await fileCase(
      this.deps.db,
      {
        description: input.description,
        channel,
        reporter: input.reporter,
        confidential: input.confidential,
        location: input.location,
        attachments: input.attachments ?? [],
      },
      {
        idempotency: idempotencyKey
          ? { scope: intakeScope(principal), key: idempotencyKey, requestHash: requestHash({ ...input, channel }) }
          : undefined,
      },
      now,
    );
    if (outcome.kind === 'mismatch')
      throw new HttpProblem(
        422,
        'Unprocessable Content',
        'This Idempotency-Key was already used for a different report; use a new key for a new report.',
        { code: 'IDEMPOTENCY_KEY_REUSED' },
      );
    if (outcome.kind === 'replay') {
      const answer = await this.intakeAnswer(outcome.caseId);
      return { started: answer.dispatch === 'started', replayed: true, answer };
    }
    const { id } = outcome.created;
    let started = false;
    if (this.deps.zbc) {
      const r = await attemptStart(this.deps.db, this.deps.zbc, id, {
        deadlineMs: INTAKE_START_DEADLINE_MS,
        now: () => this.now(),
        log: this.deps.log,
      });
      started = r.kind === 'started';
    }
    const answer = await this.intakeAnswer(id);
    return { started: started || answer.dispatch === 'started', replayed: false, answer };
  }

  private async intakeAnswer(caseId: string): Promise<IntakeAnswer> {
    const row = await findCaseByIdOrNo(this.deps.db, caseId);
    if (!row) throw HttpProblem.notFound(`Case ${caseId} does not exist.`);
    const pending = await isStartPending(this.deps.db, caseId);
    return {
      id: row.id,
      caseNo: row.case_no,
      status: row.status,
      dispatch: pending ? 'pending' : 'started',
      trackingUrl: `/?caseNo=${encodeURIComponent(row.case_no)}`,
    };
  }

  /** Departments allowed to see a case (besides supervisors and admins): assigned ones, its task departments, the one window. */
  private async caseDepartments(c: CaseRowFull): Promise<string[]> {
    const tasks = await listCaseTasks(this.deps.db, c.id, false);
    return [...new Set([...assignedDepartments(c), ...tasks.map((t) => t.department).filter(Boolean), ONE_WINDOW])];
  }

  private async requireCase(idOrCaseNo: string): Promise<CaseRowFull> {
    const c = await findCaseByIdOrNo(this.deps.db, idOrCaseNo);
    if (!c) throw HttpProblem.notFound(`Case ${idOrCaseNo} does not exist.`);
    return c;
  }

  /** Staff by role or department; a reporter with the case's phone number sees a reporter's view. */
  async view(idOrCaseNo: string, principal: Principal | undefined, phone?: string): Promise<CaseView> {
    const c = await findCaseByIdOrNo(this.deps.db, idOrCaseNo);
    const asReporter = async () => {
      if (!c || !phone || !c.reporter_phone || digits(phone) !== digits(c.reporter_phone)) {
        // The same answer for "no such case" and "wrong phone": a case number and a phone identify a reporter.
        throw HttpProblem.notFound(`No case ${idOrCaseNo} was reported with that phone number.`);
      }
      return toCaseView(c, {
        principal,
        reporter: true,
        events: await listCaseEvents(this.deps.db, c.id),
        tasks: [],
        notifications: [],
        dispatchPending: await isStartPending(this.deps.db, c.id),
      });
    };
    if (!isUser(principal)) {
      if (phone === undefined)
        throw HttpProblem.unauthorized('Log in, or give the phone number the case was reported with (?phone=).');
      return asReporter();
    }
    if (!c) throw HttpProblem.notFound(`Case ${idOrCaseNo} does not exist.`);
    const mine = principal.departments;
    if (!hasDepartmentAccess(principal, await this.caseDepartments(c), ['admin', 'supervisor'])) {
      if (phone !== undefined) return asReporter();
      throw HttpProblem.forbidden(
        `Case ${c.case_no} is not handled by ${mine.join(', ') || 'any of your departments'}.`,
      );
    }
    const [events, tasks, notifications, dispatchPending] = await Promise.all([
      listCaseEvents(this.deps.db, c.id),
      listCaseTasks(this.deps.db, c.id, true),
      listNotifications(this.deps.db, { caseId: c.id }).then((ns) =>
        c.confidential && !mayReadConfidential(principal) ? ns.map((n) => ({ ...n, to: CONFIDENTIAL_MARK })) : ns,
      ),
      isStartPending(this.deps.db, c.id),
    ]);
    return toCaseView(c, { principal, reporter: false, events, tasks, notifications, dispatchPending });
  }

  /**
   * The reporter's name and phone unmasked, for a staff member of the case's assigned departments (or a
   * supervisor) who gives a reason; a confidential case (举报人保密) also needs `confidential-reader`.
   * The view is recorded (domain/privacy/access-log.ts) before the data is returned.
   */
  async revealReporter(
    idOrCaseNo: string,
    principal: Principal | undefined,
    reason: string,
    from: { ip?: string | null; requestId?: string | null } = {},
  ): Promise<{ caseId: string; caseNo: string; name: string | null; phone: string | null; confidential: boolean }> {
    if (!isUser(principal)) throw HttpProblem.unauthorized();
    const c = await this.requireCase(idOrCaseNo);
    if (!hasDepartmentAccess(principal, assignedDepartments(c), ['supervisor']))
      throw HttpProblem.forbidden(
        `The reporter of case ${c.case_no} is shown only to its assigned departments (${assignedDepartments(c).join(', ') || 'none yet'}) and supervisors.`,
      );
    if (c.confidential && !mayReadConfidential(principal))
      throw HttpProblem.forbidden(
        `Case ${c.case_no} is a confidential report (举报人保密): its reporter is shown only to users with the confidential-reader role.`,
      );
    const fields = ['reporter_name', 'reporter_phone'].filter((f) => c[f as 'reporter_name'] != null);
    await recordPersonalDataAccess(this.deps.db, {
      at: this.now(),
      actor: principal.username,
      roles: principal.roles,
      subject: `case=${c.case_no}`,
      fields,
      reason,
      ip: from.ip,
      requestId: from.requestId,
    });
    return {
      caseId: c.id,
      caseNo: c.case_no,
      name: c.reporter_name,
      phone: c.reporter_phone,
      confidential: !!c.confidential,
    };
  }

  /** Staff list: supervisors and admins see every case, the one window too, other clerks their departments' cases. */
  async list(
    user: UserPrincipal,
    filter: CaseFilter,
    page: { limit: number; offset: number; sort: 'created' | 'due' },
  ): Promise<{ cases: CaseSummary[]; total: number }> {
    const all = hasRole(user, 'admin', 'supervisor') || user.departments.includes(ONE_WINDOW);
    const { total, rows } = await countAndListCases(this.deps.db, filter, all ? null : user.departments, page);
    return { total, cases: rows.map(toCaseSummary) };
  }

  /**
   * The SMS outbox as a clerk may see it (issue 18, M4): a clerk sees the messages of the cases their
   * departments work on — the one window all of them, as it sees every case — supervisors and admins
   * every message; `caseId` of a case the user may not open is 403. Phones are masked for everyone
   * (`toPublic`, domain/notify/mask.ts).
   */
  async notifications(
    user: UserPrincipal,
    query: { caseId?: string; status?: NotificationStatus; limit?: number },
  ): Promise<PublicNotification[]> {
    const all = hasRole(user, 'admin', 'supervisor') || user.departments.includes(ONE_WINDOW);
    if (query.caseId) {
      const c = await findCaseByIdOrNo(this.deps.db, query.caseId);
      if (!c) throw HttpProblem.notFound(`Case ${query.caseId} does not exist.`);
      const mine = user.departments;
      if (!hasDepartmentAccess(user, await this.caseDepartments(c), ['admin', 'supervisor']))
        throw HttpProblem.forbidden(
          `Case ${c.case_no} is not handled by ${mine.join(', ') || 'any of your departments'}.`,
        );
      return listNotifications(this.deps.db, { ...query, caseId: c.id });
    }
    return listNotifications(this.deps.db, { ...query, departments: all ? undefined : user.departments });
  }

  /**
   * 回访评价: the reporter (the phone the case was reported with) or staff with rights over the case —
   * a clerk of its lead or a collaborating department, a supervisor — rates a closed case. An
   * unsatisfied rating re-opens it, so no other clerk may rate (issue 18, M3): 403 for a clerk of
   * another department, unless they give the reporter's phone (then they act as the reporter).
   */
  async rate(
    idOrCaseNo: string,
    principal: Principal | undefined,
    body: { satisfied: boolean; comment?: string; phone?: string },
  ): Promise<{ caseId: string; satisfied: boolean; reopens: boolean }> {
    const c = await findCaseByIdOrNo(this.deps.db, idOrCaseNo);
    const staff = isUser(principal) && hasRole(principal, 'clerk', 'supervisor');
    const reporterPhone = !!c?.reporter_phone && !!body.phone && digits(body.phone) === digits(c.reporter_phone);
    if (staff && c && !reporterPhone && !hasDepartmentAccess(principal, assignedDepartments(c), ['supervisor'])) {
      throw HttpProblem.forbidden(
        `Case ${c.case_no} is handled by ${assignedDepartments(c).join(', ') || 'no department yet'}; only its departments, a supervisor or the reporter may rate it.`,
      );
    }
    if (!staff) {
      if (!body.phone)
        throw HttpProblem.unauthorized(
          'Give the phone number the case was reported with (phone), or log in as a clerk.',
        );
      if (!c || !c.reporter_phone || digits(body.phone) !== digits(c.reporter_phone))
        throw HttpProblem.notFound(`No case ${idOrCaseNo} was reported with that phone number.`);
    }
    if (!c) throw HttpProblem.notFound(`Case ${idOrCaseNo} does not exist.`);
    const r = await rateCase(
      this.deps.db,
      this.zbc(),
      c.id,
      { satisfied: body.satisfied, comment: body.comment ?? null },
      this.now(),
    );
    if (!r.ok) throw problemFromDomain(r);
    return { caseId: c.id, satisfied: body.satisfied, reopens: !body.satisfied };
  }

  /** The open task of the case at one of `elementIds` (optionally: whose form offers `field`). */
  private async openStep(
    c: CaseRowFull,
    match: (t: Record<string, any>) => boolean,
    what: string,
  ): Promise<Record<string, any>> {
    const open = (await listCaseTasks(this.deps.db, c.id, true)).filter(match);
    if (open.length === 0)
      throw new HttpProblem(
        409,
        'Conflict',
        `Case ${c.case_no} (${c.status}) has no open step where it can be ${what}.`,
        { code: 'NO_SUCH_STEP' },
      );
    return open[0];
  }

  private async completeStep(
    task: Record<string, any>,
    user: UserPrincipal,
    variables: Record<string, unknown>,
    c: CaseRowFull,
  ) {
    await this.deps.tasks.complete(task.id, user, variables);
    return { caseId: c.id, taskId: task.id, step: task.element_id as string };
  }

  /** 并单: the mediation centre merges a duplicate into an open case (its dispatch step). */
  async merge(id: string, user: UserPrincipal, body: { into: string; reason?: string }) {
    const c = await this.requireCase(id);
    const target = await findCaseByIdOrNo(this.deps.db, body.into);
    if (!target)
      throw HttpProblem.badRequest(`Case ${body.into} does not exist.`, [{ field: 'into', message: 'no such case' }]);
    if (target.id === c.id)
      throw HttpProblem.badRequest('A case cannot be merged into itself.', [
        { field: 'into', message: 'the case itself' },
      ]);
    const task = await this.openStep(
      c,
      (t) => t.element_id === 'dispatchConfirm',
      'merged (merging happens at the mediation centre’s dispatch step; the lead department returns the case first)',
    );
    return this.completeStep(
      task,
      user,
      { dispatchAction: 'merge', mergeInto: target.case_no, dispatchNote: body.reason ?? '' },
      c,
    );
  }

  /** 改派: the mediation centre sends the case to another catalog situation (and so another lead department). */
  async redispatch(id: string, user: UserPrincipal, body: { situationId: string; reason: string }) {
    const c = await this.requireCase(id);
    const situation = await this.deps
      .db('catalog_situation')
      .where({ code: body.situationId, active: true })
      .first('code');
    if (!situation)
      throw HttpProblem.badRequest(`There is no active catalog situation ${body.situationId}.`, [
        { field: 'situationId', message: 'no such active situation' },
      ]);
    const task = await this.openStep(
      c,
      (t) => t.element_id === 'dispatchConfirm',
      're-dispatched (the lead department returns it first)',
    );
    return this.completeStep(
      task,
      user,
      { dispatchAction: 'dispatch', correctedSituationId: body.situationId, dispatchNote: body.reason },
      c,
    );
  }

  /** 退单: the lead department returns the case to the mediation centre with a reason. */
  async returnCase(id: string, user: UserPrincipal, body: { reason: string }) {
    const c = await this.requireCase(id);
    const offersReturn = (t: Record<string, any>) => {
      const schema = typeof t.form_schema === 'string' ? JSON.parse(t.form_schema) : t.form_schema;
      const walk = (list: any[] | undefined): boolean =>
        (list ?? []).some(
          (x) =>
            (x.key === 'handlingOutcome' && (x.values ?? []).some((v: any) => v.value === 'returned')) ||
            walk(x.components),
        );
      return walk(schema?.components) && user.departments.includes(t.department);
    };
    const task = await this.openStep(c, offersReturn, 'returned by your department');
    return this.completeStep(task, user, { handlingOutcome: 'returned', returnReason: body.reason }, c);
  }

  /** 中止: the SLA clocks of the case stop while waiting for the reporter. */
  async suspend(id: string, user: UserPrincipal, reason: string) {
    const c = await this.requireCase(id);
    await this.assertWorks(c, user);
    const r = await suspendCase(this.deps.db, this.zbc(), c.id, user.username, reason, this.now());
    if (!r.ok) throw problemFromDomain(r);
    return { caseId: c.id, clocks: r.value.clocks };
  }

  async resume(id: string, user: UserPrincipal) {
    const c = await this.requireCase(id);
    await this.assertWorks(c, user);
    const r = await resumeCase(this.deps.db, this.zbc(), c.id, user.username, this.now());
    if (!r.ok) throw problemFromDomain(r);
    return { caseId: c.id, clocks: r.value.clocks };
  }

  /** Suspending is for the departments working the case (and supervisors). */
  private async assertWorks(c: CaseRowFull, user: UserPrincipal): Promise<void> {
    const open = await listCaseTasks(this.deps.db, c.id, true);
    const departments = [...new Set([...assignedDepartments(c), ...open.map((t) => t.department).filter(Boolean)])];
    const mine = user.departments;
    if (!hasDepartmentAccess(user, departments, ['supervisor'])) {
      throw HttpProblem.forbidden(
        `Case ${c.case_no} is worked by ${departments.join(', ') || 'no department yet'}; you are in ${mine.join(', ') || 'no department'}.`,
      );
    }
  }
}
