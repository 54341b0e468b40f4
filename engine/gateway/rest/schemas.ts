/**
 * The request and response schemas of the Camunda 8.8 Orchestration Cluster API, from
 * `@camunda/camunda-api-zod-schemas` (its `8.8` entry). That package is ESM-only and exports only
 * an `import` condition, so CommonJS code (tsx, jest) cannot `require` the subpath: its file is
 * resolved through the package's exported package.json and loaded with Node's require(esm).
 */
import path from 'node:path';
import { z } from 'zod';
import type * as Camunda88 from '@camunda/camunda-api-zod-schemas/8.8';
import { RestError } from './problem';

const dir = path.dirname(require.resolve('@camunda/camunda-api-zod-schemas/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const api: typeof Camunda88 = require(path.join(dir, 'dist/8.8.js'));

/**
 * The package types `variables` of process-instance creation as a map of variable *entities*
 * (`{ name, value, … }`); the API takes (and returns) a plain JSON document there.
 */
const document = z.record(z.string(), z.unknown());
export const createProcessInstanceBody = api.createProcessInstanceRequestBodySchema.extend({
  variables: document.optional(),
  operationReference: z.union([z.number(), z.string()]).optional(),
});
export const createProcessInstanceResponse = api.createProcessInstanceResponseBodySchema.extend({
  variables: document.optional(),
});

/**
 * `POST /v2/process-instances/{key}/migration`: the package has only the batch form, so the
 * single-instance body is declared here as the 8.8 API documents it.
 */
export const migrateProcessInstanceBody = z.object({
  targetProcessDefinitionKey: z.union([z.string(), z.number()]).transform(String),
  mappingInstructions: z.array(z.object({ sourceElementId: z.string(), targetElementId: z.string() })),
  operationReference: z.union([z.number(), z.string()]).optional(),
});

function describe(issues: z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const where = i.path.length ? i.path.join('.') : 'body';
      return `${where}: ${i.message}`;
    })
    .join('; ');
}

/** Validates a request body; a mismatch is a 400 problem naming each offending field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const input = structuredClone(body ?? {});
  let r = schema.safeParse(input);
  // 64-bit integers (requestTimeout, timeout, operationReference …) may arrive as decimal strings,
  // as the Camunda clients send them losslessly: accept those where the schema wants a number.
  for (let round = 0; !r.success && round < 3; round++) {
    let changed = false;
    for (const issue of r.error.issues) {
      if (issue.code !== 'invalid_type' || issue.expected !== 'number' || !issue.path.length) continue;
      let holder: any = input;
      for (const seg of issue.path.slice(0, -1)) holder = holder?.[seg as string];
      const last = issue.path[issue.path.length - 1] as string;
      const v = holder?.[last];
      if (typeof v === 'string' && /^-?\d{1,15}$/.test(v)) {
        holder[last] = Number(v);
        changed = true;
      }
    }
    if (!changed) break;
    r = schema.safeParse(input);
  }
  if (!r.success)
    throw new RestError(400, 'INVALID_ARGUMENT', `The request body is invalid: ${describe(r.error.issues)}`);
  return r.data;
}

/** Shapes a response through its schema (drops fields the API does not define). */
export function shape<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`Response does not match the Camunda 8.8 schema: ${describe(r.error.issues)}`);
  return r.data;
}
