import { z } from 'zod';
import type { RouteContext } from '../app';
import { listDepartmentsView } from '../auth/department-service';
import { defineRoute } from '../http/define-route';

const Department = z.object({
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  kind: z.enum(['bureau', 'street', 'external']),
});

/** The department list (codes are fixed, DOMAIN.md); public, the intake form and the UI name them. */
export function departmentRoutes(ctx: RouteContext) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/departments',
      summary: 'Departments: fixed codes (BPMN candidate groups) with Chinese and English names',
      tags: ['departments'],
      access: 'public',
      responses: { 200: { description: 'every department', schema: z.object({ departments: z.array(Department) }) } },
      async handler() {
        return { departments: await listDepartmentsView(ctx.db) };
      },
    }),
  ];
}
