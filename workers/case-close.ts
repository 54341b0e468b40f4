/**
 * Job worker for `case.close` (办结): closes the case. Task header `event` names what closed it:
 * `closed` (after the reply), `follow-up.expired` (no rating within the window: closed as replied),
 * `fire-lane.cleared` / `fire-lane.handled` (fire-lane cases).
 *
 * Input: `caseId`. Idempotent: a closed case stays closed; one event per (event, round).
 */
import { updateCase } from '../domain/cases/case-store';
import { requireJobCase } from './support/case-job';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { optionalString, withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'case.close';

export function createCaseCloseHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const c = await requireJobCase(deps, job);
    const caseId = c.id;
    const event = optionalString(job.customHeaders.event) ?? 'closed';
    const now = deps.now();
    if (c.status !== 'closed' && c.status !== 'merged')
      await updateCase(deps.db, caseId, { status: 'closed', closed_at: now }, now);
    await appendCaseEventOnce(deps.db, caseId, `${event}:${c.reopen_count}`, {
      type: event === 'closed' ? 'closed' : event,
      department: c.lead_department,
      at: now,
      data: { round: c.reopen_count, onSiteResult: job.variables.onSiteResult ?? undefined },
    });
    return job.complete({
      closedAt: (c.closed_at && c.status === 'closed' ? new Date(c.closed_at) : now).toISOString(),
    });
  });
}
