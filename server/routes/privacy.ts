/**
 * Personal data (docs/security.md, "Personal data (PIPL)"): a reporter's own data — an SMS code
 * proves the phone, then the data is downloaded (JSON) or erased from their finished cases — and, for
 * admins, the retention purge's reports (and a purge on demand).
 */
import { z } from 'zod';
import type { RouteContext } from '../app';
import { defineRoute, type AnyRoute } from '../http/define-route';
import { problemFromDomain } from '../http/problem';
import { Reply } from '../http/define-route';
import {
  checkReporterCode,
  eraseReporterData,
  exportReporterData,
  requestReporterCode,
} from '../../domain/privacy/reporter-rights';
import { DEFAULT_RETENTION, listPurgeReports, runRetentionPurge } from '../../domain/privacy/retention';

const phone = z
  .string()
  .trim()
  .regex(/^\+?[\d\s-]{5,20}$/, 'expected a phone number');
const Proof = z.strictObject({
  verificationId: z.uuid().describe('from POST /api/privacy/reporter/code'),
  phone,
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'expected the 6-digit code from the SMS'),
});

const PurgeCountsSchema = z.object({
  reporterContact: z.number().int(),
  sms: z.number().int(),
  camera: z.number().int(),
  sessions: z.number().int(),
  purgeReports: z.number().int(),
  auditKept: z.number().int(),
});
const PurgeReportSchema = z.object({
  id: z.string(),
  ranAt: z.iso.datetime({ offset: true }),
  counts: PurgeCountsSchema,
  rules: z.object({
    reporterContactDays: z.number().int(),
    smsDays: z.number().int(),
    cameraDays: z.number().int(),
    sessionDays: z.number().int(),
    purgeReportDays: z.number().int(),
  }),
});

export function privacyRoutes(ctx: RouteContext): AnyRoute[] {
  const now = () => ctx.now?.() ?? new Date();
  const prove = async (body: z.output<typeof Proof>) => {
    const r = await checkReporterCode(ctx.db, body, now());
    if (!r.ok) throw problemFromDomain(r);
    return r.value.phone;
  };
  return [
    defineRoute({
      method: 'post',
      path: '/api/privacy/reporter/code',
      summary: 'Send a one-time code to the phone a reporter reported with (for their data export or erasure)',
      tags: ['privacy'],
      access: 'public',
      rateLimit: 'publicIntakePerIp',
      request: { body: z.strictObject({ phone }) },
      responses: {
        202: {
          description: 'the code is on its way by SMS (valid 10 minutes)',
          schema: z.object({ verificationId: z.string(), expiresAt: z.iso.datetime({ offset: true }) }),
        },
        409: { description: 'too many codes for this phone today' },
      },
      handler: async ({ body }) => {
        const r = await requestReporterCode(ctx.db, body.phone, now(), {
          dailyCapPerPhone: ctx.config.notify?.dailyCapPerPhone,
        });
        if (!r.ok) throw problemFromDomain(r);
        return new Reply(202, { verificationId: r.value.verificationId, expiresAt: r.value.expiresAt.toISOString() });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/privacy/reporter/export',
      summary: 'A reporter’s own data as JSON: every case reported with the proven phone, with its SMS',
      tags: ['privacy'],
      access: 'public',
      rateLimit: 'publicIntakePerIp',
      request: { body: Proof },
      responses: {
        200: { description: 'the reporter’s data', schema: z.object({}).passthrough() },
        422: { description: 'the code does not match, has expired or was tried too often' },
      },
      handler: async ({ body, res }) => {
        const data = await exportReporterData(ctx.db, await prove(body), now());
        res.set('Content-Disposition', 'attachment; filename="my-data.json"');
        return data;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/privacy/reporter/erase',
      summary: 'Erase a reporter’s name and phone from their finished cases (the cases stay for statistics)',
      tags: ['privacy'],
      access: 'public',
      rateLimit: 'publicIntakePerIp',
      request: { body: Proof },
      responses: {
        200: {
          description: 'the case numbers erased, and those kept because they are still being handled',
          schema: z.object({ erased: z.array(z.string()), keptOpen: z.array(z.string()) }),
        },
        422: { description: 'the code does not match, has expired or was tried too often' },
      },
      handler: async ({ body }) => eraseReporterData(ctx.db, await prove(body), now()),
    }),
    defineRoute({
      method: 'get',
      path: '/api/admin/privacy/purge-reports',
      summary: 'The retention purge’s reports, newest first: counts of erased personal data per kind',
      tags: ['admin'],
      access: ['admin'],
      responses: {
        200: { description: 'reports', schema: z.object({ reports: z.array(PurgeReportSchema) }) },
      },
      handler: async () => ({ reports: await listPurgeReports(ctx.db, 30) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/admin/privacy/purge',
      summary: 'Run the retention purge now (it also runs daily by itself)',
      tags: ['admin'],
      access: ['admin'],
      responses: {
        200: { description: 'the report of this run', schema: PurgeReportSchema },
        409: { description: 'another process is purging right now' },
      },
      handler: async () => {
        const report = await runRetentionPurge(ctx.db, ctx.config.privacy?.retention ?? DEFAULT_RETENTION, now());
        if (!report)
          throw problemFromDomain({
            ok: false,
            kind: 'conflict',
            code: 'PURGE_RUNNING',
            detail: 'another process is running the retention purge; its report will be listed',
          });
        return report;
      },
    }),
  ];
}
