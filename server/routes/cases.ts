/** Cases (design/API.md): intake, the case view, the staff list, rating and the clerks' case actions. */
import { z } from 'zod';
import type { RouteContext } from '../app';
import { CaseApiService } from '../cases/case-api-service';
import { defineRoute, userOf, type AnyRoute } from '../http/define-route';
import { query } from '../http/validate';
import { TaskApiService } from '../tasks/task-api-service';
import { CaseFilterQuery, CaseSummarySchema, CaseViewSchema, toCaseFilter } from './cases-schemas';

const phone = z
  .string()
  .trim()
  .regex(/^\+?[\d\s-]{5,20}$/, 'expected a phone number');
const caseRef = z.strictObject({ id: z.string().min(1).max(64).describe('case id (uuid) or case number') });
const reason = z.string().trim().min(1).max(2000);

const IntakeBody = z.strictObject({
  description: z.string().trim().min(1).max(5000),
  channel: z
    .enum(['web', 'hotline', 'api'])
    .optional()
    .describe('default web (hotline for logged-in clerks); hotline needs a login'),
  reporter: z.strictObject({ name: z.string().trim().max(100).optional(), phone: phone.optional() }).optional(),
  location: z
    .strictObject({
      address: z.string().trim().max(500).optional(),
      lat: z.number().min(-90).max(90).optional(),
      lng: z.number().min(-180).max(180).optional(),
    })
    .optional(),
  attachments: z
    .array(
      z.strictObject({
        url: z.url({ protocol: /^https?$/ }).max(2000),
        name: z.string().max(200).optional(),
        contentType: z.string().max(100).optional(),
      }),
    )
    .max(10)
    .optional(),
});

const ActionResult = z.object({
  caseId: z.string(),
  taskId: z.string(),
  step: z.string().describe('the BPMN element whose task was completed'),
});
const ClockResult = z.object({
  caseId: z.string(),
  clocks: z.array(z.string()).describe('SLA clocks the message went to'),
});
const STAFF = ['clerk', 'supervisor'] as const;

export function caseRoutes(ctx: RouteContext): AnyRoute[] {
  const tasks = new TaskApiService({ db: ctx.db, zbc: ctx.zbc, now: ctx.now });
  const cases = new CaseApiService({ db: ctx.db, zbc: ctx.zbc, log: ctx.log, tasks, now: ctx.now });
  const conflict = { description: 'the case is not at a step where this can be done' };
  return [
    defineRoute({
      method: 'post',
      path: '/api/cases',
      summary: 'Report a problem (intake): files a case and starts the one window (case-intake)',
      tags: ['cases'],
      access: 'public',
      rateLimit: 'publicIntakePerIp',
      request: { body: IntakeBody },
      responses: {
        201: {
          description: 'filed',
          schema: z.object({ id: z.string(), caseNo: z.string(), status: z.string(), trackingUrl: z.string() }),
        },
        403: { description: 'the hotline channel without a clerk’s login' },
        503: { description: 'the process engine did not accept the report; nothing was filed' },
      },
      handler: ({ body, principal }) => cases.intake(body, principal),
    }),
    defineRoute({
      method: 'get',
      path: '/api/cases',
      summary: 'Cases (staff): filters as on the dashboard figures, newest first or by due date',
      tags: ['cases'],
      access: ['admin', 'supervisor', 'clerk'],
      request: {
        query: z.strictObject({
          ...CaseFilterQuery,
          sort: z.enum(['created', 'due']).optional(),
          limit: query.int({ min: 1, max: 500 }).optional(),
          offset: query.int({ min: 0, max: 10_000_000 }).optional(),
        }),
      },
      responses: {
        200: {
          description: 'one page of cases and the total',
          schema: z.object({ cases: z.array(CaseSummarySchema), total: z.number() }),
        },
      },
      handler: ({ query: q, principal }) =>
        cases.list(userOf(principal), toCaseFilter(q), {
          limit: q.limit ?? 50,
          offset: q.offset ?? 0,
          sort: q.sort ?? 'created',
        }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/cases/:idOrCaseNo',
      summary:
        'One case: classification, status, SLA, timeline, open tasks, SMS (staff); the reporter’s view with ?phone=',
      description:
        'Staff of the case’s departments, the mediation centre, supervisors and admins see the staff view; phones are in full only for the assigned departments. Anyone giving the phone number the case was reported with sees the reporter’s view (no tasks, outbox or staff names).',
      tags: ['cases'],
      access: 'public',
      request: {
        params: z.strictObject({ idOrCaseNo: z.string().min(1).max(64) }),
        query: z.strictObject({ phone: phone.optional() }),
      },
      responses: {
        200: { description: 'the case', schema: CaseViewSchema },
        404: { description: 'no such case (or not with that phone)' },
      },
      handler: ({ params, query: q, principal }) => cases.view(params.idOrCaseNo, principal, q.phone),
    }),
    defineRoute({
      method: 'post',
      path: '/api/cases/:id/rating',
      summary:
        'Rate a closed case (回访评价): the reporter with their phone, or a clerk on the follow-up call; unsatisfied re-opens',
      tags: ['cases'],
      access: 'public',
      request: {
        params: caseRef,
        body: z.strictObject({
          satisfied: z.boolean(),
          comment: z.string().trim().max(2000).optional(),
          phone: phone.optional(),
        }),
      },
      responses: {
        200: {
          description: 'recorded; the one window re-opens the case when unsatisfied',
          schema: z.object({ caseId: z.string(), satisfied: z.boolean(), reopens: z.boolean() }),
        },
        404: { description: 'no such case (or not with that phone)' },
        409: { description: 'the case is not closed and waiting for a rating' },
      },
      handler: ({ params, body, principal }) => cases.rate(params.id, principal, body),
    }),
    defineRoute({
      method: 'post',
      path: '/api/cases/:id/merge',
      summary: 'Merge a duplicate (并单) into an open case, at the mediation centre’s dispatch step',
      tags: ['cases'],
      access: STAFF,
      request: {
        params: caseRef,
        body: z.strictObject({
          into: z.string().min(1).max(64).describe('the target’s case number or id'),
          reason: reason.optional(),
        }),
      },
      responses: {
        200: { description: 'the dispatch task was completed with the merge', schema: ActionResult },
        409: conflict,
      },
      handler: ({ params, body, principal }) => cases.merge(params.id, userOf(principal), body),
    }),
    defineRoute({
      method: 'post',
      path: '/api/cases/:id/redispatch',
      summary: 'Re-dispatch (改派) to another catalog situation, at the mediation centre’s dispatch step',
      tags: ['cases'],
      access: STAFF,
      request: { params: caseRef, body: z.strictObject({ situationId: z.string().min(1).max(64), reason }) },
      responses: {
        200: { description: 'the dispatch task was completed with the new situation', schema: ActionResult },
        409: conflict,
      },
      handler: ({ params, body, principal }) => cases.redispatch(params.id, userOf(principal), body),
    }),
    defineRoute({
      method: 'post',
      path: '/api/cases/:id/return',
      summary: 'Return the case (退单) to the mediation centre with a reason, from your department’s handling step',
      tags: ['cases'],
      access: STAFF,
      request: { params: caseRef, body: z.strictObject({ reason }) },
      responses: {
        200: { description: 'the handling task was completed as returned', schema: ActionResult },
        409: conflict,
      },
      handler: ({ params, body, principal }) => cases.returnCase(params.id, userOf(principal), body),
    }),
    defineRoute({
      method: 'post',
      path: '/api/cases/:id/suspend',
      summary: 'Suspend (中止) the case’s SLA clocks while waiting for the reporter',
      tags: ['cases'],
      access: STAFF,
      request: { params: caseRef, body: z.strictObject({ reason }) },
      responses: {
        200: { description: 'the running clocks were told to stop', schema: ClockResult },
        404: { description: 'no such case' },
        409: { description: 'no running SLA clock' },
      },
      handler: ({ params, body, principal }) => cases.suspend(params.id, userOf(principal), body.reason),
    }),
    defineRoute({
      method: 'post',
      path: '/api/cases/:id/resume',
      summary: 'Resume the suspended SLA clocks (the remaining budget is kept)',
      tags: ['cases'],
      access: STAFF,
      request: { params: caseRef, body: z.strictObject({ reason: reason.optional() }) },
      responses: {
        200: { description: 'the suspended clocks were told to resume', schema: ClockResult },
        404: { description: 'no such case' },
        409: { description: 'nothing suspended' },
      },
      handler: ({ params, principal }) => cases.resume(params.id, userOf(principal)),
    }),
  ];
}
