/** Processes (design/API.md): deployed models and forms, upload (linted, deployed through the SDK), versions, sources. */
import { z } from 'zod';
import type { RouteContext } from '../app';
import { defineRoute, reply, userOf, type AnyRoute } from '../http/define-route';
import { query } from '../http/validate';
import { ProcessService } from '../processes/process-service';
import { readUpload } from '../processes/read-upload';
import { IsoTime } from './cases-schemas';

const Version = z.object({
  kind: z.enum(['bpmn', 'form']),
  id: z.string(),
  name: z.string().nullable(),
  version: z.number(),
  definitionKey: z.string(),
  resourceName: z.string(),
  deployedBy: z.string(),
  deployedAt: IsoTime,
});
const LintResult = z.object({
  rule: z.string(),
  elementId: z.string(),
  message: z.string(),
  category: z.enum(['error', 'warn', 'info']),
});
const kindQuery = z.strictObject({ kind: z.enum(['bpmn', 'form']).optional().describe('default bpmn') });
const READERS = ['designer', 'admin', 'supervisor'] as const;

export function processRoutes(ctx: RouteContext): AnyRoute[] {
  const processes = new ProcessService({ db: ctx.db, zbc: ctx.zbc, modelLimits: ctx.config.modelLimits });
  return [
    defineRoute({
      method: 'get',
      path: '/api/processes',
      summary: 'Deployed processes (or forms): latest version and number of versions',
      tags: ['processes'],
      access: READERS,
      request: { query: kindQuery },
      responses: {
        200: {
          description: 'by id',
          schema: z.object({ processes: z.array(Version.extend({ latestVersion: z.number(), versions: z.number() })) }),
        },
      },
      handler: async ({ query: q }) => ({ processes: await processes.list(q.kind ?? 'bpmn') }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/processes',
      summary: 'Upload a BPMN model or a .form: linted (bpmnlint camunda-compat 8.8), deployed through the SDK',
      description:
        'Multipart `file`, or the file as the body (`?filename=x.bpmn` or Content-Disposition). Lint errors answer 400 with `lint.errors` per element and nothing is deployed; warnings come back with the deployment. An unchanged model keeps its version (`duplicate: true`).',
      tags: ['processes'],
      access: ['designer', 'admin'],
      request: { query: z.strictObject({ filename: z.string().max(200).optional() }) },
      responses: {
        201: {
          description: 'deployed',
          schema: z.object({
            kind: z.enum(['bpmn', 'form']),
            deployed: z.array(Version),
            duplicate: z.boolean(),
            warnings: z.array(LintResult),
          }),
        },
        413: { description: 'the file is too large' },
        503: { description: 'the process engine is not connected' },
      },
      async handler({ req, principal }) {
        const upload = await readUpload(req, 'model.bpmn');
        return reply(201, await processes.upload(upload, userOf(principal).username));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/processes/:id/versions',
      summary: 'Every deployed version of a process (or form), newest first',
      tags: ['processes'],
      access: READERS,
      request: { params: z.strictObject({ id: z.string().min(1).max(255) }), query: kindQuery },
      responses: {
        200: { description: 'versions', schema: z.object({ versions: z.array(Version) }) },
        404: { description: 'never deployed' },
      },
      handler: async ({ params, query: q }) => ({ versions: await processes.versions(params.id, q.kind ?? 'bpmn') }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/processes/:id/versions/:version/xml',
      summary:
        'The BPMN XML (or form JSON) of one version (`latest` for the newest), for the designer and the dashboard’s diagram',
      tags: ['processes'],
      access: READERS,
      request: {
        params: z.strictObject({
          id: z.string().min(1).max(255),
          version: z.union([z.literal('latest'), query.int({ min: 1, max: 1_000_000 })]),
        }),
        query: kindQuery,
      },
      responses: {
        200: { description: 'the source as deployed', contentType: 'application/xml' },
        404: { description: 'no such version' },
      },
      async handler({ params, query: q, res }) {
        const kind = q.kind ?? 'bpmn';
        const { source, version } = await processes.source(params.id, params.version, kind);
        res
          .set('X-Process-Version', String(version))
          .type(kind === 'bpmn' ? 'application/xml' : 'application/json')
          .send(source);
      },
    }),
  ];
}
