/**
 * Camunda 8.8 search semantics over in-memory rows: filters (`$eq`, `$neq`, `$exists`, `$in`,
 * `$notIn`, `$like`, `$gt`, `$gte`, `$lt`, `$lte`, and `$or` of filter objects), sorting (`sort:
 * [{ field, order }]`, ties broken by the entity key) and paging (`page.from`/`limit`, or the cursors
 * `page.after`/`page.before` — also accepted as `searchAfter`/`searchBefore` — which the response
 * hands out as `startCursor`/`endCursor`).
 */
import { RestError } from './problem';

export type Row = Record<string, unknown>;

export interface SearchRequest {
  filter?: Record<string, unknown>;
  sort?: { field: string; order?: 'asc' | 'desc' | 'ASC' | 'DESC' }[];
  page?: {
    from?: number;
    limit?: number;
    after?: string;
    before?: string;
    searchAfter?: unknown;
    searchBefore?: unknown;
  };
}

export interface SearchResult<T> {
  items: T[];
  page: { totalItems: number; hasMoreTotalItems: boolean; startCursor?: string; endCursor?: string };
}

/** A custom filter for one field: (row, filter value) → match. */
export type FieldMatcher = (row: Row, value: unknown) => boolean;

export interface SearchSpec {
  /** The unique key field used as the final tie-breaker and in cursors. */
  key: string;
  /** Fields compared as epoch dates (ISO strings in rows and filters). */
  dates?: string[];
  /** Fields with a matcher of their own (e.g. `variables`). */
  custom?: Record<string, FieldMatcher>;
  /** Filter field → row field, where their names differ (e.g. `elementInstanceScopeKey`). */
  aliases?: Record<string, string>;
}

const DEFAULT_LIMIT = 100;
const OPERATORS = new Set(['$eq', '$neq', '$exists', '$in', '$notIn', '$like', '$gt', '$gte', '$lt', '$lte']);

function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]);
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 's');
}
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function comparable(v: unknown, isDate: boolean): unknown {
  if (v === undefined || v === null) return v;
  if (isDate) {
    const t = Date.parse(String(v));
    if (Number.isNaN(t)) throw new RestError(400, 'INVALID_ARGUMENT', `The value '${String(v)}' is not a valid date`);
    return t;
  }
  return v;
}

function same(a: unknown, b: unknown): boolean {
  return a === b || (a !== undefined && a !== null && b !== undefined && b !== null && String(a) === String(b));
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  // 64-bit keys: decimal strings of digits compare numerically.
  const sa = String(a);
  const sb = String(b);
  if (/^\d+$/.test(sa) && /^\d+$/.test(sb)) {
    const d = BigInt(sa) - BigInt(sb);
    return d === 0n ? 0 : d < 0n ? -1 : 1;
  }
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function matchValue(actual: unknown, filter: unknown, isDate: boolean): boolean {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) {
    return isDate ? comparable(actual, true) === comparable(filter, true) : same(actual, filter);
  }
  const a = comparable(actual, isDate);
  for (const [op, raw] of Object.entries(filter as Record<string, unknown>)) {
    if (raw === undefined) continue;
    if (!OPERATORS.has(op)) throw new RestError(400, 'INVALID_ARGUMENT', `Unsupported filter operator '${op}'`);
    const f = op === '$in' || op === '$notIn' ? raw : comparable(raw, isDate && op !== '$exists' && op !== '$like');
    switch (op) {
      case '$eq':
        if (!same(a, f)) return false;
        break;
      case '$neq':
        if (same(a, f)) return false;
        break;
      case '$exists':
        if ((a !== undefined && a !== null) !== Boolean(f)) return false;
        break;
      case '$in':
        if (!(f as unknown[]).some((x) => same(a, comparable(x, isDate)))) return false;
        break;
      case '$notIn':
        if ((f as unknown[]).some((x) => same(a, comparable(x, isDate)))) return false;
        break;
      case '$like':
        if (a === undefined || a === null || !likeToRegExp(String(f)).test(String(actual))) return false;
        break;
      case '$gt':
        if (a === undefined || a === null || !(compare(a, f) > 0)) return false;
        break;
      case '$gte':
        if (a === undefined || a === null || !(compare(a, f) >= 0)) return false;
        break;
      case '$lt':
        if (a === undefined || a === null || !(compare(a, f) < 0)) return false;
        break;
      case '$lte':
        if (a === undefined || a === null || !(compare(a, f) <= 0)) return false;
        break;
    }
  }
  return true;
}

function matches(row: Row, filter: Record<string, unknown>, spec: SearchSpec): boolean {
  for (const [field, value] of Object.entries(filter)) {
    if (value === undefined || field === '$or') continue;
    const custom = spec.custom?.[field];
    if (custom) {
      if (!custom(row, value)) return false;
      continue;
    }
    const name = spec.aliases?.[field] ?? field;
    if (!matchValue(row[name], value, spec.dates?.includes(name) ?? false)) return false;
  }
  const or = filter.$or as Record<string, unknown>[] | undefined;
  if (or?.length && !or.some((f) => matches(row, f, spec))) return false;
  return true;
}

/** A string filter value (the `advancedStringFilter` shape) applied to a single value. */
export function matchString(actual: unknown, filter: unknown): boolean {
  return matchValue(actual, filter, false);
}

function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64');
}

function decodeCursor(cursor: unknown, expected: number): unknown[] {
  if (Array.isArray(cursor)) return cursor;
  try {
    const values = JSON.parse(Buffer.from(String(cursor), 'base64').toString('utf8'));
    if (Array.isArray(values) && values.length === expected) return values;
  } catch {
    /* reported below */
  }
  throw new RestError(400, 'INVALID_ARGUMENT', `The cursor '${String(cursor)}' is not one this server handed out`);
}

/** Filters, sorts and pages rows the way Camunda's search endpoints do. */
export function search<T extends Row>(rows: T[], req: SearchRequest, spec: SearchSpec): SearchResult<T> {
  const filtered = req.filter ? rows.filter((r) => matches(r, req.filter!, spec)) : rows.slice();
  const sort = (req.sort ?? []).map((s) => ({
    field: s.field,
    desc: String(s.order ?? 'asc').toLowerCase() === 'desc',
    date: spec.dates?.includes(s.field) ?? false,
  }));
  if (!sort.some((s) => s.field === spec.key)) sort.push({ field: spec.key, desc: false, date: false });
  const tuple = (r: Row) => sort.map((s) => (s.date ? comparable(r[s.field], true) : r[s.field]) ?? null);
  const cmpTuples = (x: unknown[], y: unknown[]) => {
    for (let i = 0; i < sort.length; i++) {
      const c = compare(x[i], y[i]);
      if (c) return sort[i].desc ? -c : c;
    }
    return 0;
  };
  filtered.sort((a, b) => cmpTuples(tuple(a), tuple(b)));

  const page = req.page ?? {};
  const limit = page.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new RestError(
      400,
      'INVALID_ARGUMENT',
      `The value for page.limit is '${limit}' but must be between 1 and 10000`,
    );
  const after = page.after ?? page.searchAfter;
  const before = page.before ?? page.searchBefore;
  let items: T[];
  if (after !== undefined && after !== null) {
    const c = decodeCursor(after, sort.length);
    items = filtered.filter((r) => cmpTuples(tuple(r), c) > 0).slice(0, limit);
  } else if (before !== undefined && before !== null) {
    const c = decodeCursor(before, sort.length);
    const earlier = filtered.filter((r) => cmpTuples(tuple(r), c) < 0);
    items = earlier.slice(Math.max(0, earlier.length - limit));
  } else {
    const from = page.from ?? 0;
    if (!Number.isInteger(from) || from < 0)
      throw new RestError(400, 'INVALID_ARGUMENT', `The value for page.from is '${from}' but must be 0 or more`);
    items = filtered.slice(from, from + limit);
  }
  return {
    items,
    page: {
      totalItems: filtered.length,
      hasMoreTotalItems: false,
      ...(items.length
        ? { startCursor: encodeCursor(tuple(items[0])), endCursor: encodeCursor(tuple(items[items.length - 1])) }
        : {}),
    },
  };
}
