import { z } from 'zod';
import type { RouteContext } from '../app';
import type { ApiKeyRow } from '../auth/api-key-queries';
import { API_KEY_KINDS, isUser } from '../auth/roles';
import { defineRoute } from '../http/define-route';

const ApiKeySchema = z.object({
  id: z.string(),
  kind: z.enum(API_KEY_KINDS),
  name: z.string(),
  deviceId: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  revokedAt: z.iso.datetime({ offset: true }).nullable(),
  lastUsedAt: z.iso.datetime({ offset: true }).nullable(),
});

function view(k: ApiKeyRow) {
  return {
    ...k,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  };
}

/** Device and Open311 API keys for admins: the key itself is shown once, at creation. */
export function adminApiKeyRoutes(ctx: RouteContext) {
  const { apiKeys } = ctx.auth;
  return [
    defineRoute({
      method: 'get',
      path: '/api/admin/api-keys',
      summary: 'All API keys (without the keys themselves, which are stored hashed)',
      tags: ['admin'],
      access: ['admin'],
      responses: { 200: { description: 'newest first', schema: z.object({ apiKeys: z.array(ApiKeySchema) }) } },
      async handler() {
        return { apiKeys: (await apiKeys.list()).map(view) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/admin/api-keys',
      summary: 'Create a device or Open311 key; the answer carries the key, shown only once',
      description: 'Devices send it as `Authorization: Bearer <key>`; Open311 clients as `api_key`.',
      tags: ['admin'],
      access: ['admin'],
      request: {
        body: z.strictObject({
          kind: z.enum(API_KEY_KINDS),
          name: z.string().trim().min(1).max(200),
          deviceId: z
            .string()
            .trim()
            .min(1)
            .max(100)
            .optional()
            .describe('devices: the deviceId their events must carry'),
        }),
      },
      responses: { 201: { description: 'created', schema: z.object({ apiKey: ApiKeySchema, key: z.string() }) } },
      async handler({ body, principal }) {
        const { apiKey, key } = await apiKeys.create(body, isUser(principal) ? principal.username : 'unknown');
        return { apiKey: view(apiKey), key };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/admin/api-keys/:id',
      summary: 'Revoke a key (it stops working at once; the row stays for the record)',
      tags: ['admin'],
      access: ['admin'],
      request: { params: z.strictObject({ id: z.uuid() }) },
      responses: {
        200: { description: 'revoked', schema: z.object({ apiKey: ApiKeySchema }) },
        404: { description: 'no such key' },
        409: { description: 'already revoked' },
      },
      async handler({ params }) {
        return { apiKey: view(await apiKeys.revoke(params.id)) };
      },
    }),
  ];
}
