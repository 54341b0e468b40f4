import { openCatch } from '../bpmn/behaviors/events';
import { setLocalVariables } from '../bpmn/behaviors/variables';
import { queueActivation, runSteps, terminate } from '../bpmn/execution';
import type { ElementModel, ProcessModel } from '../model/types';
import type { EngineCore } from '../processing/EngineCore';
import { TENANT } from '../processing/EngineCore';
import { Rejection } from '../processing/Rejection';
import type { BpmnElementType, ElementInstance, Key } from '../state/types';

/**
 * ModifyProcessInstance (Zeebe's ProcessInstanceModificationModifyProcessor): activate elements
 * (creating the flow scopes they need), terminate element instances (and flow scopes left empty),
 * with Zeebe's validations and rejection wording. The whole modification is one command: a
 * rejection leaves the instance untouched.
 */

export interface ModifyRequest {
  processInstanceKey: Key;
  activate: {
    elementId: string;
    /** `-1` (or unset): no ancestor selected; an existing flow scope instance is reused. */
    ancestorElementInstanceKey: Key;
    /** `scopeId` '' = the process scope. */
    variables: { scopeId: string; variables: Record<string, unknown> }[];
  }[];
  terminate: Key[];
}

const INTENT = 'MODIFY';
const UNSUPPORTED: BpmnElementType[] = ['START_EVENT', 'SEQUENCE_FLOW', 'BOUNDARY_EVENT'];
// Zeebe prints its EnumSet of the supported BpmnElementType values, in the enum's order.
const SUPPORTED_TEXT =
  '[PROCESS, SUB_PROCESS, EVENT_SUB_PROCESS, AD_HOC_SUB_PROCESS, AD_HOC_SUB_PROCESS_INNER_INSTANCE, ' +
  'INTERMEDIATE_CATCH_EVENT, INTERMEDIATE_THROW_EVENT, END_EVENT, SERVICE_TASK, RECEIVE_TASK, USER_TASK, ' +
  'MANUAL_TASK, TASK, EXCLUSIVE_GATEWAY, PARALLEL_GATEWAY, EVENT_BASED_GATEWAY, INCLUSIVE_GATEWAY, ' +
  'MULTI_INSTANCE_BODY, CALL_ACTIVITY, BUSINESS_RULE_TASK, SCRIPT_TASK, SEND_TASK]';

const invalid = (reason: string) => new Rejection('INVALID_ARGUMENT', INTENT, reason);

/** One level of an element's flow scope chain; a multi-instance scope is two (its body, then one inner instance). */
interface ScopeLevel {
  id: string;
  kind: 'process' | 'scope' | 'body' | 'inner';
}

/** The flow scopes of an element from the process down to its direct flow scope. */
export function scopeLevels(model: ProcessModel, el: ElementModel): ScopeLevel[] {
  const levels: ScopeLevel[] = [];
  let id = el.flowScopeId;
  while (id) {
    if (id === model.root.id) {
      levels.push({ id, kind: 'process' });
      break;
    }
    const s = model.elements.get(id)!;
    if (s.mi) levels.push({ id, kind: 'inner' }, { id, kind: 'body' });
    else levels.push({ id, kind: 'scope' });
    id = s.flowScopeId;
  }
  return levels.reverse();
}

/** Is `scopeId` one of the (transitive) flow scopes of the element? */
function isFlowScopeOf(model: ProcessModel, el: ElementModel, scopeId: string): boolean {
  let id = el.flowScopeId;
  while (id) {
    if (id === scopeId) return true;
    if (id === model.root.id) return false;
    id = model.elements.get(id)!.flowScopeId;
  }
  return false;
}

function isConnectedToEventBasedGateway(model: ProcessModel, el: ElementModel): boolean {
  return el.incoming.some((f) => model.elements.get(model.flows.get(f)!.sourceId)?.type === 'EVENT_BASED_GATEWAY');
}

function isDescendantOf(core: EngineCore, inst: ElementInstance, ancestorKey: Key): boolean {
  let k = inst.flowScopeKey;
  while (k) {
    if (k === ancestorKey) return true;
    k = core.store.elements.get(k)?.flowScopeKey ?? null;
  }
  return false;
}

const selected = (key: Key) => key !== '' && key !== '-1' && BigInt(key) > 0n;

export function modifyInstance(core: EngineCore, req: ModifyRequest): { key: Key } {
  const root = core.store.elements.get(req.processInstanceKey);
  if (!root || root.type !== 'PROCESS')
    throw new Rejection(
      'NOT_FOUND',
      INTENT,
      `Expected to modify process instance but no process instance found with key '${req.processInstanceKey}'`,
    );
  const model = core.model(root.processDefinitionKey);
  const pid = root.bpmnProcessId;
  validate(core, model, root, req);

  const required = new Set<Key>();
  const modified: Record<string, unknown>[] = [];
  for (const a of req.activate) {
    const el = model.elements.get(a.elementId)!;
    const scopeKeys = activateElement(core, model, root, el, a);
    scopeKeys.forEach((k) => required.add(k));
    modified.push({
      elementId: a.elementId,
      ancestorScopeKey: a.ancestorElementInstanceKey,
      variableInstructions: a.variables.map((v) => ({ elementId: v.scopeId, variables: v.variables })),
      ancestorScopeKeys: scopeKeys,
    });
  }
  for (const key of req.terminate) {
    const inst = core.store.elements.get(key);
    if (!inst) continue; // already terminated by an earlier instruction (a flow scope of it)
    const flowScopeKey = inst.flowScopeKey;
    terminate(core, inst);
    terminateEmptyFlowScopes(core, flowScopeKey, required, pid);
  }
  const value = {
    processInstanceKey: root.key,
    activateInstructions: modified,
    terminateInstructions: req.terminate.map((k) => ({ elementInstanceKey: k })),
    tenantId: TENANT,
  };
  core.record('PROCESS_INSTANCE_MODIFICATION', 'MODIFIED', root.key, value, root.key);
  runSteps(core);
  return { key: root.key };
}

function validate(core: EngineCore, model: ProcessModel, root: ElementInstance, req: ModifyRequest): void {
  const pid = root.bpmnProcessId;
  const unknown = [...new Set(req.activate.map((a) => a.elementId).filter((id) => !model.elements.get(id)))];
  if (unknown.length)
    throw invalid(
      `Expected to modify instance of process '${pid}' but it contains one or more activate instructions with an element that could not be found: '${unknown.join("', '")}'`,
    );
  const ids = [...new Set(req.activate.map((a) => a.elementId))];
  const ebg = ids.filter((id) => {
    const el = model.elements.get(id)!;
    return (
      (el.type === 'INTERMEDIATE_CATCH_EVENT' || el.type === 'RECEIVE_TASK') &&
      isConnectedToEventBasedGateway(model, el)
    );
  });
  if (ebg.length)
    throw invalid(
      `Expected to modify instance of process '${pid}' but it contains one or more activate instructions for elements that are unsupported: '${ebg.join("', '")}'. The activation of events belonging to an event-based gateway is not supported.`,
    );
  const unsupported = ids.map((id) => model.elements.get(id)!).filter((el) => UNSUPPORTED.includes(el.type));
  if (unsupported.length)
    throw invalid(
      `Expected to modify instance of process '${pid}' but it contains one or more activate instructions for elements that are unsupported: '${unsupported.map((e) => e.id).join("', '")}'. The activation of elements with type '${[...new Set(unsupported.map((e) => e.type))].join("', '")}' is not supported. Supported element types are: ${SUPPORTED_TEXT}.`,
    );
  const missing = [...new Set(req.terminate)].filter((k) => !core.store.elements.get(k));
  if (missing.length)
    throw invalid(
      `Expected to modify instance of process '${pid}' but it contains one or more terminate instructions with an element instance that could not be found: '${missing.join("', '")}'`,
    );
  const unknownScopes = [
    ...new Set(
      req.activate.flatMap((a) => a.variables.map((v) => v.scopeId)).filter((s) => s && !model.elements.get(s)),
    ),
  ];
  if (unknownScopes.length)
    throw invalid(
      `Expected to modify instance of process '${pid}' but it contains one or more variable instructions with a scope element id that could not be found: '${unknownScopes.join("', '")}'`,
    );
  const notFlowScope = req.activate.some((a) => {
    const el = model.elements.get(a.elementId)!;
    return a.variables.some((v) => v.scopeId && v.scopeId !== a.elementId && !isFlowScopeOf(model, el, v.scopeId));
  });
  if (notFlowScope)
    throw invalid(
      `Expected to modify instance of process '${pid}' but it contains one or more variable instructions with a scope element that doesn't belong to the activating element's flow scope. These variables should be set before or after the modification.`,
    );
  validateAncestors(core, model, root, req);
  const conflicts: string[] = [];
  for (const tk of new Set(req.terminate)) {
    const t = core.store.elements.get(tk)!;
    for (const a of req.activate) {
      const conflict = selected(a.ancestorElementInstanceKey)
        ? a.ancestorElementInstanceKey === tk
        : isFlowScopeOf(model, model.elements.get(a.elementId)!, t.elementId);
      if (conflict)
        conflicts.push(`element '${a.elementId}' requires flow scope instance '${tk}' which is being terminated`);
    }
  }
  if (conflicts.length)
    throw invalid(
      `Expected to modify instance of process '${pid}' but it contains one or more activate instructions for elements whose required flow scope instance is also being terminated: ${conflicts.join(', ')}. Please provide a valid ancestor scope key for the activation or avoid terminating the required flow scope.`,
    );
}

function validateAncestors(core: EngineCore, model: ProcessModel, root: ElementInstance, req: ModifyRequest): void {
  const pid = root.bpmnProcessId;
  const keys = [...new Set(req.activate.map((a) => a.ancestorElementInstanceKey).filter(selected))];
  const bad = keys.filter((k) => core.store.elements.get(k)?.state !== 'ACTIVATED');
  if (bad.length)
    throw invalid(
      `Expected to modify instance of process '${pid}' but it contains one or more activate instructions with an ancestor scope key that does not exist, or is not in an active state: '${bad.join("', '")}'`,
    );
  const foreign = keys.filter((k) => core.store.elements.get(k)!.processInstanceKey !== root.key);
  if (foreign.length)
    throw invalid(
      `Expected to modify instance of process '${pid}' but it contains one or more activate instructions with an ancestor scope key that does not belong to the modified process instance: '${foreign.join("', '")}'`,
    );
  const lines = req.activate
    .filter((a) => selected(a.ancestorElementInstanceKey))
    .map((a) => ({ a, ancestor: core.store.elements.get(a.ancestorElementInstanceKey)! }))
    .filter(({ a, ancestor }) => !isFlowScopeOf(model, model.elements.get(a.elementId)!, ancestor.elementId))
    .map(
      ({ a, ancestor }) =>
        `\n- instance '${ancestor.key}' of element '${ancestor.elementId}' is not an ancestor of element '${a.elementId}'`,
    );
  if (lines.length)
    throw invalid(
      `Expected to modify instance of process '${pid}' but it contains one or more activate instructions with an ancestor scope key that is not an ancestor of the element to activate:${lines.join('')}`,
    );
}

/** Instances of one scope level among the children of `parentKey` that are not being terminated. */
function instancesOf(core: EngineCore, root: ElementInstance, parentKey: Key, level: ScopeLevel): ElementInstance[] {
  if (level.kind === 'process') return [root];
  return [...core.store.childrenOf.get(parentKey)]
    .map((k) => core.store.elements.get(k)!)
    .filter(
      (i) =>
        i &&
        i.elementId === level.id &&
        i.state !== 'TERMINATING' &&
        (level.kind === 'body' ? i.type === 'MULTI_INSTANCE_BODY' : i.type !== 'MULTI_INSTANCE_BODY'),
    );
}

/** The instance of a scope level to reuse, or undefined to create one (Zeebe's ancestor selection rules). */
function reusable(
  core: EngineCore,
  root: ElementInstance,
  parentKey: Key,
  level: ScopeLevel,
  ancestorKey: Key,
): ElementInstance | undefined {
  const found = instancesOf(core, root, parentKey, level);
  const hasAncestor = selected(ancestorKey);
  const multiple = () =>
    invalid(
      `Expected to modify instance of process '${root.bpmnProcessId}' but it contains one or more activate instructions for an element that has a flow scope with more than one active instance: '${level.id}'. Can't decide in which instance of the flow scope the element should be activated. Please specify an ancestor element instance key for this activate instruction.`,
    );
  if (found.length === 0) return undefined;
  if (found.length === 1) {
    if (hasAncestor && isDescendantOf(core, found[0], ancestorKey)) return undefined;
    return found[0];
  }
  if (!hasAncestor) throw multiple();
  const same = found.find((i) => i.key === ancestorKey);
  if (same) return same;
  if (found.some((i) => isDescendantOf(core, i, ancestorKey))) return undefined;
  const ancestor = core.store.elements.get(ancestorKey);
  const containing = ancestor && found.find((i) => isDescendantOf(core, ancestor, i.key));
  if (containing) return containing;
  throw multiple();
}

/** Activates one element; returns the keys of its flow scope instances (reused or created). */
function activateElement(
  core: EngineCore,
  model: ProcessModel,
  root: ElementInstance,
  el: ElementModel,
  a: ModifyRequest['activate'][number],
): Key[] {
  const keys: Key[] = [];
  let parent = root;
  const varsFor = (scopeId: string) =>
    a.variables.filter((v) => v.scopeId === scopeId || (!v.scopeId && scopeId === model.root.id));
  for (const level of scopeLevels(model, el)) {
    let inst = reusable(core, root, parent.key, level, a.ancestorElementInstanceKey);
    if (!inst) {
      if (level.kind === 'body' || level.kind === 'inner')
        throw invalid(
          `Expected to modify instance of process '${root.bpmnProcessId}' but it contains one or more activate instructions that would result in the activation of multi-instance element '${level.id}', which is currently unsupported.`,
        );
      inst = createFlowScope(core, model, parent, level.id, varsFor(level.id));
    } else {
      for (const v of varsFor(level.id)) setLocalVariables(core, inst.key, v.variables);
    }
    keys.push(inst.key);
    parent = inst;
  }
  const own = varsFor(el.id).map((v) => v.variables);
  queueActivation(core, core.store.elements.get(parent.key)!, {
    elementId: el.id,
    localVariables: own.length ? Object.assign({}, ...own) : undefined,
  });
  return keys;
}

/**
 * A flow scope created for an activation: ACTIVATING, its variables, ACTIVATED, then its boundary
 * events and event subprocess starts are opened. Its input mappings are not applied and its start
 * event is not entered (Zeebe's ElementActivationBehavior).
 */
function createFlowScope(
  core: EngineCore,
  model: ProcessModel,
  parent: ElementInstance,
  elementId: string,
  vars: { variables: Record<string, unknown> }[],
): ElementInstance {
  const el = model.elements.get(elementId)!;
  const key = core.store.nextKey();
  const inst: ElementInstance = {
    key,
    elementId,
    type: el.type,
    state: 'ACTIVATING',
    processInstanceKey: parent.processInstanceKey,
    processDefinitionKey: parent.processDefinitionKey,
    bpmnProcessId: parent.bpmnProcessId,
    version: parent.version,
    flowScopeKey: parent.key,
    activeFlows: 0,
    createdAt: core.now(),
  };
  core.store.elements.put(key, inst);
  core.elementRecord(inst, 'ELEMENT_ACTIVATING');
  for (const v of vars) setLocalVariables(core, key, v.variables);
  const activated = core.store.elements.update(key, { state: 'ACTIVATED' });
  core.elementRecord(activated, 'ELEMENT_ACTIVATED');
  const catches = el.boundaryIds.map((b) => model.elements.get(b)!);
  for (const esp of el.eventSubProcessIds) {
    const start = model.elements.get(model.elements.get(esp)!.startId ?? '');
    if (start && start.event !== 'error' && start.event !== 'escalation') catches.push(start);
  }
  for (const c of catches) {
    const err = openCatch(core, activated, c, key);
    if (err) throw invalid(`Expected to subscribe to catch event(s) of '${elementId}' but ${err}`);
  }
  return activated;
}

/** After a termination: flow scopes left without children, tokens or a pending activation end too. */
function terminateEmptyFlowScopes(core: EngineCore, key: Key | null, required: Set<Key>, pid: string): void {
  let inst = key ? core.store.elements.get(key) : undefined;
  while (inst && core.store.childrenOf.get(inst.key).size === 0 && inst.activeFlows === 0 && !required.has(inst.key)) {
    if (inst.type === 'PROCESS' && inst.parentProcessInstanceKey)
      throw invalid(
        `Expected to modify instance of process '${pid}' but the given instructions would terminate the instance. The instance was created by a call activity in the parent process. To terminate this instance please modify the parent process instead.`,
      );
    const next = inst.flowScopeKey;
    terminate(core, inst);
    inst = next ? core.store.elements.get(next) : undefined;
  }
}
