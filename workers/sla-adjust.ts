/**
 * Job worker for `sla.adjust` (task header `mode`): moves a running SLA clock without touching the
 * guarded task (its job, claim and form stay; only the due date the clerk sees moves).
 *
 * - `suspend` (中止, waiting for the reporter): stores the remaining working hours and stops counting;
 *   the case shows `suspended`.
 * - `resume`: the new due date is the remaining budget counted from now, so time spent suspended is
 *   not charged to the department; the warning keeps its distance to the due date.
 * - `extend` (延期, a supervisor approved `extensionHours` of extension `extensionId`): the due and
 *   warning times move by that many working hours; the light turns back to green if the new warning
 *   time is still ahead.
 *
 * Output: `slaDueAt`, `slaWarnAt`, `slaLight` — the clock's timers re-arm from these.
 * Idempotent: suspending a suspended clock, resuming a running one, or applying the same extension
 * twice changes nothing.
 */
import type { Knex } from 'knex';
import { defaultCalendar, formatShanghai } from '../domain/sla/working-time';
import { mirrorClock, requireClock, updateClock, type SlaClockRow } from '../domain/sla/sla-clock-store';
import { appendCaseEvent } from '../domain/cases/timeline';
import { ModelInputError, requireString, withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'sla.adjust';

const output = (c: SlaClockRow) => ({
  slaDueAt: formatShanghai(c.due_at),
  slaWarnAt: formatShanghai(c.warn_at),
  slaLight: c.light,
});

async function suspend(db: Knex, c: SlaClockRow, now: Date, reason: unknown): Promise<void> {
  if (c.state !== 'running') return;
  const remaining = Math.max(0, defaultCalendar().workingHoursBetween(now, c.due_at));
  await updateClock(db, c.sla_key, { state: 'suspended', suspended_at: now, remaining_hours: remaining }, now);
  if (!c.case_id) return;
  await db('case')
    .where({ id: c.case_id })
    .whereNotIn('status', ['closed', 'merged', 'cancelled'])
    .update({ status: 'suspended', suspended_at: now, updated_at: now });
  await appendCaseEvent(db, c.case_id, {
    type: 'sla.suspended',
    department: c.department,
    at: now,
    data: { slaKey: c.sla_key, step: c.step, remainingHours: remaining, reason: reason ?? null },
  });
}

async function resume(db: Knex, c: SlaClockRow, now: Date): Promise<SlaClockRow> {
  if (c.state !== 'suspended') return c;
  const cal = defaultCalendar();
  const remaining = c.remaining_hours ?? 0;
  const warnGap = Math.max(0, cal.workingHoursBetween(c.warn_at, c.due_at));
  const due = cal.addWorkingHours(now, remaining);
  const warn = cal.addWorkingHours(now, Math.max(0, remaining - warnGap));
  const pausedHours = cal.workingHoursBetween(c.suspended_at ?? now, now);
  const light: SlaClockRow['light'] = c.light === 'red' ? 'red' : now >= warn ? 'yellow' : 'green';
  const patch = {
    state: 'running' as const,
    due_at: due,
    warn_at: warn,
    light,
    suspended_at: null,
    remaining_hours: null,
    suspended_hours: c.suspended_hours + pausedHours,
  };
  await updateClock(db, c.sla_key, patch, now);
  const next = { ...c, ...patch };
  if (c.case_id) {
    const stillSuspended = await db('sla_clock').where({ case_id: c.case_id, state: 'suspended' }).first('sla_key');
    if (!stillSuspended)
      await db('case')
        .where({ id: c.case_id, status: 'suspended' })
        .update({ status: 'handling', suspended_at: null, updated_at: now });
    await appendCaseEvent(db, c.case_id, {
      type: 'sla.resumed',
      department: c.department,
      at: now,
      data: { slaKey: c.sla_key, step: c.step, pausedWorkingHours: pausedHours, dueAt: formatShanghai(due) },
    });
  }
  await mirrorClock(db, next, now);
  return next;
}

async function extend(
  db: Knex,
  c: SlaClockRow,
  now: Date,
  hours: number,
  extensionId: string | null,
): Promise<SlaClockRow> {
  if (extensionId) {
    // Applied at most once: the extension row is claimed in the same transaction as the move.
    const claimed = await db('sla_extension')
      .where({ id: extensionId, sla_key: c.sla_key })
      .whereNull('applied_at')
      .update({ applied_at: now });
    if (claimed === 0) return c;
  }
  const cal = defaultCalendar();
  const due = cal.addWorkingHours(c.due_at, hours);
  const warn = cal.addWorkingHours(c.warn_at, hours);
  const light = now >= warn ? 'yellow' : 'green';
  const patch = {
    due_at: due,
    warn_at: warn,
    light: light as SlaClockRow['light'],
    working_hours: c.working_hours + hours,
    extended_hours: c.extended_hours + hours,
  };
  await updateClock(db, c.sla_key, patch, now);
  const next = { ...c, ...patch };
  if (c.case_id) {
    await appendCaseEvent(db, c.case_id, {
      type: 'sla.extended',
      department: c.department,
      at: now,
      data: {
        slaKey: c.sla_key,
        step: c.step,
        hours,
        extensionId,
        previousDueAt: formatShanghai(c.due_at),
        dueAt: formatShanghai(due),
      },
    });
  }
  await mirrorClock(db, next, now);
  return next;
}

export function createSlaAdjustHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const mode = requireString(job.customHeaders.mode, 'task header mode');
    const slaKey = requireString(job.variables.slaKey, 'slaKey');
    const now = deps.now();
    const clock = await deps.db.transaction(async (trx) => {
      const c = await requireClock(trx, slaKey);
      if (mode === 'suspend') {
        await suspend(trx, c, now, job.variables.suspendReason);
        return requireClock(trx, slaKey);
      }
      if (mode === 'resume') return resume(trx, c, now);
      if (mode === 'extend') {
        const hours = Number(job.variables.extensionHours);
        if (!Number.isFinite(hours) || hours <= 0)
          throw new ModelInputError(
            `Expected extensionHours > 0, but got ${JSON.stringify(job.variables.extensionHours)}`,
          );
        const id = job.variables.extensionId == null ? null : String(job.variables.extensionId);
        return extend(trx, c, now, hours, id);
      }
      throw new ModelInputError(`Expected task header mode to be suspend, resume or extend, but got "${mode}"`);
    });
    return job.complete(output(clock));
  });
}
