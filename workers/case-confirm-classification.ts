/**
 * Job worker for `case.confirm-classification`: the mediation-centre clerk confirmed or corrected
 * the classification in the `dispatchConfirm` task. Stores the choice as classifier feedback (the
 * correction feeds back: `ClassificationService.confirm` teaches the index at once) and completes
 * with the chosen `classification` for `case.route`.
 *
 * Input: `correctedSituationId` (typed code) or `confirmedSituationId` (picked candidate), `description`,
 * `classification` (the classifier's top, if any), `completedBy` (the clerk), `caseId`.
 * Idempotent: a re-delivered job finds the feedback row of this case and situation and does not add another.
 */
import type { ClassificationService } from '../domain/classify/classification-service';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { requireJobCase } from './support/case-job';
import { ModelInputError, optionalString, withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'case.confirm-classification';

export interface ConfirmDeps extends ScenarioDeps {
  classification: Pick<ClassificationService, 'confirm' | 'confirmedForCase'>;
}

export function createCaseConfirmHandler(deps: ConfirmDeps) {
  return withOutcome(async (job) => {
    const v = job.variables;
    const caseId = (await requireJobCase(deps, job)).id;
    const situationId = optionalString(v.correctedSituationId) ?? optionalString(v.confirmedSituationId);
    if (!situationId)
      throw new ModelInputError(
        'Expected the dispatch form to choose a situation (confirmedSituationId or correctedSituationId), but it chose none',
      );
    const exists = await deps.db('catalog_situation').where({ code: situationId, active: true }).first('code');
    if (!exists) throw new ModelInputError(`Expected an active catalog situation ${situationId}, but there is none`);
    const top = (v.classification ?? null) as Record<string, unknown> | null;
    const by = optionalString(v.completedBy) ?? 'mediation-center';
    const previous = await deps.classification.confirmedForCase(caseId);
    // A re-dispatch that picks the same situation again teaches nothing new (and must not count twice).
    const result =
      previous && previous.chosenSituation === situationId
        ? await routeOf(deps, situationId)
        : await deps.classification.confirm({
            text: String(v.description ?? ''),
            situationId,
            by,
            caseId,
            originalTopSituation: optionalString(top?.situationId),
            originalConfidence: typeof top?.confidence === 'number' ? top.confidence : null,
          });
    const corrected = optionalString(top?.situationId) !== situationId;
    await appendCaseEventOnce(deps.db, caseId, `confirm:${job.key}`, {
      type: 'classification.confirmed',
      actor: by,
      department: 'mediation-center',
      at: deps.now(),
      data: { situationId, corrected, previousTop: top?.situationId ?? null },
    });
    return job.complete({ classification: result, confirmedSituationId: situationId });
  });
}

async function routeOf(deps: ConfirmDeps, situationId: string) {
  const s = await deps.db('catalog_situation').where({ code: situationId }).first();
  const m = await deps.db('catalog_matter').where({ code: s.matter_code }).first('category_code');
  return {
    situationId,
    matterId: String(s.matter_code),
    categoryId: String(m?.category_code ?? ''),
    scenario: s.scenario ?? null,
    leadDepartment: String(s.lead_department),
    collaborators: typeof s.collaborators === 'string' ? JSON.parse(s.collaborators) : s.collaborators,
    confidence: 1,
  };
}
