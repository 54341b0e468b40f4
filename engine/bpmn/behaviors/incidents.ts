import type { EngineCore } from '../../processing/EngineCore';
import { TENANT } from '../../processing/EngineCore';
import type { ElementInstance, Incident, IncidentErrorType, Key } from '../../state/types';

/**
 * Raises an incident on an element instance. The instance stays where it is (ACTIVATING,
 * ACTIVATED with a failed job, or COMPLETING) until the incident is resolved.
 */
export function raiseIncident(
  core: EngineCore,
  inst: ElementInstance,
  errorType: IncidentErrorType,
  errorMessage: string,
  jobKey: Key = '-1',
): Incident {
  const key = core.store.nextKey();
  const incident: Incident = {
    key,
    errorType,
    errorMessage: errorMessage.slice(0, 10000),
    bpmnProcessId: inst.bpmnProcessId,
    processDefinitionKey: inst.processDefinitionKey,
    processInstanceKey: inst.processInstanceKey,
    elementId: inst.elementId,
    elementInstanceKey: inst.key,
    jobKey,
    variableScopeKey: inst.key,
    createdAt: core.now(),
  };
  core.store.incidents.put(key, incident);
  core.store.elements.update(inst.key, { incidentKey: key });
  core.record('INCIDENT', 'CREATED', key, incidentRecord(incident), inst.processInstanceKey);
  return incident;
}

export function incidentRecord(i: Incident) {
  return {
    errorType: i.errorType,
    errorMessage: i.errorMessage,
    bpmnProcessId: i.bpmnProcessId,
    processDefinitionKey: i.processDefinitionKey,
    processInstanceKey: i.processInstanceKey,
    elementId: i.elementId,
    elementInstanceKey: i.elementInstanceKey,
    jobKey: i.jobKey,
    variableScopeKey: i.variableScopeKey,
    tenantId: TENANT,
  };
}

/** Removes an incident (resolved, or its element ended). */
export function deleteIncident(core: EngineCore, incident: Incident): void {
  core.store.incidents.delete(incident.key);
  const inst = core.store.elements.get(incident.elementInstanceKey);
  if (inst && inst.incidentKey === incident.key) core.store.elements.update(inst.key, { incidentKey: undefined });
  core.record('INCIDENT', 'RESOLVED', incident.key, incidentRecord(incident), incident.processInstanceKey);
}

/** Resolves every incident of an element instance (it is terminated). */
export function resolveIncidentsOf(core: EngineCore, elementInstanceKey: Key): void {
  for (const ik of [...core.store.incidentsByElement.get(elementInstanceKey)]) {
    const i = core.store.incidents.get(ik);
    if (i) deleteIncident(core, i);
  }
}
