/** POST /api/device-events (design/API.md): camera events, answered 202 `{caseId, merged}`. */
import { z } from 'zod';
import type { RouteContext } from '../app';
import type { KeyPrincipal } from '../auth/roles';
import { DeviceEventService } from '../devices/device-event-service';
import { defineRoute, reply, type AnyRoute } from '../http/define-route';
import { HttpProblem } from '../http/problem';

const DeviceEventBody = z.strictObject({
  deviceId: z.string().trim().min(1).max(100),
  type: z.enum(['fire-lane.occupied', 'fire-lane.cleared']),
  laneId: z.string().trim().min(1).max(100),
  plate: z.string().trim().min(1).max(32),
  detectedAt: z.iso.datetime({ offset: true }).describe('ISO-8601 with zone'),
  imageUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
  eventId: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('the client’s id for the event; a repeat returns the first answer'),
});

const Answer = z.object({
  caseId: z.string().nullable().describe('the fire-lane case; null for a cleared lane without an open case'),
  merged: z.boolean().describe('true when the detection joined the open case of this plate in this lane'),
});

export function deviceEventRoutes(ctx: RouteContext): AnyRoute[] {
  const service = new DeviceEventService({
    db: ctx.db,
    zbc: ctx.zbc,
    log: ctx.log,
    now: ctx.now,
    fireLane: ctx.config.fireLane,
    dailyCapPerPhone: ctx.config.notify?.dailyCapPerPhone,
  });
  return [
    defineRoute({
      method: 'post',
      path: '/api/device-events',
      summary: 'A device event (fire-lane camera): occupied opens or joins a case, cleared ends the wait',
      description:
        'Idempotent on a client event id: `eventId` in the body or the `Idempotency-Key` header (the same value if both). A repeat answers the first 202 with `Idempotent-Replayed: true` and has no effect.',
      tags: ['devices'],
      access: ['device'],
      request: { body: DeviceEventBody },
      responses: {
        202: { description: 'accepted: the case the event opened, joined or cleared', schema: Answer },
        403: { description: 'not a device key, or a key bound to another device' },
        409: { description: 'an event with this id is being processed right now' },
        503: { description: 'the process engine is unavailable; retry with the same event id' },
      },
      async handler({ body, principal, req }) {
        const header = req.get('idempotency-key');
        if (header !== undefined && (header.trim() === '' || header.length > 200)) {
          throw HttpProblem.badRequest('Idempotency-Key must be 1 to 200 characters.', [
            { field: 'Idempotency-Key', message: 'expected 1 to 200 characters' },
          ]);
        }
        const { answer, replayed } = await service.receive(principal as KeyPrincipal, body, header?.trim());
        return reply(202, answer, replayed ? { 'Idempotent-Replayed': 'true' } : {});
      },
    }),
  ];
}
