/**
 * Builds the OpenAPI 3.1 document from the route definitions (defineRoute) — the zod schemas that
 * validate requests are the ones documented, converted with zod v4's `z.toJSONSchema` (JSON Schema
 * 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod';
import type { Access } from '../auth/authorize';
import { successStatus, type AnyRoute } from '../http/define-route';

/** An operation not built with defineRoute (e.g. /healthz, /metrics), documented by hand. */
export interface ManualOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  tags: string[];
  security?: Array<Record<string, string[]>>;
  responses: Record<number, { description: string; contentType?: string; schema?: object }>;
}

type JsonSchema = Record<string, any>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** `/api/admin/users/:id` → `/api/admin/users/{id}` */
export function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const PROBLEM: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      description: 'the offending fields (validation problems)',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, message: { type: 'string' } },
        required: ['field', 'message'],
      },
    },
  },
  required: ['title', 'status', 'detail'],
};

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

function security(access: Access, method: string): Array<Record<string, string[]>> | undefined {
  if (access === 'public') return undefined;
  const write = method !== 'get';
  const session: Record<string, string[]> = write ? { sessionCookie: [], csrfToken: [] } : { sessionCookie: [] };
  if (access === 'user') return [session];
  const out: Array<Record<string, string[]>> = [];
  if (access.some((a) => a !== 'device' && a !== 'open311')) out.push(session);
  if (access.some((a) => a === 'device' || a === 'open311')) out.push({ apiKey: [] });
  return out;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): object[] {
  if (!schema) return [];
  const js = jsonSchema(schema, 'input');
  const required = new Set<string>(js.required ?? []);
  return Object.entries<JsonSchema>(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(s.description ? { description: s.description } : {}),
    schema: s,
  }));
}

function operation(route: AnyRoute): object {
  const responses: Record<string, object> = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    const code = Number(status);
    if (code >= 400) responses[status] = problemResponse(spec.description);
    else if (spec.schema)
      responses[status] = {
        description: spec.description,
        content: { 'application/json': { schema: jsonSchema(spec.schema, 'output') } },
      };
    else if (spec.contentType)
      responses[status] = {
        description: spec.description,
        content: { [spec.contentType]: { schema: { type: 'string' } } },
      };
    else responses[status] = { description: spec.description };
  }
  const req = route.request ?? {};
  if ((req.params || req.query || req.body) && !responses[400])
    responses[400] = problemResponse('invalid request: `errors` lists the offending fields');
  if (route.access !== 'public') {
    responses[401] ??= problemResponse('not logged in (or an unknown API key)');
    responses[403] ??= problemResponse(
      'not allowed for this caller (role, key kind, or a missing X-CSRF-Token on a cookie-authenticated write)',
    );
  }
  if (route.rateLimit) responses[429] ??= problemResponse('rate limit exceeded; see Retry-After');
  const access = route.access === 'public' || route.access === 'user' ? route.access : [...route.access];
  successStatus(route);
  return {
    operationId: `${route.method}${toOpenApiPath(route.path)
      .replace(/[{}]/g, '')
      .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: route.tags,
    'x-access': access,
    ...(security(route.access, route.method) ? { security: security(route.access, route.method) } : { security: [] }),
    parameters: [
      ...parameters(req.params, 'path'),
      ...parameters(req.query, 'query'),
      ...(route.requestHeaders ?? []).map((h) => ({
        name: h.name,
        in: 'header',
        required: false,
        description: h.description,
        schema: { type: 'string', minLength: 1, ...(h.maxLength ? { maxLength: h.maxLength } : {}) },
      })),
    ],
    ...(req.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(req.body, 'input') } } } }
      : {}),
    responses,
  };
}

export interface OpenApiInfo {
  title: string;
  version: string;
}

export function buildOpenApiDocument(
  routes: readonly AnyRoute[],
  manual: readonly ManualOperation[],
  info: OpenApiInfo,
): Record<string, any> {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) (paths[toOpenApiPath(route.path)] ??= {})[route.method] = operation(route);
  for (const op of manual) {
    const responses: Record<string, object> = {};
    for (const [status, r] of Object.entries(op.responses)) {
      responses[status] =
        r.contentType || r.schema
          ? {
              description: r.description,
              content: { [r.contentType ?? 'application/json']: { schema: r.schema ?? { type: 'string' } } },
            }
          : { description: r.description };
    }
    (paths[op.path] ??= {})[op.method] = { summary: op.summary, tags: op.tags, security: op.security ?? [], responses };
  }
  const sorted = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'OneMatter HTTP API. Errors are application/problem+json (RFC 9457). See design/API.md for the fixed points.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths: sorted,
    components: {
      schemas: { Problem: PROBLEM },
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'om_session', description: 'set by POST /api/auth/login' },
        csrfToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description: 'the csrfToken of the session; required on cookie-authenticated writes',
        },
        apiKey: { type: 'http', scheme: 'bearer', description: 'a device or Open311 API key (created by an admin)' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when configured' },
      },
    },
  };
}
