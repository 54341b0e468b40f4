/**
 * Job worker for `sla.stop`: the guarded task was completed, so its clock stops. Runs on the step's
 * normal path just before the terminate end event that cancels the clock process; it marks the
 * clock's own open tasks (督办, 提级) cancelled — their elements are terminated with the clock — and
 * records whether the step met its SLA.
 *
 * Output: `slaMet` (completed by the due date). Idempotent: a stopped clock stays as it was.
 */
import { requireClock, refreshCaseSla, updateClock } from '../domain/sla/sla-clock-store';
import { formatShanghai } from '../domain/sla/working-time';
import { appendCaseEvent } from '../domain/cases/timeline';
import { requireString, withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'sla.stop';

export function createSlaStopHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const slaKey = requireString(job.variables.slaKey, 'slaKey');
    const now = deps.now();
    const met = await deps.db.transaction(async (trx) => {
      const clock = await requireClock(trx, slaKey);
      if (clock.state === 'stopped') return clock.stopped_at! <= clock.due_at;
      const stoppedMet = now <= clock.due_at;
      await updateClock(trx, slaKey, { state: 'stopped', stopped_at: now }, now);
      const cancelled = await trx('task')
        .where({ sla_key: slaKey, state: 'created', bpmn_process_id: 'sla-clock' })
        .update({ state: 'cancelled', cancelled_at: now, cancel_reason: 'step completed' })
        .returning('id');
      if (clock.case_id) {
        await appendCaseEvent(trx, clock.case_id, {
          type: 'sla.stopped',
          department: clock.department,
          at: now,
          data: {
            slaKey,
            step: clock.step,
            met: stoppedMet,
            dueAt: formatShanghai(clock.due_at),
            light: clock.light,
            cancelledTasks: cancelled.map((r: { id: string } | string) => (typeof r === 'string' ? r : r.id)),
          },
        });
        await refreshCaseSla(trx, clock.case_id, now);
      }
      return stoppedMet;
    });
    return job.complete({ slaMet: met });
  });
}
