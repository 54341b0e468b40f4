import { deleteIncident } from '../bpmn/behaviors/incidents';
import { makeActivatable } from '../bpmn/behaviors/jobs';
import { completeElement, runActivation, runSteps } from '../bpmn/execution';
import type { EngineCore } from '../processing/EngineCore';
import { Rejection } from '../processing/Rejection';
import type { Key } from '../state/types';

/**
 * Resolves an incident. A job incident needs retries first, then the job is activatable again;
 * any other incident retries the step that failed (activation or completion), which may raise a
 * new incident.
 */
export function resolveIncident(core: EngineCore, incidentKey: Key): void {
  const incident = core.store.incidents.get(incidentKey);
  if (!incident)
    throw new Rejection(
      'NOT_FOUND',
      'RESOLVE',
      `Expected to resolve incident with key '${incidentKey}', but no such incident was found`,
    );
  if (incident.jobKey !== '-1') {
    const job = core.store.jobs.get(incident.jobKey);
    if (job && job.state === 'FAILED' && job.retries <= 0) {
      throw new Rejection(
        'INVALID_STATE',
        'RESOLVE',
        `Expected to resolve incident with key '${incidentKey}', but job with key '${job.key}' has no retries left. Please update the job retries and retry resolving the incident`,
      );
    }
    deleteIncident(core, incident);
    if (job)
      makeActivatable(core, job, job.state === 'ERROR_THROWN' ? 'RECURRED_AFTER_BACKOFF' : 'RECURRED_AFTER_BACKOFF');
    return;
  }
  deleteIncident(core, incident);
  const inst = core.store.elements.get(incident.elementInstanceKey);
  if (!inst) return;
  if (inst.state === 'ACTIVATING') runActivation(core, inst);
  else if (inst.state === 'COMPLETING') completeElement(core, inst);
  runSteps(core);
}
