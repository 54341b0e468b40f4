/**
 * Errors as Camunda's REST API reports them: RFC 9457 problem details
 * (`application/problem+json`: `type`, `title`, `status`, `detail`, `instance`). A rejected engine
 * command keeps Zeebe's wording (`Command 'CREATE' rejected with code 'NOT_FOUND': …`) with the
 * rejection type as the title, as Camunda's gateway maps broker rejections.
 */
import type { Response } from 'express';
import { InvalidArgument, Rejection, type RejectionType } from '../../processing/Rejection';

/** A request the REST layer refuses itself (bad input, unknown key, unsupported feature). */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'RestError';
  }
}

const STATUS: Record<RejectionType, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  INVALID_STATE: 409,
  PROCESSING_ERROR: 500,
};

export interface ProblemDetail {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
}

/** Maps any error thrown while serving a request to a problem detail. */
export function toProblem(err: unknown, instance: string): ProblemDetail {
  const base = { type: 'about:blank', instance };
  if (err instanceof RestError) return { ...base, title: err.title, status: err.status, detail: err.message };
  if (err instanceof Rejection) return { ...base, title: err.type, status: STATUS[err.type], detail: err.message };
  if (err instanceof InvalidArgument) return { ...base, title: 'INVALID_ARGUMENT', status: 400, detail: err.message };
  const grpcCode = (err as { grpcCode?: number }).grpcCode;
  if (grpcCode === 4) return { ...base, title: 'DEADLINE_EXCEEDED', status: 504, detail: (err as Error).message };
  if (grpcCode === 14) return { ...base, title: 'UNAVAILABLE', status: 503, detail: (err as Error).message };
  return {
    ...base,
    title: 'INTERNAL',
    status: 500,
    detail: `Unexpected error in the engine: ${(err as Error)?.message ?? String(err)}`,
  };
}

export function sendProblem(res: Response, problem: ProblemDetail): void {
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}
