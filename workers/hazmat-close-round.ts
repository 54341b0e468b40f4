/**
 * Job worker for `hazmat.close-round`: every risk point of the round is done. Counts hazards found,
 * rectified and sent to enforcement from `riskPointResults`, records them and closes the round's case.
 *
 * Output: `roundSummary` `{riskPoints, hazards, rectified, enforced}`. Idempotent per case.
 */
import { updateCase } from '../domain/cases/case-store';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { requireJobCase } from './support/case-job';
import { withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'hazmat.close-round';

export function createHazmatCloseRoundHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const caseId = (await requireJobCase(deps, job)).id;
    const results = (Array.isArray(job.variables.riskPointResults) ? job.variables.riskPointResults : []) as {
      hazardFound?: boolean | null;
      rectified?: boolean | null;
    }[];
    const hazards = results.filter((r) => r.hazardFound === true);
    const roundSummary = {
      riskPoints: results.length,
      hazards: hazards.length,
      rectified: hazards.filter((r) => r.rectified === true).length,
      enforced: hazards.filter((r) => r.rectified !== true).length,
    };
    const now = deps.now();
    await updateCase(
      deps.db,
      caseId,
      {
        status: 'closed',
        closed_at: now,
        reply: `巡查风险点${roundSummary.riskPoints}个，发现隐患${roundSummary.hazards}处，整改到位${roundSummary.rectified}处，移交执法${roundSummary.enforced}处。`,
      },
      now,
    );
    await appendCaseEventOnce(deps.db, caseId, 'round', {
      type: 'closed',
      department: 'emergency',
      at: now,
      data: { roundSummary },
    });
    return job.complete({ roundSummary });
  });
}
