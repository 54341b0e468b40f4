/**
 * Job worker for `case.return` (退单): the lead department returned the case with a reason; it goes
 * back to the mediation centre's dispatch task for re-dispatch (改派). Counts returns on the case.
 *
 * Input: `caseId`, `returnReason`, `leadDepartment`. Output: `returnCount`, `autoDispatch: false`.
 * Idempotent per job: the timeline gets one `returned` and the counter moves once.
 */
import { updateCase } from '../domain/cases/case-store';
import { requireJobCase } from './support/case-job';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { ModelInputError, optionalString, withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'case.return';

export function createCaseReturnHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const c = await requireJobCase(deps, job);
    const caseId = c.id;
    const reason = optionalString(job.variables.returnReason);
    if (!reason) throw new ModelInputError('Expected returnReason: a case is returned (退单) only with a reason');
    const department = optionalString(job.variables.leadDepartment);
    const now = deps.now();
    const first = await appendCaseEventOnce(deps.db, caseId, `return:${job.key}`, {
      type: 'returned',
      department,
      at: now,
      data: { reason, from: department },
    });
    const returnCount = first ? c.return_count + 1 : c.return_count;
    if (first) await updateCase(deps.db, caseId, { status: 'dispatching', return_count: returnCount }, now);
    return job.complete({ returnCount, autoDispatch: false });
  });
}
