/**
 * How a case looks to each caller (API.md `GET /api/cases/:idOrCaseNo`): the reporter's name and
 * phone are masked for everyone (the unmasked ones come only from `GET /api/cases/:id/reporter` with
 * a reason, which is recorded); the reporter of a confidential case (举报人保密) is "保密" to everyone
 * without the `confidential-reader` role, the reporter themselves included; reporters see their own
 * case without the internal tasks, outbox and staff names.
 */
import { hasDepartmentAccess, hasRole, type Principal } from '../auth';
import { maskDeep, maskName, maskPhone } from '../../domain/notify/mask';
import { CONFIDENTIAL_MARK } from '../../domain/privacy/personal-data';
import type { PublicNotification } from '../../domain/notify/outbox';
import type { CaseRowFull } from '../../domain/cases/case-queries';

const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());
const json = <T>(v: unknown, fallback: T): T =>
  v == null ? fallback : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T);

export interface Classification {
  situationId: string;
  matterId: string | null;
  categoryId: string | null;
  scenario: string | null;
  leadDepartment: string | null;
  collaborators: string[];
  confidence: number | null;
}

export interface TimelineEntry {
  at: string;
  type: string;
  actor: string;
  department: string | null;
  data: Record<string, unknown>;
}

export interface TaskSummary {
  id: string;
  name: string;
  elementId: string;
  bpmnProcessId: string;
  department: string | null;
  candidateGroups: string[];
  assignee: string | null;
  state: string;
  dueAt: string | null;
  light: string;
  priority: number;
  createdAt: string;
  completedAt: string | null;
  completedBy: string | null;
}

export interface CaseSummary {
  id: string;
  caseNo: string;
  status: string;
  channel: string;
  description: string;
  scenario: string | null;
  leadDepartment: string | null;
  sla: { dueAt: string | null; warnAt: string | null; light: string };
  createdAt: string;
  closedAt: string | null;
  rating: { satisfied: boolean; comment: string | null; ratedAt: string | null } | null;
}

export interface CaseView extends CaseSummary {
  view: 'staff' | 'reporter';
  /** Filed, but its process has not started yet (docs/intake.md). */
  dispatchPending: boolean;
  reporter: { name: string | null; phone: string | null; confidential: boolean } | null;
  location: { address: string | null; lat: number | null; lng: number | null } | null;
  attachments: unknown[];
  classification: Classification | null;
  stageCode: string | null;
  reply: string | null;
  repliedAt: string | null;
  mergedInto: string | null;
  reopenCount: number;
  returnCount: number;
  escalationLevel: number;
  response: { respondedAt: string | null; met: boolean | null };
  timeline: TimelineEntry[];
  tasks: TaskSummary[];
  notifications: PublicNotification[];
}

/** Departments that see the reporter's phone in full: the lead and the collaborators. */
export function assignedDepartments(c: CaseRowFull): string[] {
  return [...new Set([c.lead_department, ...json<string[]>(c.collaborators, [])].filter((d): d is string => !!d))];
}

export function classificationOf(c: CaseRowFull): Classification | null {
  if (!c.situation_code) return null;
  return {
    situationId: c.situation_code,
    matterId: c.matter_code,
    categoryId: c.category_code,
    scenario: c.scenario,
    leadDepartment: c.lead_department,
    collaborators: json<string[]>(c.collaborators, []),
    confidence: c.confidence == null ? null : Number(c.confidence),
  };
}

export function toCaseSummary(c: CaseRowFull): CaseSummary {
  return {
    id: c.id,
    caseNo: c.case_no,
    status: c.status,
    channel: c.channel,
    description: c.description,
    scenario: c.scenario,
    leadDepartment: c.lead_department,
    sla: { dueAt: iso(c.due_at), warnAt: iso(c.warn_at), light: c.light },
    createdAt: iso(c.created_at)!,
    closedAt: iso(c.closed_at),
    rating:
      c.rating_satisfied == null
        ? null
        : { satisfied: !!c.rating_satisfied, comment: c.rating_comment, ratedAt: iso(c.rated_at) },
  };
}

export function toTaskSummary(t: Record<string, any>): TaskSummary {
  return {
    id: t.id,
    name: t.name,
    elementId: t.element_id,
    bpmnProcessId: t.bpmn_process_id,
    department: t.department,
    candidateGroups: json<string[]>(t.candidate_groups, []),
    assignee: t.assignee,
    state: t.state,
    dueAt: iso(t.due_at),
    light: t.light,
    priority: Number(t.priority),
    createdAt: iso(t.created_at)!,
    completedAt: iso(t.completed_at),
    completedBy: t.completed_by,
  };
}

const PUBLIC_ACTORS = new Set(['reporter', 'system', 'device']);

/** Whether `p` may see who reported a confidential case (举报人保密). */
export function mayReadConfidential(p: Principal | undefined): boolean {
  return hasRole(p, 'confidential-reader');
}

/** The reporter as any view shows them: masked, or "保密" on a confidential case for all but confidential readers. */
export function presentReporter(
  c: Pick<CaseRowFull, 'reporter_name' | 'reporter_phone' | 'confidential'>,
  principal: Principal | undefined,
  asReporter = false,
): { name: string | null; phone: string | null; confidential: boolean } | null {
  if (!c.reporter_name && !c.reporter_phone) return null;
  const confidential = !!c.confidential;
  if (confidential && (asReporter || !mayReadConfidential(principal)))
    return { name: CONFIDENTIAL_MARK, phone: CONFIDENTIAL_MARK, confidential };
  return {
    name: maskName(c.reporter_name),
    phone: c.reporter_phone ? maskPhone(c.reporter_phone) : null,
    confidential,
  };
}

export function toTimeline(
  events: { at: Date; type: string; actor: string; department: string | null; data: unknown }[],
  mode: 'full' | 'masked' | 'reporter',
): TimelineEntry[] {
  return events.map((e) => {
    const data = json<Record<string, unknown>>(e.data, {});
    if (mode === 'full') return { at: iso(e.at)!, type: e.type, actor: e.actor, department: e.department, data };
    if (mode === 'masked')
      return { at: iso(e.at)!, type: e.type, actor: e.actor, department: e.department, data: maskDeep(data) };
    // Reporters learn who handled their case by department, not by the clerk's user name, and see no internal data.
    return {
      at: iso(e.at)!,
      type: e.type,
      actor: PUBLIC_ACTORS.has(e.actor) ? e.actor : 'staff',
      department: e.department,
      data: {},
    };
  });
}

export function toCaseView(
  c: CaseRowFull,
  parts: {
    principal: Principal | undefined;
    reporter: boolean;
    events: Parameters<typeof toTimeline>[0];
    tasks: Record<string, any>[];
    notifications: PublicNotification[];
    dispatchPending?: boolean;
  },
): CaseView {
  const assigned = assignedDepartments(c);
  const fullAccess = !parts.reporter && hasDepartmentAccess(parts.principal, assigned);
  return {
    ...toCaseSummary(c),
    view: parts.reporter ? 'reporter' : 'staff',
    dispatchPending: parts.dispatchPending ?? false,
    reporter: presentReporter(c, parts.principal, parts.reporter),
    location:
      c.address || c.lat != null || c.lng != null
        ? { address: c.address, lat: c.lat == null ? null : Number(c.lat), lng: c.lng == null ? null : Number(c.lng) }
        : null,
    attachments: json<unknown[]>(c.attachments, []),
    classification: classificationOf(c),
    stageCode: c.stage_code,
    reply: c.reply,
    repliedAt: iso(c.replied_at),
    mergedInto: c.merged_into,
    reopenCount: Number(c.reopen_count),
    returnCount: Number(c.return_count ?? 0),
    escalationLevel: Number(c.escalation_level ?? 0),
    response: { respondedAt: iso(c.responded_at), met: c.response_met ?? null },
    timeline: toTimeline(parts.events, parts.reporter ? 'reporter' : fullAccess ? 'full' : 'masked'),
    tasks: parts.reporter ? [] : parts.tasks.map(toTaskSummary),
    notifications: parts.reporter ? [] : parts.notifications,
  };
}
