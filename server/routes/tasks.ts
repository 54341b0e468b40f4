/** Tasks (design/API.md): the clerks' inbox, claim/unclaim/complete, deadline extensions. */
import { z } from 'zod';
import type { RouteContext } from '../app';
import { defineRoute, userOf, type AnyRoute } from '../http/define-route';
import { query } from '../http/validate';
import { MAX_EXTENSION_HOURS } from '../../domain/tasks/extension-service';
import { TaskApiService } from '../tasks/task-api-service';
import { CaseSummarySchema, IsoTime, Light, TaskSummarySchema, TimelineEntrySchema } from './cases-schemas';

const taskRef = z.strictObject({ id: z.uuid() });
const InboxTaskSchema = TaskSummarySchema.extend({
  caseId: z.string().nullable(),
  caseNo: z.string().nullable(),
  scenario: z.string().nullable(),
  summary: z.string().nullable().describe('the start of the case description'),
});
const TaskDetailSchema = InboxTaskSchema.extend({
  formKey: z.string().nullable(),
  formSchema: z.unknown().describe('the Camunda Form (JSON) the completion is validated against'),
  variables: z.record(z.string(), z.unknown()).describe('process variables when the task was created'),
  result: z.record(z.string(), z.unknown()).nullable(),
  cancelReason: z.string().nullable(),
  slaKey: z.string().nullable(),
  case: CaseSummarySchema.extend({
    reporter: z
      .object({ name: z.string().nullable(), phone: z.string().nullable(), confidential: z.boolean() })
      .nullable(),
  }).nullable(),
  timeline: z.array(TimelineEntrySchema),
  earlierAnswers: z.array(
    z.object({
      taskId: z.string(),
      name: z.string(),
      elementId: z.string(),
      department: z.string().nullable(),
      completedBy: z.string().nullable(),
      completedAt: IsoTime.nullable(),
      answer: z.record(z.string(), z.unknown()),
    }),
  ),
});
const ExtensionSchema = z.object({
  id: z.string(),
  taskId: z.string().nullable(),
  taskName: z.string().nullable(),
  department: z.string().nullable(),
  caseId: z.string().nullable(),
  caseNo: z.string().nullable(),
  hours: z.number(),
  reason: z.string(),
  status: z.string(),
  requestedBy: z.string(),
  requestedAt: IsoTime,
  decidedBy: z.string().nullable(),
  decidedAt: IsoTime.nullable(),
  comment: z.string().nullable(),
  dueAt: IsoTime.nullable().describe('the step’s due date now'),
  requestedDueAt: IsoTime.nullable().describe(
    'pending: the due date if approved now (working hours added to the current due date)',
  ),
  light: Light.nullable().describe('the step’s SLA light now'),
});
const gone = {
  description:
    'the task is no longer open: completed, claimed by someone else, or its job was cancelled by the process (interrupting timer, cancelled case)',
};

export function taskRoutes(ctx: RouteContext): AnyRoute[] {
  const tasks = new TaskApiService({ db: ctx.db, zbc: ctx.zbc, now: ctx.now });
  return [
    defineRoute({
      method: 'get',
      path: '/api/tasks',
      summary: 'Tasks of the user’s departments, by due date then priority',
      description: 'Clerks see their departments’ tasks; supervisors and admins every department’s (or `department=`).',
      tags: ['tasks'],
      access: ['clerk', 'supervisor', 'admin'],
      request: {
        query: z.strictObject({
          state: z.enum(['created', 'completed', 'cancelled']).optional().describe('default created (open)'),
          assignee: z.literal('me').optional(),
          unassigned: query.bool().optional(),
          light: Light.optional(),
          scenario: z.string().max(64).optional().describe('the task’s process id or the case’s scenario'),
          dueBefore: z.iso.datetime({ offset: true }).optional(),
          department: z.string().max(64).optional(),
          caseId: z.string().max(64).optional(),
          limit: query.int({ min: 1, max: 200 }).optional(),
          offset: query.int({ min: 0, max: 1_000_000 }).optional(),
        }),
      },
      responses: {
        200: {
          description: 'one page of tasks and the total',
          schema: z.object({ tasks: z.array(InboxTaskSchema), total: z.number() }),
        },
      },
      handler: ({ query: q, principal }) => tasks.list(userOf(principal), q),
    }),
    defineRoute({
      method: 'get',
      path: '/api/tasks/:id',
      summary: 'One task with its form schema, the case summary, the timeline and the earlier answers',
      tags: ['tasks'],
      access: ['clerk', 'supervisor', 'admin'],
      request: { params: taskRef },
      responses: { 200: { description: 'the task', schema: TaskDetailSchema }, 404: { description: 'no such task' } },
      handler: ({ params, principal }) => tasks.get(params.id, userOf(principal)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/tasks/:id/claim',
      summary: 'Assign the task to me',
      tags: ['tasks'],
      access: ['clerk'],
      request: { params: taskRef },
      responses: {
        200: { description: 'claimed', schema: TaskSummarySchema },
        404: { description: 'no such task' },
        409: gone,
      },
      handler: ({ params, principal }) => tasks.claim(params.id, userOf(principal)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/tasks/:id/unclaim',
      summary: 'Give the task back to the department',
      tags: ['tasks'],
      access: ['clerk'],
      request: { params: taskRef },
      responses: {
        200: { description: 'unassigned', schema: TaskSummarySchema },
        404: { description: 'no such task' },
        409: gone,
      },
      handler: ({ params, principal }) => tasks.unclaim(params.id, userOf(principal)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/tasks/:id/complete',
      summary:
        'Complete the task with the form’s variables (validated against the form: required fields, types, options)',
      tags: ['tasks'],
      access: ['clerk'],
      request: {
        params: taskRef,
        body: z.strictObject({ variables: z.record(z.string().max(200), z.unknown()).default({}) }),
      },
      responses: {
        200: { description: 'completed; the process moves on', schema: TaskSummarySchema },
        404: { description: 'no such task' },
        409: gone,
        503: { description: 'the process engine is not connected' },
      },
      handler: ({ params, body, principal }) => tasks.complete(params.id, userOf(principal), body.variables),
    }),
    defineRoute({
      method: 'post',
      path: '/api/tasks/:id/extension',
      summary: 'Request a deadline extension (延期申请) for an open task before it is due',
      tags: ['tasks'],
      access: ['clerk'],
      request: {
        params: taskRef,
        body: z.strictObject({
          hours: z.number().positive().max(MAX_EXTENSION_HOURS).describe('working hours'),
          reason: z.string().trim().min(1).max(2000),
        }),
      },
      responses: {
        201: { description: 'requested; a supervisor decides', schema: z.object({ extensionId: z.string() }) },
        404: { description: 'no such task' },
        409: { description: 'the task is closed, has no SLA, or is already overdue' },
      },
      handler: ({ params, body, principal }) => tasks.requestExtension(params.id, userOf(principal), body),
    }),
    defineRoute({
      method: 'get',
      path: '/api/extensions',
      summary: 'Extension requests (supervisors: all; clerks: their departments’)',
      tags: ['tasks'],
      access: ['supervisor', 'clerk', 'admin'],
      request: {
        query: z.strictObject({
          status: z.enum(['pending', 'approved', 'rejected']).optional(),
          limit: query.int({ min: 1, max: 500 }).optional(),
        }),
      },
      responses: { 200: { description: 'newest first', schema: z.object({ extensions: z.array(ExtensionSchema) }) } },
      handler: async ({ query: q, principal }) => ({
        extensions: await tasks.listExtensions(userOf(principal), q.status, q.limit ?? 100),
      }),
    }),
    ...(['approve', 'reject'] as const).map((decision) =>
      defineRoute({
        method: 'post',
        path: `/api/extensions/:id/${decision}`,
        summary:
          decision === 'approve'
            ? 'Approve an extension: the step’s SLA clock moves its due date'
            : 'Reject an extension',
        tags: ['tasks'],
        access: ['supervisor'],
        request: {
          params: z.strictObject({ id: z.string().regex(/^\d{1,18}$/, 'expected an extension id') }),
          body: z.strictObject({ comment: z.string().trim().max(2000).optional() }).default({}),
        },
        responses: {
          200: { description: 'decided', schema: ExtensionSchema },
          404: { description: 'no such extension' },
          409: { description: 'already decided' },
        },
        handler: ({ params, body, principal }) =>
          tasks.decideExtension(params.id, userOf(principal), decision === 'approve', body.comment ?? null),
      }),
    ),
  ];
}
