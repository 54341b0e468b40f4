/** Response and request schemas shared by the case, task and dashboard routes (OpenAPI components). */
import { z } from 'zod';
import { query } from '../http/validate';
import { LIGHTS } from '../../domain/cases/case-queries';

export const IsoTime = z.iso.datetime({ offset: true });
export const Light = z.enum(LIGHTS);

export const Sla = z.object({ dueAt: IsoTime.nullable(), warnAt: IsoTime.nullable(), light: z.string() });

export const CaseSummarySchema = z.object({
  id: z.string(),
  caseNo: z.string(),
  status: z.string(),
  channel: z.string(),
  description: z.string(),
  scenario: z.string().nullable(),
  leadDepartment: z.string().nullable(),
  sla: Sla,
  createdAt: IsoTime,
  closedAt: IsoTime.nullable(),
  rating: z.object({ satisfied: z.boolean(), comment: z.string().nullable(), ratedAt: IsoTime.nullable() }).nullable(),
});

export const ClassificationSchema = z.object({
  situationId: z.string(),
  matterId: z.string().nullable(),
  categoryId: z.string().nullable(),
  scenario: z.string().nullable(),
  leadDepartment: z.string().nullable(),
  collaborators: z.array(z.string()),
  confidence: z.number().nullable(),
});

export const TimelineEntrySchema = z.object({
  at: IsoTime,
  type: z.string(),
  actor: z.string().describe('user name, `reporter`, `system`, a device id; `staff` in the reporter’s view'),
  department: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

export const TaskSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  elementId: z.string(),
  bpmnProcessId: z.string(),
  department: z.string().nullable(),
  candidateGroups: z.array(z.string()),
  assignee: z.string().nullable(),
  state: z.string(),
  dueAt: IsoTime.nullable(),
  light: z.string(),
  priority: z.number(),
  createdAt: IsoTime,
  completedAt: IsoTime.nullable(),
  completedBy: z.string().nullable(),
});

export const NotificationSchema = z.object({
  id: z.string(),
  idempotencyKey: z.string(),
  caseId: z.string().nullable(),
  channel: z.literal('sms'),
  to: z.string().describe('masked, e.g. 138****5678'),
  template: z.string(),
  params: z.record(z.string(), z.unknown()),
  text: z.string(),
  status: z.string(),
  statusReason: z.string().nullable(),
  attempts: z.number(),
  nextAttemptAt: IsoTime.nullable(),
  lastError: z.string().nullable(),
  provider: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  queuedAt: IsoTime,
  sentAt: IsoTime.nullable(),
});

export const CaseViewSchema = CaseSummarySchema.extend({
  view: z.enum(['staff', 'reporter']),
  dispatchPending: z
    .boolean()
    .describe('filed, but its process has not started yet (the engine did not answer): 已受理，正在分拨'),
  reporter: z
    .object({
      name: z.string().nullable(),
      phone: z.string().nullable().describe('masked (138****5678); 保密 on a confidential report'),
      confidential: z.boolean().describe('举报人保密: name and phone are 保密 to all but confidential-reader users'),
    })
    .nullable(),
  location: z
    .object({ address: z.string().nullable(), lat: z.number().nullable(), lng: z.number().nullable() })
    .nullable(),
  attachments: z.array(z.unknown()),
  classification: ClassificationSchema.nullable(),
  stageCode: z.string().nullable(),
  reply: z.string().nullable(),
  repliedAt: IsoTime.nullable(),
  mergedInto: z.string().nullable(),
  reopenCount: z.number(),
  returnCount: z.number(),
  escalationLevel: z.number(),
  response: z.object({ respondedAt: IsoTime.nullable(), met: z.boolean().nullable() }),
  timeline: z.array(TimelineEntrySchema),
  tasks: z.array(TaskSummarySchema).describe('open tasks (empty in the reporter’s view)'),
  notifications: z.array(NotificationSchema).describe('the SMS outbox, phones masked (empty in the reporter’s view)'),
});

const bool = () => query.bool().optional();
const isoQuery = () => z.iso.datetime({ offset: true }).optional();

/** The filters of `GET /api/cases`, also accepted by every dashboard figure so it drills down to its cases. */
export const CaseFilterQuery = {
  from: isoQuery().describe('period start (inclusive) on `dateField`'),
  to: isoQuery().describe('period end (exclusive) on `dateField`'),
  dateField: z
    .enum(['created', 'closed', 'rated'])
    .optional()
    .describe('which time the period applies to (default created)'),
  department: z.string().max(64).optional().describe('lead department'),
  scenario: z.string().max(64).optional(),
  channel: z.string().max(20).optional(),
  status: z.string().max(200).optional().describe('one status or several, comma-separated'),
  light: Light.optional(),
  satisfied: bool(),
  responseMet: bool(),
  resolvedInSla: bool(),
  overdue: bool().describe('some step went red (red card) or finished late'),
  q: z.string().max(200).optional().describe('case-number prefix or words of the description'),
};

export function toCaseFilter(q: Record<string, any>) {
  return {
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
    dateField: q.dateField,
    department: q.department,
    scenario: q.scenario,
    channel: q.channel,
    status: q.status
      ? String(q.status)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined,
    light: q.light,
    satisfied: q.satisfied,
    responseMet: q.responseMet,
    resolvedInSla: q.resolvedInSla,
    overdue: q.overdue,
    q: q.q,
  };
}
