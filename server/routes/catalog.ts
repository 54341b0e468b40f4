/** The catalog (design/API.md): categories → matters → situations, admin CRUD, CSV/XLSX in and out. */
import { z } from 'zod';
import type { RouteContext } from '../app';
import { SHEET_NAMES, type SheetName } from '../../domain/catalog/catalog-sheets';
import { SCENARIO_IDS } from '../../domain/catalog/catalog-types';
import { defineRoute, type AnyRoute } from '../http/define-route';
import { query } from '../http/validate';
import { readUpload } from '../processes/read-upload';
import { CatalogService, type CatalogKind } from './catalog-service';

const code = z.string().trim().min(1).max(64);
const name = z.string().trim().min(1).max(300);
const sort = z.number().int().min(0).max(2_147_483_647);
const codes = z.array(code).max(50);

const Category = z.object({ code: z.string(), name_zh: z.string(), name_en: z.string(), sort: z.number() });
const Matter = z.object({
  code: z.string(),
  category: z.string(),
  name_zh: z.string(),
  name_en: z.string(),
  description: z.string(),
  sort: z.number(),
});
const Situation = z.object({
  code: z.string(),
  matter: z.string(),
  name_zh: z.string(),
  description: z.string(),
  lead_department: z.string(),
  collaborators: z.array(z.string()),
  scenario: z.string().nullable(),
  sla_working_hours: z.number(),
  response_hours: z.number(),
  keywords: z.array(z.string()),
  active: z.boolean(),
  sort: z.number(),
});

const BODIES = {
  categories: {
    create: z.strictObject({ code, name_zh: name, name_en: z.string().max(300).optional(), sort: sort.optional() }),
    schema: Category,
  },
  matters: {
    create: z.strictObject({
      code,
      category: code,
      name_zh: name,
      name_en: z.string().max(300).optional(),
      description: z.string().max(5000).optional(),
      sort: sort.optional(),
    }),
    schema: Matter,
  },
  situations: {
    create: z.strictObject({
      code,
      matter: code,
      name_zh: name,
      description: z.string().max(5000).optional(),
      lead_department: code,
      collaborators: codes.optional(),
      scenario: z.enum(SCENARIO_IDS).nullable().optional(),
      sla_working_hours: z.number().int().positive().max(100_000),
      response_hours: z.number().int().positive().max(100_000),
      keywords: z.array(z.string().trim().min(1).max(100)).max(200).optional(),
      active: z.boolean().optional(),
      sort: sort.optional(),
    }),
    schema: Situation,
  },
} as const;

const rowErrors = { description: 'the row is invalid: `errors` per field, `rowErrors` as in an import report' };

export function catalogRoutes(ctx: RouteContext): AnyRoute[] {
  const catalog = new CatalogService(ctx.db);
  const crud = (kind: CatalogKind): AnyRoute[] => {
    const { create, schema } = BODIES[kind];
    const one = kind.slice(0, -1);
    const update = (create as z.ZodObject).omit({ code: true }).partial().strict();
    return [
      defineRoute({
        method: 'post',
        path: `/api/catalog/${kind}`,
        summary: `Create a ${one} (validated like an import row)`,
        tags: ['catalog'],
        access: ['admin'],
        request: { body: create },
        responses: { 201: { description: 'created', schema }, 409: { description: 'the code exists' }, 422: rowErrors },
        handler: ({ body }) =>
          catalog.save(kind, 'create', (body as { code: string }).code, body as Record<string, unknown>),
      }),
      defineRoute({
        method: 'patch',
        path: `/api/catalog/${kind}/:code`,
        summary: `Change a ${one}`,
        tags: ['catalog'],
        access: ['admin'],
        request: { params: z.strictObject({ code }), body: update },
        responses: { 200: { description: 'changed', schema }, 404: { description: `no such ${one}` }, 422: rowErrors },
        handler: ({ params, body }) => catalog.save(kind, 'update', params.code, body as Record<string, unknown>),
      }),
      defineRoute({
        method: 'delete',
        path: `/api/catalog/${kind}/:code`,
        summary: `Delete a ${one} nothing refers to`,
        tags: ['catalog'],
        access: ['admin'],
        request: { params: z.strictObject({ code }) },
        responses: {
          204: { description: 'deleted' },
          404: { description: `no such ${one}` },
          409: { description: 'still referred to (deactivate situations instead)' },
        },
        async handler({ params }) {
          await catalog.remove(kind, params.code);
        },
      }),
    ];
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/catalog/categories',
      summary: 'The problem categories (类别) with their number of matters',
      tags: ['catalog'],
      access: 'public',
      responses: {
        200: {
          description: 'by sort order',
          schema: z.object({ categories: z.array(Category.extend({ matters: z.number() })) }),
        },
      },
      handler: async () => ({ categories: await catalog.categories() }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/catalog/matters',
      summary: 'Matters (事项), optionally of one category',
      tags: ['catalog'],
      access: 'public',
      request: { query: z.strictObject({ category: code.optional() }) },
      responses: {
        200: {
          description: 'by category and sort order',
          schema: z.object({ matters: z.array(Matter.extend({ situations: z.number() })) }),
        },
      },
      handler: async ({ query: q }) => ({ matters: await catalog.matters(q) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/catalog/situations',
      summary: 'Problem situations (问题情形) with routing and SLA',
      tags: ['catalog'],
      access: 'public',
      request: {
        query: z.strictObject({
          matter: code.optional(),
          leadDepartment: code.optional(),
          scenario: code.optional(),
          active: query.bool().optional(),
          q: z.string().max(100).optional(),
          limit: query.int({ min: 1, max: 1000 }).optional(),
          offset: query.int({ min: 0, max: 1_000_000 }).optional(),
        }),
      },
      responses: {
        200: {
          description: 'one page and the total',
          schema: z.object({ situations: z.array(Situation), total: z.number() }),
        },
      },
      handler: ({ query: q }) => catalog.situations({ ...q, limit: q.limit ?? 200, offset: q.offset ?? 0 }),
    }),
    ...crud('categories'),
    ...crud('matters'),
    ...crud('situations'),
    defineRoute({
      method: 'post',
      path: '/api/catalog/import',
      summary: 'Import a CSV sheet or an XLSX workbook (multipart `file`, or the file as the body); all or nothing',
      description:
        'CSV: the sheet is `sheet=` or the file name (`situations.csv`). `dryRun=true` validates and reports what would change without writing. Row errors answer 422 with `rowErrors: [{sheet,row,column,message}]`.',
      tags: ['catalog'],
      access: ['admin'],
      request: {
        query: z.strictObject({
          dryRun: query.bool().optional(),
          sheet: z.enum(SHEET_NAMES).optional(),
          filename: z.string().max(200).optional(),
        }),
      },
      responses: {
        200: {
          description: 'imported (or, dry run, would import)',
          schema: z.object({
            ok: z.boolean(),
            dryRun: z.boolean(),
            rows: z.number(),
            sheets: z.array(z.string()),
            changed: z.record(z.string(), z.number()).optional(),
          }),
        },
        413: { description: 'the file is too large' },
        422: { description: 'row-level errors; nothing was imported' },
      },
      async handler({ req, query: q }) {
        const upload = await readUpload(req, q.sheet ? `${q.sheet}.csv` : 'catalog.xlsx');
        const dryRun = q.dryRun ?? ['1', 'true'].includes(String(upload.fields.dryRun ?? ''));
        const sheet =
          q.sheet ??
          ((SHEET_NAMES as readonly string[]).find((s) => s === upload.fields.sheet) as SheetName | undefined);
        return catalog.import(upload, { dryRun, sheet });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/catalog/export',
      summary: 'Export the catalog: XLSX (all sheets) or one CSV sheet (default situations)',
      tags: ['catalog'],
      access: ['admin'],
      request: {
        query: z.strictObject({ format: z.enum(['csv', 'xlsx']).optional(), sheet: z.enum(SHEET_NAMES).optional() }),
      },
      responses: { 200: { description: 'the file (UTF-8 CSV with BOM, or XLSX)', contentType: 'text/csv' } },
      async handler({ query: q, res }) {
        const file = await catalog.export(q.format ?? 'csv', q.sheet ?? 'situations');
        res
          .set('Content-Disposition', `attachment; filename="${file.filename}"`)
          .type(file.contentType)
          .send(file.body);
      },
    }),
  ];
}
