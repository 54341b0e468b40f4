/**
 * Job worker for `sla.escalate` (提级办理): the step is still open after the 督办 period. Raises the
 * case's escalation level to 2, notifies the government office's head and duty phone
 * (`supervision.notice`), and sets the coordination task's due date `escalationDueAt`
 * (`slaEscalateHours` working hours, default 8).
 *
 * Output: `escalationDueAt`. Idempotent: escalates and notifies once per clock.
 */
import { requireClock, updateClock } from '../domain/sla/sla-clock-store';
import { cardContext } from '../domain/sla/card-notice';
import { defaultCalendar, formatShanghai } from '../domain/sla/working-time';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { requireString, withOutcome, type ScenarioDeps } from './support/job';
import { notifyStaff } from '../domain/notify/staff-notify';

export const taskType = 'sla.escalate';
export const ESCALATION_DEPARTMENT = 'government-office';

export function createSlaEscalateHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const slaKey = requireString(job.variables.slaKey, 'slaKey');
    const now = deps.now();
    const clock = await requireClock(deps.db, slaKey);
    const hours = job.variables.slaEscalateHours == null ? 8 : Number(job.variables.slaEscalateHours);
    const escalatedAt = clock.escalated_at ? new Date(clock.escalated_at) : now;
    const escalationDueAt = formatShanghai(defaultCalendar().addWorkingHours(escalatedAt, hours));
    if (clock.state === 'stopped') return job.complete({ escalationDueAt });
    if (!clock.escalated_at) {
      await updateClock(deps.db, slaKey, { escalated_at: now }, now);
      if (clock.case_id)
        await deps
          .db('case')
          .where({ id: clock.case_id })
          .where('escalation_level', '<', 2)
          .update({ escalation_level: 2, updated_at: now });
    }
    const ctx = await cardContext(deps.db, clock, job.variables.slaStepName);
    const key = `${slaKey}:escalated`;
    const { notified } = await notifyStaff(deps.db, {
      department: ESCALATION_DEPARTMENT,
      includeHead: true,
      template: 'supervision.notice',
      params: {
        caseNo: ctx.caseNo,
        reason: `${ctx.departmentName}${ctx.stepName}督办后仍超期，提级办理`.slice(0, 35),
        deadline: escalationDueAt.slice(0, 16).replace('T', ' '),
      },
      key,
      caseId: clock.case_id,
      now: deps.now,
    });
    if (clock.case_id) {
      await appendCaseEventOnce(deps.db, clock.case_id, key, {
        type: 'sla.escalated',
        department: ESCALATION_DEPARTMENT,
        at: now,
        data: {
          slaKey,
          step: clock.step,
          from: clock.department,
          to: ESCALATION_DEPARTMENT,
          escalationDueAt,
          notified,
        },
      });
    }
    return job.complete({ escalationDueAt });
  });
}
