import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem } from '../http/problem';
import { maskPhone } from '../../domain/notify/mask';
import { isUser, type ApiKeyKind, type Principal, type Role, type UserPrincipal } from './roles';
import { safeEqual } from './tokens';

/**
 * Who may call a route:
 * - `'public'`: anyone (a logged-in caller is still known to the handler);
 * - `'user'`: any logged-in user;
 * - a list of roles and/or API key kinds: a user with one of the roles, or a key of one of the kinds.
 */
export type Access = 'public' | 'user' | readonly (Role | ApiKeyKind)[];

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF (double submit): a cookie-authenticated write must echo the session's token — returned by
 * login and /api/me — in `X-CSRF-Token`; a cross-site page cannot read it. Bearer-key requests
 * carry no ambient credential and are exempt. On a public route a forged write is not refused but
 * loses its session: it runs as an anonymous request, never with the user's authority.
 */
export function checkCsrf(req: Request): 'ok' | 'missing' | 'wrong' {
  if (req.authVia !== 'cookie' || SAFE_METHODS.has(req.method)) return 'ok';
  const sent = req.get(CSRF_HEADER);
  if (!sent) return 'missing';
  return isUser(req.principal) && safeEqual(sent, req.principal.csrfToken) ? 'ok' : 'wrong';
}

/** Route guard for an {@link Access} rule (401 without a caller, 403 for the wrong one). */
export function authorize(access: Access): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const csrf = checkCsrf(req);
    if (csrf !== 'ok') {
      if (access === 'public') {
        req.principal = undefined;
        req.authVia = 'none';
        return next();
      }
      return next(
        HttpProblem.forbidden(
          csrf === 'missing'
            ? 'Missing X-CSRF-Token header: cookie-authenticated writes must send the csrfToken returned by /api/auth/login or /api/me.'
            : 'Wrong X-CSRF-Token: send the csrfToken of this session (from /api/auth/login or /api/me).',
        ),
      );
    }
    if (access === 'public') return next();
    const p = req.principal;
    if (!p) return next(HttpProblem.unauthorized());
    if (access === 'user')
      return isUser(p) ? next() : next(HttpProblem.forbidden('This endpoint is for logged-in users, not API keys.'));
    if (isAllowed(p, access)) return next();
    return next(HttpProblem.forbidden(`This endpoint needs one of: ${access.join(', ')}.`));
  };
}

export function isAllowed(p: Principal, allowed: readonly (Role | ApiKeyKind)[]): boolean {
  if (isUser(p)) return p.roles.some((r) => allowed.includes(r));
  return allowed.includes(p.kind);
}

/** Express guard `requireRole('admin', 'supervisor')`, for routers outside defineRoute. */
export function requireRole(...roles: Role[]): RequestHandler {
  return authorize(roles);
}

/**
 * Whether a user works in one of `departments` (the task's candidate groups, the case's assigned
 * departments). `elevated` roles pass regardless — e.g. supervisors reading any department's tasks.
 */
export function hasDepartmentAccess(
  p: Principal | undefined,
  departments: readonly string[],
  elevated: readonly Role[] = [],
): p is UserPrincipal {
  if (!isUser(p)) return false;
  if (p.roles.some((r) => elevated.includes(r))) return true;
  return p.departments.some((d) => departments.includes(d));
}

/** Throws 403 unless {@link hasDepartmentAccess}; for services guarding one resource. */
export function assertDepartmentAccess(
  p: Principal | undefined,
  departments: readonly string[],
  elevated: readonly Role[] = [],
): asserts p is UserPrincipal {
  if (!p) throw HttpProblem.unauthorized();
  if (!hasDepartmentAccess(p, departments, elevated)) {
    const mine = isUser(p) ? (p as UserPrincipal).departments.join(', ') || 'none' : 'no department';
    throw HttpProblem.forbidden(`This belongs to ${departments.join(', ') || 'no department'}; you are in ${mine}.`);
  }
}

/**
 * Express guard: `resolve` names the departments the addressed resource belongs to (e.g. a task's
 * candidate groups); the caller must be in one of them (or hold an `elevated` role).
 */
export function requireDepartmentAccess(
  resolve: (req: Request) => Promise<readonly string[] | undefined>,
  elevated: readonly Role[] = [],
): RequestHandler {
  return (req, _res, next) => {
    resolve(req)
      .then((departments) => {
        if (departments === undefined) return next(HttpProblem.notFound(`Nothing at ${req.path}.`));
        assertDepartmentAccess(req.principal, departments, elevated);
        next();
      })
      .catch(next);
  };
}

/**
 * Reporter phone numbers are shown in full only to the departments the case is assigned to
 * (issue 7); everyone else — admins and supervisors included — sees `138****5678`.
 */
export function presentPhone(
  p: Principal | undefined,
  phone: string | null | undefined,
  assignedDepartments: readonly string[],
): string | null {
  if (phone == null || phone === '') return null;
  return hasDepartmentAccess(p, assignedDepartments) ? phone : maskPhone(phone);
}
