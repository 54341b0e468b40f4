/** GET /api/notifications?caseId= (design/API.md): the SMS outbox, phones masked. */
import { z } from 'zod';
import type { RouteContext } from '../app';
import { defineRoute, type AnyRoute } from '../http/define-route';
import { query } from '../http/validate';
import { listNotifications } from '../../domain/notify/outbox';
import { hasRole } from '../auth/roles';
import { confidentialCaseIds } from '../../domain/cases/case-queries';
import { CONFIDENTIAL_MARK } from '../../domain/privacy/personal-data';
import { NotificationSchema } from './cases-schemas';

export function notificationRoutes(ctx: RouteContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/notifications',
      summary: 'The SMS outbox (for a case), newest first; phone numbers masked',
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
      },
      handler: async ({ query: q, principal }) => {
        const notifications = await listNotifications(ctx.db, { caseId: q.caseId, status: q.status, limit: q.limit });
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
