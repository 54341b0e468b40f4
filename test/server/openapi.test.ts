import type { Express } from 'express';
import { createDb } from '../../db/knex';
import { createApp } from '../../server/app';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { toOpenApiPath } from '../../server/openapi/document';

/** Every (METHOD, path) the express app routes, found by walking its router stack. */
function routedOperations(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          if (method === '_all')
            throw new Error(`Expected explicit methods, but ${prefix}${layer.route.path} is routed with all()`);
          out.push(`${method.toUpperCase()} ${toOpenApiPath(prefix + String(layer.route.path))}`);
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        // A nested router: its mount path is the layer's raw path ('/' for app.use(router)).
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as any).router.stack, '');
  return out.sort();
}

function documentedOperations(doc: any): string[] {
  return Object.entries<Record<string, unknown>>(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

describe('the OpenAPI document', () => {
  const db = createDb({}); // not queried by the tests: building the app and its document needs no rows
  const app = createApp({
    db,
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    log: createLogger('silent'),
    engineHealth: async () => 'ok',
  });
  const doc = app.locals.openApi();
  // knex-pglite opens its one connection eagerly: let that finish before closing, or PGlite keeps
  // loading after the test environment is gone.
  afterAll(async () => {
    await db.raw('select 1');
    await db.destroy();
  });

  it('documents every route the app serves, and serves every documented one', () => {
    // given the routes found in express's router stack
    const routed = routedOperations(app);

    // then they are exactly the documented operations
    expect(routed.length).toBeGreaterThan(10);
    expect(documentedOperations(doc)).toEqual(routed);
  });

  it('is OpenAPI 3.1 with the fixed points of API.md', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const op of [
      'GET /healthz',
      'GET /metrics',
      'POST /api/auth/login',
      'POST /api/auth/logout',
      'GET /api/me',
      'GET /api/openapi.json',
    ]) {
      expect(documentedOperations(doc)).toContain(op);
    }
  });

  it('declares every path parameter, a success response, and problem+json for errors', () => {
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries<any>(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        const declared = (op.parameters ?? [])
          .filter((p: any) => p.in === 'path')
          .map((p: any) => p.name)
          .sort();
        expect({ where, params: declared }).toEqual({ where, params: templated });
        const statuses = Object.keys(op.responses).map(Number);
        expect({ where, success: statuses.some((s) => s >= 200 && s < 300) }).toEqual({ where, success: true });
        for (const s of statuses.filter((s) => s >= 400 && path.startsWith('/api/'))) {
          expect({ where, s, content: Object.keys(op.responses[s].content ?? {}) }).toEqual({
            where,
            s,
            content: ['application/problem+json'],
          });
        }
      }
    }
  });

  it('documents the request bodies and who may call each operation', () => {
    const login = doc.paths['/api/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['username', 'password'],
      additionalProperties: false,
    });
    expect(login['x-access']).toBe('public');
    expect(Object.keys(login.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '429']));
    const createUser = doc.paths['/api/admin/users'].post;
    expect(createUser['x-access']).toEqual(['admin']);
    expect(createUser.security).toEqual([{ sessionCookie: [], csrfToken: [] }]);
    expect(Object.keys(createUser.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403']));
  });
});
