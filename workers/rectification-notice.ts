/**
 * Job worker for `rectification.notice` (整改通知): an inspection found a violation or hazard. Sets the
 * rectification deadline `rectifyDays` working days from now (期间开始的当日不计入, closing time of the
 * last day) and records the order in the timeline.
 *
 * Input: `rectifyDays` (default 10), `caseId`, optional `riskPoint` / `riskKey` (hazmat inspection).
 * Output: `rectifyDeadline` (ISO +08:00, for `=date and time(rectifyDeadline)`).
 * Idempotent: one order per job; a re-delivered job returns the same deadline.
 */
import { defaultCalendar, formatShanghai } from '../domain/sla/working-time';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { optionalJobCaseId } from './support/case-job';
import { ModelInputError, optionalString, withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'rectification.notice';
export const DEFAULT_RECTIFY_DAYS = 10;

export function createRectificationNoticeHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const v = job.variables;
    const days = v.rectifyDays == null ? DEFAULT_RECTIFY_DAYS : Number(v.rectifyDays);
    if (!Number.isInteger(days) || days < 1)
      throw new ModelInputError(
        `Expected rectifyDays to be a whole number ≥ 1, but got ${JSON.stringify(v.rectifyDays)}`,
      );
    const caseId = await optionalJobCaseId(deps, job);
    const key = `rectify:${job.key}`;
    if (caseId) {
      const done = await deps
        .db('case_event')
        .where({ case_id: caseId, type: 'rectification.ordered' })
        .whereRaw(`data->>'key' = ?`, [key])
        .first('data');
      if (done)
        return job.complete({
          rectifyDeadline: (typeof done.data === 'string' ? JSON.parse(done.data) : done.data).deadline,
        });
    }
    const now = deps.now();
    const rectifyDeadline = formatShanghai(defaultCalendar().addWorkingDays(now, days));
    const riskPoint = (v.riskPoint ?? null) as Record<string, unknown> | null;
    if (caseId) {
      await appendCaseEventOnce(deps.db, caseId, key, {
        type: 'rectification.ordered',
        department: optionalString(v.slaDepartment) ?? optionalString(v.leadDepartment),
        at: now,
        data: { days, deadline: rectifyDeadline, riskPoint: riskPoint?.code ?? null, riskKey: v.riskKey ?? null },
      });
    }
    return job.complete({ rectifyDeadline });
  });
}
