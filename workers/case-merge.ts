/**
 * Job worker for `case.merge` (并单): the mediation-centre clerk found the report repeats an open
 * case. The duplicate is closed as `merged` into the target (`merged_into`); both timelines record
 * it and the target keeps the reporter's text in the event, so nothing the reporter said is lost.
 *
 * Input: `caseId`, `mergeInto` (the target's case number or id), `completedBy`.
 * Output: `merged` (false with `mergeError` when the target does not exist, is the case itself, or is
 * already closed — the model sends the clerk back to the dispatch task).
 * Idempotent: a case already merged into the target completes with `merged: true` again.
 */
import { updateCase } from '../domain/cases/case-store';
import { requireJobCase } from './support/case-job';
import { appendCaseEvent } from '../domain/cases/timeline';
import { optionalString, withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'case.merge';

const OPEN_STATUSES = ['received', 'dispatching', 'handling', 'suspended', 'replied'];

export function createCaseMergeHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const c = await requireJobCase(deps, job);
    const caseId = c.id;
    const ref = optionalString(job.variables.mergeInto);
    const by = optionalString(job.variables.completedBy) ?? 'mediation-center';
    if (c.status === 'merged' && c.merged_into)
      return job.complete({ merged: true, mergedInto: c.merged_into, mergeError: null });
    const target = ref ? await deps.db('case').where({ case_no: ref }).orWhere({ id: ref }).first() : undefined;
    const problem = !ref
      ? 'no target case number given'
      : !target
        ? `case ${ref} does not exist`
        : target.id === caseId
          ? 'a case cannot be merged into itself'
          : !OPEN_STATUSES.includes(target.status)
            ? `case ${ref} is ${target.status}`
            : null;
    if (problem) return job.complete({ merged: false, mergeError: problem });
    const now = deps.now();
    await deps.db.transaction(async (trx) => {
      await updateCase(trx, caseId, { status: 'merged', merged_into: target.id, closed_at: now }, now);
      await appendCaseEvent(trx, caseId, {
        type: 'merged',
        actor: by,
        department: 'mediation-center',
        at: now,
        data: { into: target.id, intoCaseNo: target.case_no },
      });
      await appendCaseEvent(trx, target.id, {
        type: 'merged.duplicate',
        actor: by,
        department: 'mediation-center',
        at: now,
        data: { from: caseId, fromCaseNo: c.case_no, description: c.description },
      });
    });
    return job.complete({ merged: true, mergedInto: target.id, mergeError: null });
  });
}
