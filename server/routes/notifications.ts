/**
 * GET /api/notifications?caseId= (docs/api.md): the SMS outbox as the caller may see it — a clerk the
 * messages of their departments' cases, supervisors and admins all (issue 18, M4); phones masked.
 */
import { z } from 'zod';
import type { RouteContext } from '../app';
import { CaseApiService } from '../cases/case-api-service';
import { defineRoute, userOf, type AnyRoute } from '../http/define-route';
import { query } from '../http/validate';
import { hasRole } from '../auth/roles';
import { confidentialCaseIds } from '../../domain/cases/case-queries';
import { CONFIDENTIAL_MARK } from '../../domain/privacy/personal-data';
import { TaskApiService } from '../tasks/task-api-service';
import { NotificationSchema } from './cases-schemas';

export function notificationRoutes(ctx: RouteContext): AnyRoute[] {
  const tasks = new TaskApiService({ db: ctx.db, zbc: ctx.zbc, now: ctx.now });
  const cases = new CaseApiService({ db: ctx.db, zbc: ctx.zbc, log: ctx.log, tasks, now: ctx.now });
  return [
    defineRoute({
      method: 'get',
      path: '/api/notifications',
      summary:
        'The SMS outbox, newest first: a clerk sees the messages of the cases their departments work on, supervisors and admins all; phone numbers masked',
      tags: ['notifications'],
      access: ['clerk', 'supervisor', 'admin'],
      request: {
        query: z.strictObject({
          caseId: z.string().max(64).optional(),
          status: z.enum(['queued', 'sending', 'sent', 'failed', 'capped']).optional(),
          limit: query.int({ min: 1, max: 500 }).optional(),
        }),
      },
      responses: {
        200: { description: 'notifications', schema: z.object({ notifications: z.array(NotificationSchema) }) },
        403: { description: 'caseId names a case the caller’s departments do not work on' },
        404: { description: 'caseId names no case' },
      },
      handler: async ({ query: q, principal }) => {
        const notifications = await cases.notifications(userOf(principal), q);
        if (hasRole(principal, 'confidential-reader')) return { notifications };
        // 举报人保密: the recipient of a confidential report's SMS is not shown, not even masked
        const hidden = await confidentialCaseIds(
          ctx.db,
          notifications.map((n) => n.caseId).filter((id): id is string => !!id),
        );
        return {
          notifications: notifications.map((n) =>
            n.caseId && hidden.has(n.caseId) ? { ...n, to: CONFIDENTIAL_MARK } : n,
          ),
        };
      },
    }),
  ];
}
