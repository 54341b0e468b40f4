/**
 * Job worker for `case.route` (派单): routes the case from the catalog. The situation comes from the
 * clerk's confirmation (`classification` after `case.confirm-classification`) or the classifier's
 * confident top candidate; the catalog row gives the lead department, the default collaborators,
 * the scenario and the SLA in working hours.
 *
 * Output: `leadDepartment`, `collaborators`, `scenario`, `handlingProcess` (the process the
 * `handle` call activity starts: the scenario's model, or `case-handling` when the scenario has none
 * that a citizen's report can run — fire lanes start from cameras), `slaWorkingHours`,
 * `responseHours`, `situationId`, `handlingOutcome: null` (reset for the new round).
 * Idempotent: the same classification routes the same way; the timeline gets one `dispatched` per
 * routing job.
 */
import { updateCase } from '../domain/cases/case-store';
import { requireJobCase } from './support/case-job';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { ModelInputError, optionalString, stringList, withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'case.route';

/** Scenario → the process a report is handled by. */
export const HANDLING_PROCESS: Record<string, string> = {
  'housing-quality': 'housing-quality',
  'hazmat-transport': 'hazmat-transport',
  'pollution-source': 'pollution-source',
  'new-product-rd': 'new-product-rd',
};
export const GENERIC_HANDLING_PROCESS = 'case-handling';

export function createCaseRouteHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const v = job.variables;
    const caseId = (await requireJobCase(deps, job)).id;
    const cls = (v.classification ?? null) as Record<string, unknown> | null;
    const situationId = optionalString(cls?.situationId);
    if (!situationId)
      throw new ModelInputError('Expected variable classification.situationId to route the case, but got none');
    const s = await deps.db('catalog_situation').where({ code: situationId }).first();
    if (!s) throw new ModelInputError(`Expected catalog situation ${situationId}, but there is none`);
    const matter = await deps.db('catalog_matter').where({ code: s.matter_code }).first('category_code');
    const collaborators = stringList(
      typeof s.collaborators === 'string' ? JSON.parse(s.collaborators) : s.collaborators,
    ).filter((d) => d !== s.lead_department);
    const scenario = (s.scenario ?? null) as string | null;
    const handlingProcess = (scenario && HANDLING_PROCESS[scenario]) ?? GENERIC_HANDLING_PROCESS;
    const now = deps.now();
    await updateCase(
      deps.db,
      caseId,
      {
        status: 'handling',
        situation_code: situationId,
        matter_code: s.matter_code,
        category_code: matter?.category_code ?? null,
        scenario,
        lead_department: s.lead_department,
        collaborators,
        confidence: cls?.confidence ?? null,
      },
      now,
    );
    await appendCaseEventOnce(deps.db, caseId, `route:${job.key}`, {
      type: 'dispatched',
      department: s.lead_department,
      at: now,
      data: {
        situationId,
        leadDepartment: s.lead_department,
        collaborators,
        scenario,
        handlingProcess,
        confidence: cls?.confidence ?? null,
        auto: v.autoDispatch === true && !v.confirmedSituationId,
      },
    });
    return job.complete({
      situationId,
      leadDepartment: s.lead_department,
      collaborators,
      scenario,
      handlingProcess,
      slaWorkingHours: Number(s.sla_working_hours),
      responseHours: Number(s.response_hours),
      handlingOutcome: null,
    });
  });
}
