/**
 * Job worker for `sla.yellow-card` (黄牌预警): the step is due soon. Turns the clock, its task and
 * the case yellow, notifies the assignee (or the department's duty phone) and the department head
 * by SMS through the outbox, and records the card in the timeline.
 *
 * Input: `slaKey`, `slaStepName`. Output: `slaLight: "yellow"`. Idempotent per due date: a re-delivered
 * job sends nothing new; after an extension a new due date earns a new card.
 * A stopped clock (the task was completed meanwhile) completes without a card.
 */
import { cardContext } from '../domain/sla/card-notice';
import { mirrorClock, requireClock, updateClock } from '../domain/sla/sla-clock-store';
import { formatShanghai } from '../domain/sla/working-time';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { requireString, withOutcome, type ScenarioDeps } from './support/job';
import { notifyStaff } from '../domain/notify/staff-notify';

export const taskType = 'sla.yellow-card';

export function createSlaYellowCardHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const slaKey = requireString(job.variables.slaKey, 'slaKey');
    const now = deps.now();
    const clock = await requireClock(deps.db, slaKey);
    if (clock.state === 'stopped') return job.complete({ slaLight: clock.light });
    const key = `${slaKey}:yellow:${formatShanghai(clock.due_at)}`;
    if (clock.light === 'green') {
      await updateClock(deps.db, slaKey, { light: 'yellow', yellow_at: now }, now);
      await mirrorClock(deps.db, { ...clock, light: 'yellow' }, now);
    }
    const ctx = await cardContext(deps.db, clock, job.variables.slaStepName);
    const { notified } = clock.department
      ? await notifyStaff(deps.db, {
          department: clock.department,
          assignee: ctx.assignee,
          includeHead: true,
          template: 'staff.yellow-card',
          params: { department: ctx.departmentName, caseNo: ctx.caseNo, step: ctx.stepName, dueAt: ctx.dueAt },
          key,
          caseId: clock.case_id,
          now: deps.now,
        })
      : { notified: [] };
    if (clock.case_id) {
      await appendCaseEventOnce(deps.db, clock.case_id, key, {
        type: 'sla.yellow-card',
        department: clock.department,
        at: now,
        data: { slaKey, step: clock.step, dueAt: formatShanghai(clock.due_at), assignee: ctx.assignee, notified },
      });
    }
    return job.complete({ slaLight: 'yellow' });
  });
}
