import type { RequestHandler } from 'express';
import { z } from 'zod';
import { HttpProblem, type FieldError } from './problem';

/** Where a value came from; names the field prefix in problem lists (`query.state`, `path.id`, `reporter.phone`). */
export type RequestPart = 'body' | 'query' | 'path';

function fieldName(part: RequestPart, path: readonly PropertyKey[]): string {
  let out = part === 'body' ? '' : part;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || part;
}

/** zod issues as `{field, message}` pairs, one per offending field (unknown keys each listed). */
export function fieldErrors(error: z.ZodError, part: RequestPart): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: fieldName(part, [...issue.path, key]), message: 'unknown field' }));
    }
    return [{ field: fieldName(part, issue.path), message: issue.message }];
  });
}

/** JSON nested deeper than this is refused: recursive validators (z.json()) would overflow the stack. */
export const MAX_DEPTH = 32;

/**
 * Input no schema should have to think about: fields holding a NUL character (PostgreSQL cannot
 * store U+0000 in text; the insert would fail with "invalid byte sequence" → 500) and nesting past
 * {@link MAX_DEPTH}. Iterative, so a 5,000-deep body cannot overflow the stack here either.
 */
function unsafeFields(value: unknown, part: RequestPart): FieldError[] {
  const found: FieldError[] = [];
  const stack: Array<{ v: unknown; path: PropertyKey[] }> = [{ v: value, path: [] }];
  while (stack.length && found.length < 20) {
    const { v, path } = stack.pop()!;
    if (path.length > MAX_DEPTH) {
      found.push({ field: fieldName(part, path.slice(0, 3)), message: `nested deeper than ${MAX_DEPTH} levels` });
      break;
    }
    if (typeof v === 'string') {
      if (v.includes('\u0000'))
        found.push({ field: fieldName(part, path), message: 'must not contain NUL (\\u0000) characters' });
    } else if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, path: [...path, i] }));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000'))
          found.push({ field: fieldName(part, path), message: 'keys must not contain NUL (\\u0000) characters' });
        stack.push({ v: x, path: [...path, k] });
      }
    }
  }
  return found;
}

/** Parses `value`, or returns the bad fields. */
export function checkRequestPart<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: RequestPart,
): { ok: true; data: z.output<S> } | { ok: false; errors: FieldError[] } {
  if (part === 'body' && value === undefined)
    return { ok: false, errors: [{ field: 'body', message: 'expected a JSON body (Content-Type: application/json)' }] };
  const unsafe = unsafeFields(value, part);
  if (unsafe.length) return { ok: false, errors: unsafe };
  const result = schema.safeParse(value);
  return result.success ? { ok: true, data: result.data } : { ok: false, errors: fieldErrors(result.error, part) };
}

/** Parses `value` or throws a 400 problem listing every bad field. */
export function parseRequestPart<S extends z.ZodType>(schema: S, value: unknown, part: RequestPart): z.output<S> {
  const checked = checkRequestPart(schema, value, part);
  if (checked.ok) return checked.data;
  throw invalid(checked.errors);
}

function invalid(errors: FieldError[]): HttpProblem {
  return HttpProblem.badRequest(
    `The request is invalid: ${errors.map((e) => `${e.field} (${e.message})`).join('; ')}.`,
    errors,
  );
}

export interface RequestSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

/** The parsed parts, as stored on `res.locals.input` by {@link validate}. */
export interface ValidatedInput {
  params: any;
  query: any;
  body: any;
}

/**
 * Express middleware validating path params, query and body with zod; the parsed values land in
 * `res.locals.input`. Routes built with defineRoute get this automatically.
 */
export function validate(schemas: RequestSchemas): RequestHandler {
  return (req, res, next) => {
    // Every part is checked before answering, so one 400 lists all bad fields (path, query and body).
    const errors: FieldError[] = [];
    const check = (schema: z.ZodType | undefined, value: unknown, part: RequestPart) => {
      if (!schema) return value;
      const checked = checkRequestPart(schema, value, part);
      if (checked.ok) return checked.data;
      errors.push(...checked.errors);
      return undefined;
    };
    const input: ValidatedInput = {
      params: check(schemas.params, req.params, 'path'),
      query: check(schemas.query, req.query, 'query'),
      body: check(schemas.body, req.body, 'body'),
    };
    if (errors.length) return next(invalid(errors));
    res.locals.input = input;
    next();
  };
}

/**
 * Query-string helpers: express gives strings (or arrays for repeated keys); these coerce and
 * reject arrays, so `?limit=1&limit=2` is a 400 rather than a surprise.
 */
export const query = {
  int: (opts: { min?: number; max?: number } = {}) =>
    z
      .string()
      .regex(/^-?\d{1,15}$/, 'expected a whole number')
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(opts.min ?? Number.MIN_SAFE_INTEGER)
          .max(opts.max ?? Number.MAX_SAFE_INTEGER),
      ),
  bool: () => z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
  string: (max = 200) => z.string().max(max),
};
