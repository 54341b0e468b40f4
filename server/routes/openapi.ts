import { z } from 'zod';
import { defineRoute } from '../http/define-route';

/** `GET /api/openapi.json`: the document built from every route definition (server/openapi). */
export function openApiRoute(document: () => Record<string, unknown>) {
  return defineRoute({
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tags: ['meta'],
    access: 'public',
    responses: { 200: { description: 'the document', schema: z.record(z.string(), z.unknown()) } },
    handler: () => document(),
  });
}
