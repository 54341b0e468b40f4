/**
 * Job worker for `case.reopen` (重办): the reporter was not satisfied. Re-opens the case to its lead
 * department unless it was already re-opened `maxReopens` times (variable, default
 * {@link DEFAULT_MAX_REOPENS}); then the case stays closed as unsatisfied and the timeline says why.
 *
 * Input: `caseId`, `maxReopens`. Output: `reopened`, `reopenCount`, `handlingOutcome: null`.
 * Idempotent per job.
 */
import { updateCase } from '../domain/cases/case-store';
import { requireJobCase } from './support/case-job';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'case.reopen';
export const DEFAULT_MAX_REOPENS = 2;

export function createCaseReopenHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const c = await requireJobCase(deps, job);
    const caseId = c.id;
    const max = job.variables.maxReopens == null ? DEFAULT_MAX_REOPENS : Number(job.variables.maxReopens);
    const now = deps.now();
    const done = await deps
      .db('case_event')
      .where({ case_id: caseId })
      .whereIn('type', ['reopened', 'reopen.refused'])
      .whereRaw(`data->>'key' = ?`, [`reopen:${job.key}`])
      .first('type', 'data');
    if (done)
      return job.complete({ reopened: done.type === 'reopened', reopenCount: c.reopen_count, handlingOutcome: null });
    if (c.reopen_count >= max) {
      await appendCaseEventOnce(deps.db, caseId, `reopen:${job.key}`, {
        type: 'reopen.refused',
        department: c.lead_department,
        at: now,
        data: { reopenCount: c.reopen_count, maxReopens: max },
      });
      return job.complete({ reopened: false, reopenCount: c.reopen_count, handlingOutcome: null });
    }
    const reopenCount = c.reopen_count + 1;
    await updateCase(
      deps.db,
      caseId,
      { status: 'handling', reopen_count: reopenCount, closed_at: null, rating_satisfied: null },
      now,
    );
    await appendCaseEventOnce(deps.db, caseId, `reopen:${job.key}`, {
      type: 'reopened',
      department: c.lead_department,
      at: now,
      data: { reopenCount, maxReopens: max, to: c.lead_department },
    });
    return job.complete({ reopened: true, reopenCount, handlingOutcome: null });
  });
}
