/**
 * Job worker for `sla.compute`: starts the SLA clock of one user-task step. Computes the due and
 * warning (yellow-card) times in working time on the Chinese calendar (domain/sla/working-time.ts)
 * and records the clock.
 *
 * Input (the step's scope, see processes/README.md): `slaHours` (working hours; the catalog's SLA or
 * the model's), `slaStep`, `slaDepartment`, optional `slaWarnRatio` (default 0.8), `caseId`.
 * Output: `slaKey` (`sla:<processInstanceKey>:<elementInstanceKey>`, unique per step instance),
 * `slaDueAt`, `slaWarnAt` (ISO with +08:00, for `=date and time(slaDueAt)` timers and the task's due date).
 * Idempotent: a re-delivered job finds its clock and completes with the same times.
 */
import { computeSlaDueAt } from '../domain/sla/working-time';
import { findClock, refreshCaseSla } from '../domain/sla/sla-clock-store';
import { appendCaseEvent } from '../domain/cases/timeline';
import { optionalJobCaseId } from './support/case-job';
import { ModelInputError, optionalString, requireString, withOutcome, type ScenarioDeps } from './support/job';
import { formatShanghai } from '../domain/sla/working-time';

export const taskType = 'sla.compute';

export function createSlaComputeHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const v = job.variables;
    const slaKey = `sla:${job.processInstanceKey}:${job.elementInstanceKey}`;
    const existing = await findClock(deps.db, slaKey);
    if (existing)
      return job.complete({
        slaKey,
        slaDueAt: formatShanghai(existing.due_at),
        slaWarnAt: formatShanghai(existing.warn_at),
      });

    const hours = Number(v.slaHours);
    if (!Number.isFinite(hours) || hours <= 0)
      throw new ModelInputError(
        `Expected slaHours to be a positive number of working hours, but got ${JSON.stringify(v.slaHours)}`,
      );
    const step = requireString(v.slaStep, 'slaStep');
    const department = optionalString(v.slaDepartment);
    const caseId = await optionalJobCaseId(deps, job);
    const warnRatio = v.slaWarnRatio == null ? 0.8 : Number(v.slaWarnRatio);
    const now = deps.now();
    const times = computeSlaDueAt({ start: now, workingHours: hours, warnRatio });
    await deps.db.transaction(async (trx) => {
      const inserted = await trx('sla_clock')
        .insert({
          sla_key: slaKey,
          case_id: caseId,
          process_instance_key: job.processInstanceKey,
          bpmn_process_id: job.bpmnProcessId,
          step,
          department,
          working_hours: hours,
          started_at: now,
          warn_at: new Date(times.warnAt),
          due_at: new Date(times.dueAt),
          state: 'running',
          light: 'green',
          created_at: now,
          updated_at: now,
        })
        .onConflict('sla_key')
        .ignore()
        .returning('sla_key');
      if (inserted.length === 0 || !caseId) return;
      await appendCaseEvent(trx, caseId, {
        type: 'sla.started',
        department,
        at: now,
        data: {
          slaKey,
          step,
          stepName: v.slaStepName ?? step,
          workingHours: hours,
          warnAt: times.warnAt,
          dueAt: times.dueAt,
          provisionalCalendar: times.provisional,
          ...(times.fallback ? { fallbackCalendar: true } : {}),
        },
      });
      await refreshCaseSla(trx, caseId, now);
    });
    const clock = (await findClock(deps.db, slaKey))!;
    return job.complete({ slaKey, slaDueAt: formatShanghai(clock.due_at), slaWarnAt: formatShanghai(clock.warn_at) });
  });
}
