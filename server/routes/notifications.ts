/** GET /api/notifications?caseId= (design/API.md): the SMS outbox, phones masked. */
import { z } from 'zod';
import type { RouteContext } from '../app';
import { defineRoute, type AnyRoute } from '../http/define-route';
import { query } from '../http/validate';
import { listNotifications } from '../../domain/notify/outbox';
import { hasRole } from '../auth/roles';
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
      handler: async ({ query: q, principal }) => ({
        notifications: await listNotifications(
          ctx.db,
          { caseId: q.caseId, status: q.status, limit: q.limit },
          { revealConfidential: hasRole(principal, 'confidential-reader') },
        ),
      }),
    }),
  ];
}
