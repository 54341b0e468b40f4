/** Cases (design/API.md): intake, the case view, the staff list, rating and the clerks' case actions. */
import { z } from 'zod';
import type { RouteContext } from '../app';
import { CaseApiService } from '../cases/case-api-service';
import { defineRoute, reply, userOf, type AnyRoute } from '../http/define-route';
import { HttpProblem } from '../http/problem';
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
  confidential: z
    .boolean()
    .optional()
    .describe(
      '举报人保密: the reporter’s name and phone are shown only to confidential-reader users, never in SMS, exports or dashboards',
    ),
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

const IntakeAnswer = z.object({
  id: z.string(),
  caseNo: z.string(),
  status: z.string(),
  dispatch: z.enum(['started', 'pending']).describe('pending: filed, the process starts as soon as the engine answers'),
  trackingUrl: z.string(),
});

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  description:
    'optional, 1–200 characters: a retry with the same key and body answers for the first case; another body → 422 (kept 24 h)',
  maxLength: 200,
};

/** The `Idempotency-Key` header, checked: absent → undefined, else 1–200 visible characters. */
export function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = header.trim();
  if (key === '' || key.length > 200 || !/^[\x21-\x7e]+$/.test(key))
    throw HttpProblem.badRequest('Idempotency-Key must be 1 to 200 visible ASCII characters.', [
      { field: 'Idempotency-Key', message: 'expected 1 to 200 visible ASCII characters' },
    ]);
  return key;
}

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
      description:
        'The case is filed before the process engine is asked (docs/intake.md): 201 when the one window started within a short deadline, 202 when it starts later (`dispatch: pending`; the tracking page says “已受理，正在分拨”). Send an `Idempotency-Key` (1–200 characters, e.g. a UUID) to retry safely: the same key with the same body answers for the case the first request filed (`Idempotent-Replayed: true`), with another body 422; keys are kept 24 hours.',
      tags: ['cases'],
      access: 'public',
      rateLimit: 'publicIntakePerIp',
      requestHeaders: [IDEMPOTENCY_HEADER],
      request: { body: IntakeBody },
      responses: {
        201: { description: 'filed, and the one window runs', schema: IntakeAnswer },
        202: {
          description: 'filed; the one window starts as soon as the process engine answers',
          schema: IntakeAnswer,
        },
        403: { description: 'the hotline channel without a clerk’s login' },
        422: { description: 'the Idempotency-Key was used before with a different body' },
      },
      async handler({ body, principal, req }) {
        const key = idempotencyKeyOf(req.get('idempotency-key'));
        const r = await cases.intake(body, principal, key);
        return reply(r.started ? 201 : 202, r.answer, r.replayed ? { 'Idempotent-Replayed': 'true' } : {});
      },
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
      method: 'get',
      path: '/api/cases/:idOrCaseNo/reporter',
      summary: 'The reporter’s name and phone unmasked, for a stated reason (the view is recorded)',
      description:
        'Every other view masks them. Staff of the assigned departments and supervisors may ask; a confidential report (举报人保密) also needs the confidential-reader role. Each answer writes an access record (who, when, which case and fields, why) that admins list in the audit log (q=personal-data).',
      tags: ['cases'],
      access: ['clerk', 'supervisor', 'admin'],
      request: {
        params: z.strictObject({ idOrCaseNo: z.string().min(1).max(64) }),
        query: z.strictObject({
          reason: z
            .string()
            .trim()
            .min(2, 'give the reason you need the reporter’s contact (at least 2 characters)')
            .max(500)
            .describe('why the unmasked data is needed, e.g. 回访核实'),
        }),
      },
      responses: {
        200: {
          description: 'the unmasked reporter',
          schema: z.object({
            caseId: z.string(),
            caseNo: z.string(),
            name: z.string().nullable(),
            phone: z.string().nullable(),
            confidential: z.boolean(),
          }),
        },
        403: { description: 'not an assigned department, or a confidential report without confidential-reader' },
        404: { description: 'no such case' },
      },
      handler: ({ params, query: q, principal, req }) =>
        cases.revealReporter(params.idOrCaseNo, principal, q.reason, {
          ip: req.ip ?? null,
          requestId: typeof (req as { id?: unknown }).id === 'string' ? ((req as { id?: unknown }).id as string) : null,
        }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/cases/:id/rating',
      summary:
        'Rate a closed case (回访评价): the reporter with their phone, or a clerk of its lead or a collaborating department (or a supervisor) on the follow-up call; unsatisfied re-opens',
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
        403: {
          description:
            'a clerk of a department that does not handle the case (its lead and collaborators, supervisors and the reporter may rate)',
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
