/**
 * Open311 GeoReport v2 (design/API.md, reference/open311.md): discovery, services, service
 * definitions, POST/GET requests, tokens and mySociety's servicerequestupdates, each in XML and
 * JSON — one defineRoute per path and format, so the OpenAPI document lists both. Errors are the
 * spec's error lists (not problem+json) in the requested format, with 400/403/404;
 * `documentOpen311` (server/open311/openapi.ts) documents them that way.
 *
 * Parameters are read by the Open311 service itself (not by zod) because a bad parameter must be
 * answered with an Open311 error list; the zod schemas here only document them and never reject.
 */
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { RouteContext } from '../app';
import { defineRoute, type AnyRoute } from '../http/define-route';
import { Open311Error } from '../open311/errors';
import { submitServiceRequest } from '../open311/open311-intake';
import { Open311Service } from '../open311/open311-service';
import { CONTENT_TYPE, OPEN311_FORMATS, sendOpen311, type Open311Format } from '../open311/render';

const FORM_LIMIT = '256kb';
const parseForm = express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 500 });

const text = (description: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe(description);
const JURISDICTION = {
  jurisdiction_id: text('optional: this endpoint serves nbjb.gov.cn only; another value is a 404'),
};

/** The `Idempotency-Key` header: absent → undefined, else 1–200 visible ASCII characters (an Open311 400 if not). */
function open311IdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = header.trim();
  if (key === '' || key.length > 200 || !/^[\x21-\x7e]+$/.test(key))
    throw Open311Error.badRequest('Idempotency-Key must be 1 to 200 visible ASCII characters.');
  return key;
}

/** The form body as a plain object; 400 for anything but application/x-www-form-urlencoded. */
function readForm(req: Request, res: Response): Promise<Record<string, unknown>> {
  if (!req.is('application/x-www-form-urlencoded')) {
    return Promise.reject(
      Open311Error.badRequest('The request body must be application/x-www-form-urlencoded (GeoReport v2).'),
    );
  }
  return new Promise((resolve, reject) => {
    parseForm(req, res, (err?: unknown) => {
      if (err) reject(Open311Error.badRequest(`The form body could not be read: ${(err as Error).message}`));
      else resolve({ ...(req.body as Record<string, unknown>) });
    });
  });
}

export function open311Routes(ctx: RouteContext): AnyRoute[] {
  const service = new Open311Service(ctx.db, () => ctx.now?.() ?? new Date());

  /** Runs `produce`, then writes its document, or the error list of an Open311Error. */
  const answer = async (
    res: Response,
    format: Open311Format,
    root: string,
    produce: () => Promise<unknown>,
    status = 200,
  ) => {
    try {
      sendOpen311(res, format, status, root, await produce());
    } catch (err) {
      if (err instanceof Open311Error) return sendOpen311(res, format, err.status, 'errors', err.errors);
      // The spec knows no 5xx: "400 for everything else"; the body code says what happened.
      res.req.log?.error({ err }, 'Open311 request failed');
      sendOpen311(res, format, 400, 'errors', [{ code: 500, description: 'Internal error; it has been logged.' }]);
    }
  };

  return OPEN311_FORMATS.flatMap((format): AnyRoute[] => {
    const ok = (description: string) => ({ description, contentType: CONTENT_TYPE[format].split(';')[0] });
    const tags = ['open311'];
    return [
      defineRoute({
        method: 'get',
        path: `/open311/discovery.${format}`,
        tags,
        access: 'public',
        summary: `Open311 service discovery (${format})`,
        responses: {
          200: ok(
            '`discovery`: changeset, contact, key_service, endpoints[] (specification, url, changeset, type, formats[])',
          ),
        },
        handler: ({ req, res }) =>
          answer(res, format, 'discovery', () => service.discovery(`${req.protocol}://${req.get('host')}/open311`)),
      }),
      defineRoute({
        method: 'get',
        path: `/open311/v2/services.${format}`,
        tags,
        access: 'public',
        summary: `Open311 service list: catalog matters grouped by category (${format})`,
        request: { query: z.object(JURISDICTION) },
        responses: {
          200: ok('`services`: one `service` per matter (group = category, metadata = true, type = realtime)'),
          404: { description: 'unknown jurisdiction_id' },
        },
        handler: ({ req, res }) => answer(res, format, 'services', () => service.services(req.query)),
      }),
      defineRoute({
        method: 'get',
        path: `/open311/v2/services/:code.${format}`,
        tags,
        access: 'public',
        summary: `Open311 service definition: the matter's situations as a required singlevaluelist (${format})`,
        request: {
          params: z.object({ code: z.string().describe('service_code (a matter code, e.g. C01-M01)') }),
          query: z.object(JURISDICTION),
        },
        responses: {
          200: ok('`service_definition`: service_code and attributes[]'),
          404: { description: 'unknown service_code or jurisdiction_id' },
        },
        handler: ({ req, res }) =>
          answer(res, format, 'service_definition', () =>
            service.serviceDefinition(String(req.params.code), req.query),
          ),
      }),
      defineRoute({
        method: 'post',
        path: `/open311/v2/requests.${format}`,
        tags,
        access: 'public',
        summary: `Open311 POST service request (form-encoded, api_key required) (${format})`,
        description:
          'Body: application/x-www-form-urlencoded with api_key, service_code, a location (lat+long, address_string or address_id), attribute[situation], and optionally description, first_name, last_name, email, phone, media_url, device_id, account_id, jurisdiction_id. The case is filed even while the process engine is down (its one window starts later). A retry with the same `Idempotency-Key` header — or, without one, the same `attribute[service_request_id_ext]` — and the same form answers for the first case; with a different form 400 with body code 422.',
        requestHeaders: [
          {
            name: 'Idempotency-Key',
            description: 'optional, 1–200 visible characters; kept 24 h per API key',
            maxLength: 200,
          },
        ],
        responses: {
          200: ok(
            '`service_requests`: one `request` with service_request_id (the case number), service_notice, account_id',
          ),
          400: {
            description:
              'missing or invalid fields (each listed), or an idempotency key or service_request_id_ext reused for a different request (code 422)',
          },
          403: { description: 'api_key missing or not a valid Open311 key' },
          404: { description: 'unknown service_code or jurisdiction_id' },
        },
        handler: ({ req, res }) =>
          answer(res, format, 'service_requests', async () =>
            submitServiceRequest(
              { db: ctx.db, apiKeys: ctx.auth.apiKeys, zbc: ctx.zbc, log: ctx.log },
              await readForm(req, res),
              ctx.now?.() ?? new Date(),
              open311IdempotencyKey(req.get('idempotency-key')),
            ),
          ),
      }),
      defineRoute({
        method: 'get',
        path: `/open311/v2/requests.${format}`,
        tags,
        access: 'public',
        summary: `Open311 GET service requests (${format})`,
        description:
          'Without dates the last 90 days; a range may not exceed 90 days; at most 1000 per answer. service_request_id overrides every other filter.',
        request: {
          query: z.object({
            ...JURISDICTION,
            service_request_id: text('comma-separated case numbers; overrides all other filters'),
            service_code: text('comma-separated service codes'),
            start_date: text('W3C date-time with zone; filters requested_datetime'),
            end_date: text('W3C date-time with zone'),
            status: text('open, closed or both (comma-separated)'),
            page: text('paging extension: page number, from 1'),
            page_size: text('paging extension: requests per page, 1 … 1000 (default 1000)'),
            extensions: text('true adds extended_attributes and notes[] (the public timeline)'),
          }),
        },
        responses: {
          200: ok('`service_requests`: `request` items'),
          400: { description: 'bad date, range, status or paging' },
          404: { description: 'unknown jurisdiction_id' },
        },
        handler: ({ req, res }) => answer(res, format, 'service_requests', () => service.requests(req.query)),
      }),
      defineRoute({
        method: 'get',
        path: `/open311/v2/requests/:id.${format}`,
        tags,
        access: 'public',
        summary: `Open311 GET one service request (an array with one element) (${format})`,
        request: {
          params: z.object({ id: z.string().describe('service_request_id (case number)') }),
          query: z.object({ ...JURISDICTION, extensions: text('true adds extended_attributes and notes[]') }),
        },
        responses: {
          200: ok('`service_requests` with one `request`'),
          404: { description: 'unknown service_request_id or jurisdiction_id' },
        },
        handler: ({ req, res }) =>
          answer(res, format, 'service_requests', () => service.request(String(req.params.id), req.query)),
      }),
      defineRoute({
        method: 'get',
        path: `/open311/v2/tokens/:token.${format}`,
        tags,
        access: 'public',
        summary: `Open311 GET service_request_id from a token (${format})`,
        request: { params: z.object({ token: z.string() }), query: z.object(JURISDICTION) },
        responses: {
          200: ok('`service_requests` with one `request` (service_request_id, token)'),
          404: { description: 'unknown token or jurisdiction_id' },
        },
        handler: ({ req, res }) =>
          answer(res, format, 'service_requests', () => service.token(String(req.params.token), req.query)),
      }),
      defineRoute({
        method: 'get',
        path: `/open311/v2/servicerequestupdates.${format}`,
        tags,
        access: 'public',
        summary: `mySociety service request updates between start_date and end_date (${format})`,
        request: {
          query: z.object({
            ...JURISDICTION,
            start_date: text('W3C date-time with zone'),
            end_date: text('W3C date-time with zone'),
            api_key: text('sent by FixMyStreet; not needed (updates are public)'),
          }),
        },
        responses: {
          200: ok(
            '`service_request_updates`: `request_update` items (update_id, service_request_id, status, updated_datetime, description, media_url)',
          ),
          400: { description: 'bad date or range' },
          404: { description: 'unknown jurisdiction_id' },
        },
        handler: ({ req, res }) => answer(res, format, 'service_request_updates', () => service.updates(req.query)),
      }),
    ];
  });
}
