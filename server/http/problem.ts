import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';

import { DomainError, type DomainErrorKind, type DomainFailure, type FieldError } from '../../domain/errors';
import { EngineDeadlineError } from '../../domain/processes/engine-call';

export type { FieldError };

/**
 * An error that maps to an RFC 9457 problem+json response. Services throw these for expected
 * failures (validation, not found, conflict); anything else is a bug and answers 500.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; type?: string; [k: string]: unknown } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
  static badRequest(detail: string, errors?: FieldError[]) {
    return new HttpProblem(400, 'Bad Request', detail, errors ? { errors } : {});
  }
  static unauthorized(detail = 'Log in first.') {
    return new HttpProblem(401, 'Unauthorized', detail);
  }
  static forbidden(detail: string) {
    return new HttpProblem(403, 'Forbidden', detail);
  }
  static notFound(detail: string) {
    return new HttpProblem(404, 'Not Found', detail);
  }
  static conflict(detail: string) {
    return new HttpProblem(409, 'Conflict', detail);
  }
}

/** How each kind of domain failure answers over HTTP. */
const DOMAIN_STATUS: Record<DomainErrorKind, { status: number; title: string }> = {
  'not-found': { status: 404, title: 'Not Found' },
  conflict: { status: 409, title: 'Conflict' },
  invalid: { status: 422, title: 'Unprocessable Content' },
};

/** A domain failure (value or thrown) as problem+json, with its `code` and the fields it names. */
export function problemFromDomain(f: DomainFailure | DomainError): HttpProblem {
  const { status, title } = DOMAIN_STATUS[f.kind];
  const errors = f instanceof DomainError ? f.fieldErrors : f.fields?.map((field) => ({ field, message: f.detail }));
  return new HttpProblem(status, title, f.detail, { code: f.code, ...(errors ? { errors } : {}) });
}

export const problemNotFound: RequestHandler = (req, _res, next) => {
  next(HttpProblem.notFound(`No route for ${req.method} ${req.path}`));
};

/** Final error handler: problem+json for everything, never a stack trace to the client. */
export function problemHandler(log: { error: (o: object, m: string) => void }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let problem: HttpProblem;
    if (err instanceof HttpProblem) problem = err;
    else if (err instanceof DomainError) problem = problemFromDomain(err);
    else if (err instanceof EngineDeadlineError)
      problem = new HttpProblem(
        503,
        'Service Unavailable',
        `The process engine did not answer within ${err.ms} ms; please try again shortly.`,
        { code: err.code },
      );
    else if (err?.type === 'entity.parse.failed')
      problem = HttpProblem.badRequest(`The request body is not valid JSON: ${err.message}`);
    else if (err?.type === 'entity.too.large')
      problem = new HttpProblem(413, 'Payload Too Large', `The request body exceeds ${err.limit} bytes.`);
    else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500)
      problem = new HttpProblem(
        err.status,
        STATUS_CODES[err.status] ?? 'Bad Request',
        String(err.message || 'Bad request'),
      );
    else {
      log.error({ err, url: req.originalUrl, reqId: (req as any).id }, 'unhandled error');
      problem = new HttpProblem(500, 'Internal Server Error', 'Something went wrong on our side; it has been logged.');
    }
    if (res.headersSent) return;
    res
      .status(problem.status)
      .type('application/problem+json')
      .json({
        type: problem.extra.type ?? 'about:blank',
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        instance: req.originalUrl,
        ...problem.extra,
      });
  };
}
