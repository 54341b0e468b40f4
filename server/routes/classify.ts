/** POST /api/classify (design/API.md): the catalog's best situations for a text, for the clerk's dispatch. */
import { z } from 'zod';
import type { RouteContext } from '../app';
import { ClassificationService, toApiCandidate } from '../../domain/classify/classification-service';
import { defineRoute, type AnyRoute } from '../http/define-route';

const Candidate = z.object({
  situationId: z.string(),
  matterId: z.string(),
  categoryId: z.string(),
  scenario: z.string().nullable(),
  leadDepartment: z.string(),
  score: z.number(),
});

export function classifyRoutes(ctx: RouteContext): AnyRoute[] {
  const classification = new ClassificationService(ctx.db);
  return [
    defineRoute({
      method: 'post',
      path: '/api/classify',
      summary: 'Classify a text against the catalog: candidate situations, best first',
      tags: ['cases'],
      access: ['clerk', 'supervisor', 'admin'],
      request: {
        body: z.strictObject({
          text: z.string().trim().min(1).max(5000),
          limit: z.number().int().min(3).max(20).optional(),
        }),
      },
      responses: {
        200: {
          description: 'candidates best first (at least three when the catalog has them); confidence of the first',
          schema: z.object({ candidates: z.array(Candidate), confidence: z.number(), autoDispatch: z.boolean() }),
        },
      },
      async handler({ body }) {
        const r = await classification.classify(body.text, body.limit ?? 5);
        return {
          candidates: r.candidates.map(toApiCandidate),
          confidence: Math.round(r.confidence * 1000) / 1000,
          autoDispatch: r.autoDispatch,
        };
      },
    }),
  ];
}
