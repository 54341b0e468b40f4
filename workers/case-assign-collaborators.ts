/**
 * Job worker for `case.assign-collaborators`: the lead department chose the collaborating departments
 * (housing quality, hazmat). Validates the codes against the department table, drops the lead itself,
 * stores them on the case and records `collaborators.assigned`.
 *
 * Input: `chosenCollaborators` (form checklist), falling back to the catalog's `collaborators`;
 * `leadDepartment`, `caseId`. Output: `collaborators` (the multi-instance collection).
 * Idempotent: the same choice gives the same list; one event per job.
 */
import { updateCase } from '../domain/cases/case-store';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { optionalJobCaseId } from './support/case-job';
import { ModelInputError, optionalString, stringList, withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'case.assign-collaborators';

export function createAssignCollaboratorsHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const v = job.variables;
    const lead = optionalString(v.leadDepartment);
    const chosen = v.chosenCollaborators == null ? stringList(v.collaborators) : stringList(v.chosenCollaborators);
    const list = chosen.filter((d) => d !== lead);
    const known = list.length
      ? (await deps.db('department').whereIn('code', list).select('code')).map((r: { code: string }) => r.code)
      : [];
    const unknown = list.filter((d) => !known.includes(d));
    if (unknown.length) throw new ModelInputError(`Expected department codes, but got unknown ${unknown.join(', ')}`);
    const caseId = await optionalJobCaseId(deps, job);
    if (caseId) {
      const now = deps.now();
      await updateCase(
        deps.db,
        caseId,
        { collaborators: list, stage_code: optionalString(v.stageCode) ?? undefined },
        now,
      );
      await appendCaseEventOnce(deps.db, caseId, `collab:${job.key}`, {
        type: 'collaborators.assigned',
        department: lead,
        at: now,
        data: { collaborators: list, stageCode: v.stageCode ?? null },
      });
    }
    return job.complete({ collaborators: list });
  });
}
