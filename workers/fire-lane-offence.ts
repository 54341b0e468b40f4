/**
 * Job worker for `fire-lane.offence` (重复占道计数): after the notice, counts the plate's fire-lane
 * offences within the window (default 90 days) and records the outcome: from the penalty threshold
 * (default 3) on the owner gets a penalty notice (the model sends it), at the credit threshold
 * (default 6) the plate is put on the credit list (`credit_flag`).
 *
 * Input: `caseId`. Output: `offenceNo`, `penaltyNotice`, `creditFlagged`, `repeatDays`, and
 * `penaltyTemplate` (`fire-lane.penalty`, or `fire-lane.credit` once flagged).
 * Idempotent: the count is stored on the first run; flags and timeline events are written once.
 */
import { loadFireLaneConfig, type FireLaneConfig } from '../domain/fire-lane/config';
import { assessOffence } from '../domain/fire-lane/offences';
import { normalizePlate } from '../domain/fire-lane/plates';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { requireJobCase } from './support/case-job';
import { optionalString, parseInstant, withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'fire-lane.offence';

export function createFireLaneOffenceHandler(deps: ScenarioDeps & { fireLane?: FireLaneConfig }) {
  const config = deps.fireLane ?? loadFireLaneConfig();
  return withOutcome(async (job) => {
    const caseId = (await requireJobCase(deps, job)).id;
    const now = deps.now();
    const plate = optionalString(job.variables.plate);
    const detectedAt = job.variables.detectedAt ? parseInstant(job.variables.detectedAt, 'detectedAt') : now;
    const fallback = plate
      ? { plate: normalizePlate(plate), laneId: optionalString(job.variables.laneId) ?? '', detectedAt }
      : undefined;
    const a = await assessOffence(deps.db, caseId, config, now, fallback);
    const data = { plate: a.plate, offenceNo: a.offenceNo, windowDays: config.repeatWindowDays };
    await appendCaseEventOnce(deps.db, caseId, 'offence', { type: 'fire-lane.offence', at: now, data });
    if (a.penaltyNotice)
      await appendCaseEventOnce(deps.db, caseId, 'penalty', {
        type: 'fire-lane.penalty-notice',
        department: 'traffic-police',
        at: now,
        data,
      });
    if (a.creditFlagged)
      await appendCaseEventOnce(deps.db, caseId, 'credit', {
        type: 'fire-lane.credit-flagged',
        at: now,
        data: { ...data, newFlag: a.newCreditFlag },
      });
    return job.complete({
      offenceNo: a.offenceNo,
      penaltyNotice: a.penaltyNotice,
      creditFlagged: a.creditFlagged,
      repeatDays: config.repeatWindowDays,
      penaltyTemplate: a.creditFlagged ? 'fire-lane.credit' : 'fire-lane.penalty',
    });
  });
}
