import { z } from 'zod';
import type { RouteContext } from '../app';
import { defineRoute } from '../http/define-route';

const key = z.string().regex(/^\d{1,20}$/, 'expected a numeric key');
const IncidentSchema = z.object({
  key: z.string(),
  errorType: z.string(),
  errorMessage: z.string(),
  bpmnProcessId: z.string(),
  processDefinitionKey: z.string(),
  processInstanceKey: z.string(),
  elementId: z.string(),
  elementInstanceKey: z.string(),
  jobKey: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
});

/** Engine incidents for admins (embedded engine; with a Zeebe cluster, Camunda Operate). */
export function adminIncidentRoutes(ctx: RouteContext) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/admin/incidents',
      summary: 'Open incidents of the embedded engine, oldest first',
      description: 'With an external Zeebe cluster the answer is 501 naming Camunda Operate, where its incidents are.',
      tags: ['admin', 'operations'],
      access: ['admin'],
      request: { query: z.strictObject({ processInstanceKey: key.optional() }) },
      responses: {
        200: { description: 'open incidents', schema: z.object({ incidents: z.array(IncidentSchema) }) },
        501: { description: 'external Zeebe: use Camunda Operate' },
      },
      handler({ query }) {
        return { incidents: ctx.incidents.list(query) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/admin/incidents/:key/resolve',
      summary: 'Resolve an incident: optionally set variables, give a failed job retries, then resolve',
      description:
        'Through the Zeebe API like any client: SetVariables on the incident’s element instance (propagating to the scope that has them), UpdateJobRetries for job incidents (default 1), ResolveIncident.',
      tags: ['admin', 'operations'],
      access: ['admin'],
      request: {
        params: z.strictObject({ key }),
        body: z.strictObject({
          variables: z.record(z.string().min(1).max(200), z.json()).optional(),
          retries: z.number().int().min(1).max(100).optional(),
        }),
      },
      responses: {
        200: { description: 'resolved; the incident as it was', schema: z.object({ resolved: IncidentSchema }) },
        404: { description: 'no open incident with this key' },
        501: { description: 'external Zeebe: use Camunda Operate' },
      },
      async handler({ params, body }) {
        return { resolved: await ctx.incidents.resolve(params.key, body) };
      },
    }),
  ];
}
