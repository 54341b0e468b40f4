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

/** Parses `value` or throws a 400 problem listing every bad field. */
export function parseRequestPart<S extends z.ZodType>(schema: S, value: unknown, part: RequestPart): z.output<S> {
  if (part === 'body' && value === undefined) {
    throw HttpProblem.badRequest('A JSON body is required (Content-Type: application/json).', [{ field: 'body', message: 'expected a JSON body' }]);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error, part);
  throw HttpProblem.badRequest(`The request ${part === 'path' ? 'path' : part} is invalid: ${errors.map((e) => e.field).join(', ')}.`, errors);
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
    try {
      const input: ValidatedInput = {
        params: schemas.params ? parseRequestPart(schemas.params, req.params, 'path') : req.params,
        query: schemas.query ? parseRequestPart(schemas.query, req.query, 'query') : req.query,
        body: schemas.body ? parseRequestPart(schemas.body, req.body, 'body') : req.body,
      };
      res.locals.input = input;
      next();
    } catch (err) {
      next(err);
    }
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
      .pipe(z.number().int().min(opts.min ?? Number.MIN_SAFE_INTEGER).max(opts.max ?? Number.MAX_SAFE_INTEGER)),
  bool: () =>
    z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
  string: (max = 200) => z.string().max(max),
};
