/**
 * One step to add an API endpoint: `defineRoute({method, path, access, request, responses, handler})`
 * registers the express route AND its OpenAPI operation, so the document cannot drift from the
 * router (test/server/openapi.test.ts walks both). See server/README.md.
 */
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { authorize, type Access } from '../auth/authorize';
import type { RateLimiter, RateLimiters } from '../auth/rate-limit';
import { isUser, type Principal, type UserPrincipal } from '../auth/roles';
import { AUDITED_ROLES, redactDetail, type AuditEntry } from '../../domain/audit/audit-log';
import { HttpProblem } from './problem';
import { validate, type ValidatedInput } from './validate';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  /** JSON body (zod); omit for an empty body or a non-JSON one. */
  schema?: z.ZodType;
  /** A non-JSON body, e.g. `text/plain`; documented as a string. */
  contentType?: string;
}

/** What a handler gets: validated path params, query and body, and the caller. */
export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal | undefined;
  req: Request;
  res: Response;
}

/** A handler answering with another documented status than the default (first 2xx) one. */
export class Reply<T = unknown> {
  constructor(
    readonly status: number,
    readonly body: T,
    readonly headers: Record<string, string> = {},
  ) {}
}
export const reply = <T>(status: number, body: T, headers?: Record<string, string>) => new Reply(status, body, headers);

export interface RouteDefinition<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** Express path syntax, absolute: `/api/admin/users/:id`. */
  path: string;
  summary: string;
  description?: string;
  /** OpenAPI tags (groups in the document). */
  tags: string[];
  /** Who may call it; see {@link Access}. 401/403 are documented automatically. */
  access: Access;
  /**
   * A per-IP limiter in front of the handler (429 + Retry-After, documented automatically).
   * `publicIntakePerIp` only counts anonymous callers: logged-in staff and API keys are not limited.
   */
  rateLimit?: 'loginPerIp' | 'publicIntakePerIp';
  /**
   * State-changing routes (not GET) called by an admin, designer or supervisor are written to the audit
   * log (domain/audit) with their outcome; `false` leaves a route out (only for one that changes nothing
   * anyone else sees, e.g. logout).
   */
  audit?: false;
  request?: { params?: P; query?: Q; body?: B };
  /** Request headers the handler reads itself (documented as header parameters). */
  requestHeaders?: ReadonlyArray<{ name: string; description: string; maxLength?: number }>;
  /** Documented answers; the handler's return value is sent with the first 2xx status. 400 is added when a request schema exists. */
  responses: Record<number, ResponseSpec>;
  handler(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>): unknown;
}

/** Any route, for lists of them. */
export type AnyRoute = RouteDefinition<any, any, any>;

/** Identity with type inference for the handler's input; the route is mounted by {@link buildApiRouter}. */
export function defineRoute<
  P extends z.ZodType = z.ZodType<Record<string, string>>,
  Q extends z.ZodType = z.ZodType<Record<string, unknown>>,
  B extends z.ZodType = z.ZodType<unknown>,
>(def: RouteDefinition<P, Q, B>): AnyRoute {
  return def as AnyRoute;
}

/** The default success status: the lowest documented 2xx. */
export function successStatus(route: AnyRoute): number {
  const ok = Object.keys(route.responses)
    .map(Number)
    .filter((s) => s >= 200 && s < 300)
    .sort((a, b) => a - b);
  if (!ok.length)
    throw new Error(`Expected a 2xx response for ${route.method.toUpperCase()} ${route.path}, but none is documented`);
  return ok[0];
}

export interface ApiRouterOptions {
  limiters: RateLimiters;
  /**
   * Check every JSON answer against its documented schema and fail (500) on a mismatch. On in
   * tests (NODE_ENV=test), so a handler and its document cannot drift apart unnoticed.
   */
  strictResponses: boolean;
  /** Writes an audit entry (the app adds the time); absent → nothing is audited (unit tests of the router). */
  audit?: (entry: Omit<AuditEntry, 'at'>) => Promise<void>;
}

/** Mounts routes (absolute paths) on a router: rate limit → authorize → validate → handler. */
export function buildApiRouter(routes: readonly AnyRoute[], options: ApiRouterOptions): Router {
  const router = Router();
  const seen = new Set<string>();
  for (const route of routes) {
    const id = `${route.method} ${route.path}`;
    if (seen.has(id)) throw new Error(`Expected one definition of ${id.toUpperCase()}, but it is defined twice`);
    seen.add(id);
    successStatus(route);
    const chain: RequestHandler[] = [];
    if (options.audit && route.method !== 'get' && route.audit !== false)
      chain.push(auditRefusals(route, options.audit));
    chain.push(authorize(route.access));
    if (route.rateLimit) chain.push(limit(options.limiters[route.rateLimit], route.rateLimit === 'publicIntakePerIp'));
    chain.push(validate(route.request ?? {}));
    chain.push(handle(route, options));
    router[route.method](route.path, ...chain);
  }
  return router;
}

function audited(principal: Principal | undefined): principal is UserPrincipal {
  return isUser(principal) && principal.roles.some((r) => (AUDITED_ROLES as readonly string[]).includes(r));
}

function auditEntry(route: AnyRoute, req: Request, res: Response, status: number): Omit<AuditEntry, 'at'> {
  const user = req.principal as UserPrincipal;
  const params = Object.entries(req.params ?? {});
  const input = res.locals.input as ValidatedInput | undefined;
  const body = input ? input.body : req.is('application/json') ? req.body : undefined;
  return {
    actor: user.username,
    roles: [...user.roles],
    action: `${route.method.toUpperCase()} ${route.path}`,
    summary: route.summary,
    target: params.length ? params.map(([k, v]) => `${k}=${v}`).join(', ') : null,
    detail: redactDetail(body),
    status,
    ip: req.ip ?? null,
    requestId: typeof (req as { id?: unknown }).id === 'string' ? ((req as { id?: unknown }).id as string) : null,
  };
}

/**
 * Marks a privileged caller's change for the audit log. Done changes are written by {@link handle}
 * before the answer; a refusal (403, 400, 404, 409 …) is written as the answer finishes.
 */
function auditRefusals(route: AnyRoute, write: NonNullable<ApiRouterOptions['audit']>): RequestHandler {
  return (req, res, next) => {
    if (!audited(req.principal)) return next();
    res.locals.audit = true;
    res.on('finish', () => {
      if (!res.locals.audit) return;
      res.locals.audit = undefined;
      // never throws out of the listener: a failure here is logged, not a crash
      Promise.resolve()
        .then(() => write(auditEntry(route, req, res, res.statusCode)))
        .catch((err: unknown) =>
          (req as { log?: { error(o: object, m: string): void } }).log?.error(
            { err },
            'audit log write failed (refused request)',
          ),
        );
    });
    next();
  };
}

function limit(limiter: RateLimiter, anonymousOnly: boolean): RequestHandler {
  return (req, res, next) => {
    if (anonymousOnly && req.principal) return next();
    const decision = limiter.hit(req.ip ?? 'unknown');
    if (decision.allowed) return next();
    res.set('Retry-After', String(decision.retryAfterSeconds));
    next(
      new HttpProblem(
        429,
        'Too Many Requests',
        `Rate limit (${limiter.name}) exceeded; try again in ${decision.retryAfterSeconds} s.`,
        { retryAfterSeconds: decision.retryAfterSeconds },
      ),
    );
  };
}

function handle(route: AnyRoute, options: ApiRouterOptions): RequestHandler {
  const defaultStatus = successStatus(route);
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const input = res.locals.input as ValidatedInput;
      let result = await route.handler({ ...input, principal: req.principal, req, res });
      if (res.headersSent) return;
      let status = defaultStatus;
      if (result instanceof Reply) {
        res.set(result.headers);
        status = result.status;
        result = result.body;
      }
      if (options.strictResponses) checkResponse(route, status, result);
      if (status === 429 || status >= 400)
        throw new Error(`Expected a handler to throw HttpProblem for ${status}, but it returned it`);
      // a change that was made is in the audit log before anyone hears it was made
      if (res.locals.audit) {
        res.locals.audit = undefined;
        await options.audit!(auditEntry(route, req, res, status));
      }
      if (result === undefined) res.status(status).end();
      else res.status(status).json(result);
    } catch (err) {
      if (err instanceof HttpProblem && err.status === 429 && typeof err.extra.retryAfterSeconds === 'number')
        res.set('Retry-After', String(err.extra.retryAfterSeconds));
      next(err);
    }
  };
}

function checkResponse(route: AnyRoute, status: number, body: unknown): void {
  const where = `${route.method.toUpperCase()} ${route.path}`;
  const spec = route.responses[status];
  if (!spec) throw new Error(`Expected ${where} to answer a documented status, but it answered ${status}`);
  if (!spec.schema) {
    if (body !== undefined && !spec.contentType)
      throw new Error(`Expected ${where} ${status} to have no body, but the handler returned one`);
    return;
  }
  const check = spec.schema.safeParse(body);
  if (!check.success) {
    throw new Error(
      `Expected ${where} ${status} to match its documented schema, but: ${check.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
}

/** The user behind a route that requires one (`access` other than public), typed. */
export function userOf(principal: Principal | undefined) {
  if (!isUser(principal)) throw HttpProblem.unauthorized();
  return principal;
}
