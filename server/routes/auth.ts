import { z } from 'zod';
import type { RouteContext } from '../app';
import { clearSessionCookie, setSessionCookie } from '../auth/cookies';
import { ROLES, isUser } from '../auth/roles';
import { defineRoute, userOf } from '../http/define-route';

const SessionUser = z.object({
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.enum(ROLES)),
  departments: z.array(z.string()).describe('department codes (DOMAIN.md)'),
});
const SessionAnswer = z.object({
  user: SessionUser,
  csrfToken: z
    .string()
    .describe('send back in the X-CSRF-Token header on every cookie-authenticated POST/PUT/PATCH/DELETE'),
});

/** Login, logout, the current user, and changing one's own password. */
export function authRoutes(ctx: RouteContext) {
  const { users, sessions } = ctx.auth;
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      summary: 'Log in; sets the session cookie (HttpOnly, SameSite=Lax, Secure over TLS)',
      tags: ['auth'],
      access: 'public',
      rateLimit: 'loginPerIp',
      request: {
        body: z.strictObject({ username: z.string().min(1).max(100), password: z.string().min(1).max(1024) }),
      },
      responses: {
        200: { description: 'logged in', schema: SessionAnswer },
        401: { description: 'wrong username or password' },
        429: { description: 'too many attempts from this address or for this user' },
      },
      async handler({ body, principal, req, res }) {
        const { principal: user, token } = await users.login(body.username, body.password);
        // A new login replaces the session this browser had.
        if (isUser(principal)) await sessions.destroy(principal.sessionIdHash);
        setSessionCookie(req, res, token, sessions.absoluteMs);
        return {
          user: {
            username: user.username,
            displayName: user.displayName,
            roles: user.roles,
            departments: user.departments,
          },
          csrfToken: user.csrfToken,
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/logout',
      summary: 'Log out: ends the session and clears the cookie',
      tags: ['auth'],
      access: 'user',
      responses: { 204: { description: 'logged out' } },
      async handler({ principal, req, res }) {
        await users.logout(userOf(principal));
        clearSessionCookie(req, res);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/me',
      summary: 'The logged-in user, roles and departments, and the CSRF token of the session',
      tags: ['auth'],
      access: 'user',
      responses: { 200: { description: 'the current user', schema: SessionAnswer } },
      handler({ principal }) {
        const user = userOf(principal);
        return {
          user: {
            username: user.username,
            displayName: user.displayName,
            roles: user.roles,
            departments: user.departments,
          },
          csrfToken: user.csrfToken,
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/me/password',
      summary: 'Change one’s own password; other sessions of the user end',
      tags: ['auth'],
      access: 'user',
      request: {
        body: z.strictObject({
          currentPassword: z.string().min(1).max(1024),
          newPassword: z.string().min(12, 'expected at least 12 characters').max(1024),
        }),
      },
      responses: { 204: { description: 'changed' }, 401: { description: 'the current password is wrong' } },
      async handler({ principal, body }) {
        await users.changeOwnPassword(userOf(principal), body.currentPassword, body.newPassword);
      },
    }),
  ];
}
