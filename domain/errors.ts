/**
 * Business failures of the domain, as values. A domain service answers an expected failure
 * (the case does not exist, the task is someone else's, a reason is missing) with a
 * {@link DomainFailure} — or throws a {@link DomainError} where a value cannot travel — and never
 * with an HTTP status: the HTTP layer (server/http/problem.ts) maps `kind` to problem+json
 * (`not-found` → 404, `conflict` → 409, `invalid` → 422). Anything else thrown is a bug.
 */

/** What went wrong, in the terms of the domain. */
export type DomainErrorKind = 'not-found' | 'conflict' | 'invalid';

/** One offending field of an input, e.g. a form field of a task. */
export interface FieldError {
  /** The field's path, e.g. `reporter.phone` or `replyText`. */
  field: string;
  message: string;
}

/** An expected business failure: a stable `code` for programs and a `detail` for people. */
export interface DomainFailure {
  ok: false;
  kind: DomainErrorKind;
  /** Stable, upper-case code, e.g. `TASK_NOT_FOUND`. */
  code: string;
  detail: string;
  /** The input fields the failure is about, when it is about fields. */
  fields?: string[];
}

/** The outcome of a domain operation: its value, or why it could not be done. */
export type DomainResult<T = undefined> = { ok: true; value: T } | DomainFailure;

/** A {@link DomainFailure} value. */
export function failure(kind: DomainErrorKind, code: string, detail: string, fields?: string[]): DomainFailure {
  return fields ? { ok: false, kind, code, detail, fields } : { ok: false, kind, code, detail };
}

/** A {@link DomainFailure} thrown, for code paths that cannot return one. */
export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    readonly detail: string,
    readonly fieldErrors?: FieldError[],
  ) {
    super(detail);
    this.name = 'DomainError';
  }
}
