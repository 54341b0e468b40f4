import { cancelTimer } from '../bpmn/behaviors/events';
import { deleteDrg } from '../dmn/decisions';
import type { EngineCore } from '../processing/EngineCore';
import { TENANT } from '../processing/EngineCore';
import { Rejection } from '../processing/Rejection';
import type { Key, ResourceRow } from '../state/types';
import { replaceStartTimers } from './deploy';

/**
 * DeleteResource (Zeebe's ResourceDeletionDeleteProcessor): the key of a process definition, a
 * decision requirements graph (with all its decisions) or a form. A process definition that still
 * has instances is not deleted (INVALID_STATE). Deleting the latest version of a process hands
 * its start events back to the version before it: message and signal starts follow the latest
 * version by themselves, timer start events are moved here.
 */
export function deleteResource(core: EngineCore, resourceKey: Key): void {
  const intent = 'DELETE';
  const row = core.store.resources.get(resourceKey);
  if (!row || row.kind === 'decision')
    throw new Rejection(
      'NOT_FOUND',
      intent,
      `Expected to delete resource but no resource found with key \`${resourceKey}\``,
    );
  const deletionKey = core.store.nextKey();
  const value = { resourceKey, tenantId: TENANT };
  core.record('RESOURCE_DELETION', 'DELETING', deletionKey, value);
  if (row.kind === 'process') deleteProcess(core, row);
  else if (row.kind === 'drg') deleteDrg(core, row);
  else {
    core.record('FORM', 'DELETED', core.store.nextKey(), {
      formId: row.resourceId,
      formKey: row.key,
      version: row.version,
      resourceName: row.resourceName,
      checksum: row.checksum,
      deploymentKey: row.deploymentKey,
      tenantId: TENANT,
    });
    core.store.resources.delete(row.key);
  }
  core.record('RESOURCE_DELETION', 'DELETED', deletionKey, value);
}

function deleteProcess(core: EngineCore, def: ResourceRow): void {
  const record = {
    bpmnProcessId: def.resourceId,
    version: def.version,
    processDefinitionKey: def.key,
    resourceName: def.resourceName,
    deploymentKey: def.deploymentKey,
    tenantId: TENANT,
  };
  core.record('PROCESS', 'DELETING', core.store.nextKey(), record);
  const latest = core.store.latestProcess(def.resourceId);
  for (const inst of core.store.elements.values()) {
    if (inst.type === 'PROCESS' && inst.processDefinitionKey === def.key)
      throw new Rejection(
        'INVALID_STATE',
        'DELETE',
        `Expected to delete resource with key \`${def.key}\` but there are still running instances`,
      );
  }
  if (latest?.key === def.key) {
    const versions = [...(core.store.processVersions.get(def.resourceId)?.keys() ?? [])].filter((v) => v < def.version);
    const previous = versions.length
      ? core.store.resources.get(core.store.processVersions.get(def.resourceId)!.get(Math.max(...versions))!)
      : undefined;
    if (previous && core.models.get(previous.key))
      replaceStartTimers(core, def, previous, core.models.get(previous.key)!);
    else for (const id of [...core.store.dueByDefinition.get(def.key)]) cancelTimer(core, core.store.due.get(id)!);
  }
  // The parsed model stays in memory (a failed commit rolls the row back, not the map); nothing
  // reaches it without the row.
  core.store.resources.delete(def.key);
  core.record('PROCESS', 'DELETED', core.store.nextKey(), record);
}
