/**
 * Job worker for `sla.red-card` (红牌): the step is overdue. Turns the clock, task and case red, raises
 * the case's escalation level to 1 (督办), notifies the assignee/duty phone and the department head,
 * and sets when the step is escalated (提级) if it is still open: `escalateAt`, `slaEscalateHours`
 * working hours from now (default 8, one working day). The clock then opens the 督办 task for the
 * mediation centre's supervisors and waits for `escalateAt`.
 *
 * Output: `slaLight: "red"`, `escalateAt`. Idempotent: the card is written and sent once per due date;
 * a re-delivered job returns the same `escalateAt`.
 */
import { cardContext } from '../domain/sla/card-notice';
import { mirrorClock, requireClock, updateClock } from '../domain/sla/sla-clock-store';
import { defaultCalendar, formatShanghai } from '../domain/sla/working-time';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { requireString, withOutcome, type ScenarioDeps } from './support/job';
import { notifyStaff } from '../domain/notify/staff-notify';

export const taskType = 'sla.red-card';

export function createSlaRedCardHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const slaKey = requireString(job.variables.slaKey, 'slaKey');
    const now = deps.now();
    const clock = await requireClock(deps.db, slaKey);
    const escalateHours = job.variables.slaEscalateHours == null ? 8 : Number(job.variables.slaEscalateHours);
    const redAt = clock.red_at ? new Date(clock.red_at) : now;
    const escalateAt = formatShanghai(defaultCalendar().addWorkingHours(redAt, escalateHours));
    if (clock.state === 'stopped') return job.complete({ slaLight: clock.light, escalateAt });
    if (!clock.red_at) {
      await updateClock(deps.db, slaKey, { light: 'red', red_at: now }, now);
      await mirrorClock(deps.db, { ...clock, light: 'red' }, now);
      if (clock.case_id)
        await deps
          .db('case')
          .where({ id: clock.case_id })
          .where('escalation_level', '<', 1)
          .update({ escalation_level: 1 });
    }
    const key = `${slaKey}:red:${formatShanghai(clock.due_at)}`;
    const ctx = await cardContext(deps.db, clock, job.variables.slaStepName);
    const { notified } = clock.department
      ? await notifyStaff(deps.db, {
          department: clock.department,
          assignee: ctx.assignee,
          includeHead: true,
          template: 'staff.red-card',
          params: { department: ctx.departmentName, caseNo: ctx.caseNo, step: ctx.stepName, dueAt: ctx.dueAt },
          key,
          caseId: clock.case_id,
          now: deps.now,
        })
      : { notified: [] };
    if (clock.case_id) {
      await appendCaseEventOnce(deps.db, clock.case_id, key, {
        type: 'sla.red-card',
        department: clock.department,
        at: now,
        data: {
          slaKey,
          step: clock.step,
          dueAt: formatShanghai(clock.due_at),
          escalateAt,
          supervisor: 'mediation-center',
          notified,
        },
      });
    }
    return job.complete({ slaLight: 'red', escalateAt });
  });
}
