import { z } from 'zod';
import type { RouteContext } from '../app';
import { listContacts, replaceContacts } from '../departments/contact-service';
import { defineRoute } from '../http/define-route';

const Contact = z.object({
  role: z.enum(['head', 'duty', 'staff']),
  name: z.string(),
  username: z.string().nullable(),
  phone: z.string(),
});
const ContactInput = z.strictObject({
  role: z.enum(['head', 'duty', 'staff']),
  name: z.string().trim().min(1).max(100),
  username: z.string().trim().min(1).max(100).nullish(),
  phone: z.string().trim().min(5).max(32),
});
const params = z.object({ code: z.string().min(1).max(64) });

/** Admins maintain who in each department receives yellow/red cards and supervision notices by SMS. */
export function departmentContactRoutes(ctx: RouteContext) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/admin/departments/:code/contacts',
      summary: "A department's SMS contacts for yellow/red cards and supervision (phones masked)",
      tags: ['admin'],
      access: ['admin'],
      request: { params },
      responses: {
        200: { description: 'the contacts', schema: z.object({ contacts: z.array(Contact) }) },
        404: { description: 'no such department' },
      },
      async handler({ params: p }) {
        return { contacts: await listContacts(ctx.db, p.code) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/admin/departments/:code/contacts',
      summary: "Replace a department's SMS contacts (head, duty phone, staff by user name)",
      tags: ['admin'],
      access: ['admin'],
      request: { params, body: z.strictObject({ contacts: z.array(ContactInput).max(50) }) },
      responses: {
        200: { description: 'the contacts now', schema: z.object({ contacts: z.array(Contact) }) },
        404: { description: 'no such department' },
      },
      async handler({ params: p, body }) {
        return { contacts: await replaceContacts(ctx.db, p.code, body.contacts) };
      },
    }),
  ];
}
