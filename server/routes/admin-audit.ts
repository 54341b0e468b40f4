/** The audit log for admins: a filtered, paged list and its CSV export (domain/audit). */
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { RouteContext } from '../app';
import { eachAudit, listAudit, type AuditFilter } from '../../domain/audit/audit-log';
import { defineRoute } from '../http/define-route';

const AuditSchema = z.object({
  id: z.string(),
  at: z.iso.datetime({ offset: true }),
  actor: z.string(),
  roles: z.array(z.string()),
  action: z.string(),
  summary: z.string(),
  target: z.string().nullable().optional(),
  detail: z.unknown(),
  status: z.number().int(),
  ip: z.string().nullable().optional(),
  requestId: z.string().nullable().optional(),
});

const filterQuery = {
  actor: z.string().trim().min(1).max(100).optional().describe('user name'),
  q: z.string().trim().min(1).max(200).optional().describe('words in the action or its summary'),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional().describe('exclusive'),
  outcome: z.enum(['done', 'refused']).optional(),
};

const filterOf = (q: { actor?: string; q?: string; from?: string; to?: string; outcome?: 'done' | 'refused' }) => ({
  actor: q.actor,
  q: q.q,
  from: q.from ? new Date(q.from) : undefined,
  to: q.to ? new Date(q.to) : undefined,
  outcome: q.outcome,
});

/** A spreadsheet must not run a cell as a formula: text starting with = + - @ or a control gets a leading '. */
const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
};

export function adminAuditRoutes(ctx: RouteContext) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/admin/audit',
      summary: 'The audit log: every change by an admin, designer or supervisor, newest first',
      tags: ['admin'],
      access: ['admin'],
      request: {
        query: z.strictObject({
          ...filterQuery,
          before: z.string().regex(/^\d+$/).optional().describe('the id of the last row seen (next page)'),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
      },
      responses: {
        200: {
          description: 'a page of entries and the number of all entries of the filter',
          schema: z.object({ items: z.array(AuditSchema), total: z.number().int() }),
        },
      },
      async handler({ query }) {
        const f: AuditFilter = { ...filterOf(query), before: query.before, limit: query.limit ?? 100 };
        return listAudit(ctx.db, f);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/admin/audit/export',
      summary: 'The audit log of the filter as a CSV file (UTF-8 with BOM, oldest first)',
      tags: ['admin'],
      access: ['admin'],
      request: { query: z.strictObject(filterQuery) },
      responses: { 200: { description: 'CSV', contentType: 'text/csv' } },
      async handler({ query, res }) {
        const header = [
          'id',
          'at',
          'actor',
          'roles',
          'action',
          'summary',
          'target',
          'status',
          'ip',
          'requestId',
          'detail',
        ];
        res
          .status(200)
          .set('Content-Disposition', 'attachment; filename="audit-log.csv"')
          .type('text/csv; charset=utf-8');
        res.write(stringify([header], { bom: true }));
        for await (const r of eachAudit(ctx.db, filterOf(query))) {
          const row = [
            r.id,
            r.at,
            r.actor,
            r.roles.join(' '),
            r.action,
            r.summary,
            r.target,
            r.status,
            r.ip,
            r.requestId,
          ];
          res.write(stringify([[...row.map(cell), cell(r.detail)]]));
        }
        res.end();
      },
    }),
  ];
}
