import type { EngineCore } from '../../processing/EngineCore';
import type { ElementInstance, Key, ResourceRow } from '../../state/types';
import { queueActivation, transitionToActivated } from '../execution';
import { setLocalVariables } from './variables';

/**
 * Creates a process instance (the PROCESS element instance) and queues the activation of the
 * given start element(s). Variables are created in the root scope before anything runs.
 */
export function createProcessInstance(
  core: EngineCore,
  def: ResourceRow,
  startIds: string[],
  variables: Record<string, unknown>,
  opts: {
    key?: Key;
    parent?: ElementInstance;
    startedByMessageCorrelationKey?: string;
    payload?: Record<string, unknown>;
    triggered?: boolean;
  } = {},
): ElementInstance {
  const key = opts.key ?? core.store.nextKey();
  const root: ElementInstance = {
    key,
    elementId: def.resourceId,
    type: 'PROCESS',
    state: 'ACTIVATING',
    processInstanceKey: key,
    processDefinitionKey: def.key,
    bpmnProcessId: def.resourceId,
    version: def.version,
    flowScopeKey: null,
    parentElementInstanceKey: opts.parent?.key,
    parentProcessInstanceKey: opts.parent?.processInstanceKey,
    startedByMessageCorrelationKey: opts.startedByMessageCorrelationKey || undefined,
    activeFlows: 0,
    createdAt: core.now(),
  };
  core.store.elements.put(key, root);
  core.elementRecord(root, 'ELEMENT_ACTIVATING');
  setLocalVariables(core, key, variables);
  const pendingStart = { elementIds: startIds, payload: opts.payload, triggered: opts.triggered };
  if (!transitionToActivated(core, core.store.elements.get(key)!)) {
    // An incident holds the process (e.g. an event subprocess's correlation key failed). Resolving it
    // re-runs the activation (ProcessBehavior.activate), which then starts these elements.
    core.store.elements.update(key, { pendingStart });
    return root;
  }
  queueStarts(core, core.store.elements.get(key)!, pendingStart);
  return root;
}

/** Queues the activation of the start element(s) of an activated process instance. */
export function queueStarts(
  core: EngineCore,
  root: ElementInstance,
  start: NonNullable<ElementInstance['pendingStart']>,
): void {
  for (const id of start.elementIds) {
    queueActivation(core, core.store.elements.get(root.key)!, {
      elementId: id,
      payload: start.payload,
      triggered: start.triggered,
    });
  }
}

/** Starts a new instance at a message/timer/signal start event; the payload becomes root variables. */
export function startInstanceAt(
  core: EngineCore,
  def: ResourceRow,
  startId: string,
  payload: Record<string, unknown>,
  correlationKey?: string,
): ElementInstance {
  return createProcessInstance(core, def, [startId], payload, {
    startedByMessageCorrelationKey: correlationKey,
    triggered: true,
  });
}
