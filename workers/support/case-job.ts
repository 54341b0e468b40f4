/**
 * The one check every worker that writes a case makes first: the case the job names (`caseId`)
 * must be a case the job's process instance works for (domain/cases/case-instances.ts). A job
 * whose instance belongs to another case fails at once, with no retries, naming both — an incident
 * for an operator, and nothing written to the case the variable named (issue 18, H1).
 */
import type { CaseRow } from '../../domain/cases/case-store';
import { requireCase } from '../../domain/cases/case-store';
import { checkCaseInstance } from '../../domain/cases/case-instances';
import { ModelInputError, optionalString, requireString, type ScenarioDeps, type WorkerJob } from './job';

/** The job's process instance does not work for the case its `caseId` names. */
export class CaseInstanceMismatchError extends ModelInputError {
  constructor(message: string) {
    super(message);
    this.name = 'CaseInstanceMismatchError';
  }
}

/** Throws {@link CaseInstanceMismatchError} unless the job's instance works for `caseId`. */
export async function assertJobCase(deps: ScenarioDeps, job: WorkerJob, caseId: string): Promise<void> {
  const r = await checkCaseInstance(deps.db, caseId, job, deps.now());
  if (!r.ok) throw new CaseInstanceMismatchError(r.reason);
}

/** The case of a job that must name one (`caseId`), checked against the job's process instance. */
export async function requireJobCase(deps: ScenarioDeps, job: WorkerJob): Promise<CaseRow> {
  const caseId = requireString(job.variables.caseId, 'caseId');
  await assertJobCase(deps, job, caseId);
  return requireCase(deps.db, caseId);
}

/** The checked case id of a job that may name one; null when it names none. */
export async function optionalJobCaseId(deps: ScenarioDeps, job: WorkerJob, value?: unknown): Promise<string | null> {
  const caseId = optionalString(value === undefined ? job.variables.caseId : value);
  if (caseId) await assertJobCase(deps, job, caseId);
  return caseId;
}
