import { runSteps, terminate } from '../bpmn/execution';
import { createProcessInstance } from '../bpmn/behaviors/instances';
import type { EngineCore } from '../processing/EngineCore';
import { Rejection } from '../processing/Rejection';
import type { Key, ResourceRow } from '../state/types';

export interface CreateInstanceRequest {
  bpmnProcessId: string;
  /** -1 = latest */
  version: number;
  processDefinitionKey: Key;
  variables: Record<string, unknown>;
  startElementIds: string[];
}

/** Finds the process definition a create request names (key > 0 wins over id). */
export function findDefinition(core: EngineCore, req: CreateInstanceRequest): ResourceRow {
  const intent = 'CREATE';
  if (req.processDefinitionKey && req.processDefinitionKey !== '0' && BigInt(req.processDefinitionKey) > 0n) {
    const def = core.store.resources.get(req.processDefinitionKey);
    if (!def || def.kind !== 'process')
      throw new Rejection(
        'NOT_FOUND',
        intent,
        `Expected to find process definition with key '${req.processDefinitionKey}', but none found`,
      );
    return def;
  }
  if (!req.bpmnProcessId)
    throw new Rejection(
      'INVALID_ARGUMENT',
      intent,
      'Expected at least a bpmnProcessId or a key greater than -1, but none given',
    );
  if (req.version > 0) {
    const k = core.store.processVersions.get(req.bpmnProcessId)?.get(req.version);
    if (!k)
      throw new Rejection(
        'NOT_FOUND',
        intent,
        `Expected to find process definition with process ID '${req.bpmnProcessId}' and version '${req.version}', but none found`,
      );
    return core.store.resources.get(k)!;
  }
  const def = core.store.latestProcess(req.bpmnProcessId);
  if (!def)
    throw new Rejection(
      'NOT_FOUND',
      intent,
      `Expected to find process definition with process ID '${req.bpmnProcessId}', but none found`,
    );
  return def;
}

export function createInstance(core: EngineCore, req: CreateInstanceRequest) {
  const def = findDefinition(core, req);
  const model = core.models.get(def.key)!;
  let startIds: string[];
  if (req.startElementIds.length) {
    for (const id of req.startElementIds) {
      const el = model.elements.get(id);
      if (!el)
        throw new Rejection(
          'INVALID_ARGUMENT',
          'CREATE',
          `Expected to find element with id '${id}' in process with key '${def.key}', but no such element was found`,
        );
      if (el.type === 'START_EVENT' || el.type === 'BOUNDARY_EVENT' || el.type === 'EVENT_SUB_PROCESS') {
        throw new Rejection(
          'INVALID_ARGUMENT',
          'CREATE',
          `Expected to create instance of process with start instructions but the element with id '${id}' targets unsupported element type '${el.type}'. Supported element types are: [TASK, GATEWAY, INTERMEDIATE_CATCH_EVENT, ...]`,
        );
      }
      if (el.flowScopeId !== model.root.id) {
        throw new Rejection(
          'INVALID_ARGUMENT',
          'CREATE',
          `Expected to create instance of process with start instructions but the element with id '${id}' is inside a sub process or multi-instance body; only elements of the process scope are supported by this engine`,
        );
      }
    }
    startIds = req.startElementIds;
  } else {
    if (!model.root.startId)
      throw new Rejection(
        'INVALID_STATE',
        'CREATE',
        'Expected to create instance of process with none start event, but there is no such event',
      );
    startIds = [model.root.startId];
  }
  const root = createProcessInstance(core, def, startIds, req.variables);
  runSteps(core);
  return {
    processDefinitionKey: def.key,
    bpmnProcessId: def.resourceId,
    version: def.version,
    processInstanceKey: root.key,
  };
}

export function cancelInstance(core: EngineCore, processInstanceKey: Key): void {
  const root = core.store.elements.get(processInstanceKey);
  if (!root || root.type !== 'PROCESS') {
    throw new Rejection(
      'NOT_FOUND',
      'CANCEL',
      `Expected to cancel a process instance with key '${processInstanceKey}', but no such process was found`,
    );
  }
  if (root.parentProcessInstanceKey) {
    let top = root;
    while (top.parentProcessInstanceKey && core.store.elements.get(top.parentProcessInstanceKey))
      top = core.store.elements.get(top.parentProcessInstanceKey)!;
    throw new Rejection(
      'INVALID_STATE',
      'CANCEL',
      `Expected to cancel a process instance with key '${processInstanceKey}', but it is created by a parent process instance. Cancel the root process instance '${top.key}' instead.`,
    );
  }
  terminate(core, root);
  runSteps(core);
}
