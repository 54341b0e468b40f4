/**
 * Reading Open311 parameters. "An optional parameter that is sent empty must behave exactly as if
 * it were absent" (GeoReport v2), so empty strings read as undefined. A parameter that may appear
 * once but came several times (`?status=open&status=closed`) is a 400, not a silent pick.
 */
import { parseOpen311Date } from './dates';
import { Open311Error } from './errors';

export type RawParams = Record<string, unknown>;

/**
 * This endpoint serves one jurisdiction, so `jurisdiction_id` is optional (spec: required only
 * when an endpoint serves several). A client that names another jurisdiction gets 404.
 */
export const OPEN311_JURISDICTION_ID = 'nbjb.gov.cn';

export function single(params: RawParams, name: string): string | undefined {
  const v = params[name];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) {
    const filled = v.filter((x) => String(x).trim() !== '');
    if (filled.length > 1)
      throw Open311Error.badRequest(
        `${name} was given ${filled.length} times; send it once (a comma-separated list where the spec allows one).`,
      );
    return filled.length ? String(filled[0]).trim() : undefined;
  }
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

/** Values that may repeat (`media_url` from FixMyStreet's multi-photo mode). */
export function many(params: RawParams, name: string): string[] {
  const v = params[name];
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.map((x) => String(x).trim()).filter((x) => x !== '');
}

/** A comma-separated list parameter (`service_request_id`, `service_code`, `status`). */
export function commaList(params: RawParams, name: string): string[] | undefined {
  const raw = single(params, name);
  if (raw === undefined) return undefined;
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.length ? [...new Set(items)] : undefined;
}

export function date(params: RawParams, name: string): Date | undefined {
  const raw = single(params, name);
  if (raw === undefined) return undefined;
  const d = parseOpen311Date(raw);
  if (!d)
    throw Open311Error.badRequest(
      `${name} "${raw}" is not a W3C date-time with a zone, e.g. 2026-11-27T09:00:00+08:00 or 2026-11-27T01:00:00Z.`,
    );
  return d;
}

/** A positive whole number (paging), or undefined. */
export function positiveInt(params: RawParams, name: string, max: number): number | undefined {
  const raw = single(params, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    throw Open311Error.badRequest(`${name} must be a whole number from 1 to ${max}, but is "${raw}".`);
  return Number(raw);
}

export function bool(params: RawParams, name: string): boolean {
  const raw = single(params, name);
  return raw !== undefined && /^(true|1)$/i.test(raw);
}

/** 404 for a jurisdiction this endpoint does not serve; absent or ours is fine. */
export function checkJurisdiction(params: RawParams): void {
  const j = single(params, 'jurisdiction_id');
  if (j !== undefined && j.toLowerCase() !== OPEN311_JURISDICTION_ID) {
    throw Open311Error.notFound(
      `jurisdiction_id "${j}" is not served here; this endpoint serves ${OPEN311_JURISDICTION_ID} only.`,
    );
  }
}
