import { z } from 'zod';
import type { RouteContext } from '../app';
import { ROLES } from '../auth/roles';
import { defineRoute } from '../http/define-route';

export const UserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.enum(ROLES)),
  departments: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.iso.datetime({ offset: true }),
  lastLoginAt: z.iso.datetime({ offset: true }).nullable(),
});

const username = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{1,63}$/,
    'expected 2–64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
  );
const displayName = z.string().trim().min(1).max(200);
const roles = z.array(z.enum(ROLES)).max(ROLES.length * 2);
const departments = z.array(z.string().min(1).max(64)).max(100).describe('department codes (GET /api/departments)');
const password = z.string().describe('a random password, shown only in this answer');

/** User management for admins: passwords are generated and shown once, never chosen by the admin. */
export function adminUserRoutes(ctx: RouteContext) {
  const { users } = ctx.auth;
  return [
    defineRoute({
      method: 'get',
      path: '/api/admin/users',
      summary: 'All users with roles and departments',
      tags: ['admin'],
      access: ['admin'],
      responses: { 200: { description: 'users by username', schema: z.object({ users: z.array(UserSchema) }) } },
      async handler() {
        return { users: await users.list() };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/admin/users',
      summary: 'Create a user; the answer carries its random password, shown only once',
      tags: ['admin'],
      access: ['admin'],
      request: {
        body: z.strictObject({ username, displayName, roles: roles.default([]), departments: departments.default([]) }),
      },
      responses: {
        201: { description: 'created', schema: z.object({ user: UserSchema, password }) },
        409: { description: 'the username is taken' },
      },
      async handler({ body }) {
        return users.create(body);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/admin/users/:id',
      summary: 'Change roles, departments, name or active flag, or reset the password (returned once)',
      description:
        'Deactivating a user or resetting the password ends their sessions. The last active admin cannot lose the role or be deactivated.',
      tags: ['admin'],
      access: ['admin'],
      request: {
        params: z.strictObject({ id: z.uuid() }),
        body: z.strictObject({
          displayName: displayName.optional(),
          roles: roles.optional(),
          departments: departments.optional(),
          active: z.boolean().optional(),
          resetPassword: z.boolean().optional(),
        }),
      },
      responses: {
        200: {
          description: 'the user as it is now (and `password` when it was reset)',
          schema: z.object({ user: UserSchema, password: password.optional() }),
        },
        404: { description: 'no such user' },
        409: { description: 'would leave no active admin' },
      },
      async handler({ params, body }) {
        return users.update(params.id, body);
      },
    }),
  ];
}
