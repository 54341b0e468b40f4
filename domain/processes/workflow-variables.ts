/**
 * Variables the workflow owns: set by the process start, the workers and the models, never by a
 * person (issue 18, H1). A task completion can only set its form's fields (the models map exactly
 * those out; domain/tasks/form-validation.ts refuses the rest); the few other routes that send
 * variables to the engine refuse these names — an admin resolving an incident fixes a form answer
 * or a count, not which case, department or deadline an instance works for.
 */
export const WORKFLOW_OWNED_VARIABLES: ReadonlySet<string> = new Set([
  // the case an instance works for
  'caseId',
  'caseNo',
  'description',
  // routing (case.route, case.confirm-classification, case.assign-collaborators)
  'classification',
  'candidates',
  'autoDispatch',
  'situationId',
  'scenario',
  'handlingProcess',
  'leadDepartment',
  'collaborators',
  'onSiteDepartment',
  // time limits (sla.compute and the clocks)
  'slaKey',
  'slaHours',
  'slaStep',
  'slaDepartment',
  'slaDueAt',
  'slaWarnAt',
  'slaWarnRatio',
  'slaWorkingHours',
  'slaEscalateHours',
  'responseHours',
  'escalateAt',
  'escalationDueAt',
  // rounds and who did what
  'reopenCount',
  'returnCount',
  'maxReopens',
  'ratingWindow',
  'completedBy',
  // fire lane and hazmat rounds (a misread `plate` is an operator's fix, so it is not listed)
  'vehicleOwner',
  'riskPoints',
  'riskPoint',
  'riskKey',
]);

/** The names among `variables` the workflow owns. */
export function workflowOwnedIn(variables: Record<string, unknown>): string[] {
  return Object.keys(variables).filter((k) => WORKFLOW_OWNED_VARIABLES.has(k));
}
