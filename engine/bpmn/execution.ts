import type { ElementModel } from '../model/types';
import type { EngineCore, Step } from '../processing/EngineCore';
import type { ElementInstance, IncidentErrorType, Key } from '../state/types';
import { closeEventSubscriptions, openCatch } from './behaviors/events';
import { raiseIncident, resolveIncidentsOf } from './behaviors/incidents';
import { cancelJobsOf } from './behaviors/jobs';
import { cancelUserTaskOf } from './behaviors/user-tasks';
import {
  deleteScopeVariables,
  evaluateMappings,
  mergeVariables,
  setLocalVariable,
  setLocalVariables,
  visibleVariables,
} from './behaviors/variables';

/**
 * The element lifecycle shared by every element kind (Zeebe's BpmnStateTransitionBehavior):
 * ACTIVATING → ACTIVATED → COMPLETING → COMPLETED, or → TERMINATING → TERMINATED. Element-specific
 * work lives in the element behaviours, which this module reaches only through `core.behaviorFor`
 * (the look-up the engine core was given); it never imports them. It moves tokens, scopes and records.
 */

/** Processes queued steps until the instance(s) reach wait states. */
export function runSteps(core: EngineCore): void {
  let guard = 0;
  while (core.steps.length) {
    if (++guard > 1_000_000)
      throw new Error('Expected the process to reach a wait state, but it looped more than 1,000,000 steps');
    const step = core.steps.shift()!;
    switch (step.kind) {
      case 'activate':
        activateStep(core, step);
        break;
      case 'run-activation': {
        const inst = core.store.elements.get(step.key);
        if (inst && inst.state === 'ACTIVATING') runActivation(core, inst);
        break;
      }
      case 'complete': {
        const inst = core.store.elements.get(step.key);
        if (inst && (inst.state === 'ACTIVATED' || inst.state === 'COMPLETING')) completeElement(core, inst);
        break;
      }
    }
  }
}

/** Queues activation of an element in a scope; counted as a token in flight of that scope. */
export function queueActivation(
  core: EngineCore,
  scope: ElementInstance,
  step: Omit<Extract<Step, { kind: 'activate' }>, 'kind' | 'scopeKey'>,
): void {
  core.store.elements.update(scope.key, { activeFlows: scope.activeFlows + 1 });
  core.steps.push({ kind: 'activate', scopeKey: scope.key, ...step });
}

export function queueCompletion(core: EngineCore, inst: ElementInstance): void {
  core.steps.push({ kind: 'complete', key: inst.key });
}

/** Records SEQUENCE_FLOW_TAKEN and queues the target's activation. */
export function takeFlow(
  core: EngineCore,
  scope: ElementInstance,
  flowId: string,
  extra: Partial<Step & { kind: 'activate' }> = {},
): void {
  const flow = core.model(scope.processDefinitionKey).flows.get(flowId)!;
  core.record(
    'PROCESS_INSTANCE',
    'SEQUENCE_FLOW_TAKEN',
    core.store.nextKey(),
    {
      bpmnProcessId: scope.bpmnProcessId,
      version: scope.version,
      processDefinitionKey: scope.processDefinitionKey,
      processInstanceKey: scope.processInstanceKey,
      elementId: flowId,
      flowScopeKey: scope.key,
      bpmnElementType: 'SEQUENCE_FLOW',
      bpmnEventType: 'UNSPECIFIED',
      parentProcessInstanceKey: '-1',
      parentElementInstanceKey: '-1',
      tenantId: '<default>',
    },
    scope.processInstanceKey,
  );
  queueActivation(core, scope, {
    elementId: flow.targetId,
    flowId,
    payload: extra.payload,
    triggered: extra.triggered,
  });
}

function activateStep(core: EngineCore, step: Extract<Step, { kind: 'activate' }>): void {
  let scope = core.store.elements.get(step.scopeKey);
  if (!scope) return; // the scope ended meanwhile (terminated): the token is gone with it
  scope = core.store.elements.update(scope.key, { activeFlows: Math.max(0, scope.activeFlows - 1) });
  if (scope.state !== 'ACTIVATED') return;
  const el = core.model(scope.processDefinitionKey).elements.get(step.elementId)!;
  if (step.flowId && el.incoming.length > 1 && (el.type === 'PARALLEL_GATEWAY' || el.type === 'INCLUSIVE_GATEWAY')) {
    scope = arriveAtJoin(core, scope, el, step.flowId);
    if (!tryJoin(core, scope, el)) return;
    scope = core.store.elements.get(scope.key)!;
  }
  createAndActivate(core, scope, el, step);
}

// Joins ------------------------------------------------------------------------------------------

function arriveAtJoin(core: EngineCore, scope: ElementInstance, gw: ElementModel, flowId: string): ElementInstance {
  const joins = { ...(scope.joins ?? {}) };
  const arrivals = { ...(joins[gw.id] ?? {}) };
  arrivals[flowId] = (arrivals[flowId] ?? 0) + 1;
  joins[gw.id] = arrivals;
  // A waiting arrival keeps the scope alive, like a token on the flow.
  return core.store.elements.update(scope.key, { joins, activeFlows: scope.activeFlows + 1 });
}

/** Fires a join when its rule holds, consuming one arrival per taken flow. */
function tryJoin(core: EngineCore, scope: ElementInstance, gw: ElementModel): boolean {
  const arrivals = scope.joins?.[gw.id] ?? {};
  const taken = gw.incoming.filter((f) => (arrivals[f] ?? 0) > 0);
  if (taken.length === 0) return false;
  if (taken.length < gw.incoming.length) {
    if (gw.type === 'PARALLEL_GATEWAY') return false;
    if (
      canStillReach(
        core,
        scope,
        gw,
        gw.incoming.filter((f) => !taken.includes(f)),
      )
    )
      return false;
  }
  const next = { ...arrivals };
  for (const f of taken) next[f] -= 1;
  const joins = { ...(scope.joins ?? {}) };
  if (Object.values(next).every((n) => n === 0)) delete joins[gw.id];
  else joins[gw.id] = next;
  core.store.elements.update(scope.key, { joins, activeFlows: scope.activeFlows - taken.length });
  return true;
}

/** Inclusive join rule: could an active element or queued token of the scope still reach these flows? */
function canStillReach(core: EngineCore, scope: ElementInstance, gw: ElementModel, flows: string[]): boolean {
  const model = core.model(scope.processDefinitionKey);
  const upstream = new Set<string>();
  const stack = flows.map((f) => model.flows.get(f)!.sourceId);
  while (stack.length) {
    const id = stack.pop()!;
    if (upstream.has(id) || id === gw.id) continue;
    upstream.add(id);
    const el = model.elements.get(id);
    if (!el) continue;
    for (const f of el.incoming) stack.push(model.flows.get(f)!.sourceId);
    if (el.type === 'BOUNDARY_EVENT' && el.attachedToId) stack.push(el.attachedToId);
  }
  for (const ck of core.store.childrenOf.get(scope.key)) {
    if (upstream.has(core.store.elements.get(ck)!.elementId)) return true;
  }
  for (const s of core.steps) {
    if (s.kind !== 'activate' || s.scopeKey !== scope.key) continue;
    if (upstream.has(s.elementId)) return true;
    // A token already queued on one of these flows into the join itself arrives next.
    if (s.elementId === gw.id && s.flowId !== undefined && flows.includes(s.flowId)) return true;
  }
  return false;
}

/** Re-checks waiting inclusive joins of a scope after something in it ended. */
function retryInclusiveJoins(core: EngineCore, scope: ElementInstance): void {
  if (!scope.joins) return;
  const model = core.model(scope.processDefinitionKey);
  for (const gwId of Object.keys(scope.joins)) {
    const gw = model.elements.get(gwId)!;
    if (gw.type !== 'INCLUSIVE_GATEWAY') continue;
    const current = core.store.elements.get(scope.key)!;
    if (tryJoin(core, current, gw)) {
      // The join fired: its activation is a new token in the scope.
      const s = core.store.elements.get(scope.key)!;
      queueActivation(core, s, { elementId: gw.id });
      // queueActivation counted a token; the step will decrement it, which is what we want.
    }
  }
}

// Activation --------------------------------------------------------------------------------------

function createAndActivate(
  core: EngineCore,
  scope: ElementInstance,
  el: ElementModel,
  step: Extract<Step, { kind: 'activate' }>,
): void {
  const isInner = scope.type === 'MULTI_INSTANCE_BODY' && scope.elementId === el.id;
  const key = core.store.nextKey();
  const inst: ElementInstance = {
    key,
    elementId: el.id,
    type: el.mi && !isInner ? 'MULTI_INSTANCE_BODY' : el.type,
    state: 'ACTIVATING',
    processInstanceKey: scope.processInstanceKey,
    processDefinitionKey: scope.processDefinitionKey,
    bpmnProcessId: scope.bpmnProcessId,
    version: scope.version,
    flowScopeKey: scope.key,
    activeFlows: 0,
    createdAt: core.now(),
    payload: step.payload,
    incomingFlowId: step.flowId,
    loopCounter: step.loopCounter,
    triggeredCatchId: step.triggered ? el.id : undefined,
  };
  core.store.elements.put(key, inst);
  core.elementRecord(inst, 'ELEMENT_ACTIVATING');
  if (step.loopCounter !== undefined) {
    if (step.inputElement) setLocalVariable(core, key, step.inputElement.name, step.inputElement.value);
    setLocalVariable(core, key, 'loopCounter', step.loopCounter);
    // Zeebe: an outputElement that names a variable gets a null local in each inner instance, so
    // what the inner element writes to it stays there; only the output collection propagates.
    const out = el.mi?.outputElementVariable;
    if (out && out !== step.inputElement?.name && out !== 'loopCounter') setLocalVariable(core, key, out, null);
  }
  if (step.localVariables) setLocalVariables(core, key, step.localVariables);
  runActivation(core, core.store.elements.get(key)!);
}

/** The part of activation that an incident retries: input mappings, then the element's own work. */
export function runActivation(core: EngineCore, inst: ElementInstance): void {
  const el = core.element(inst);
  if (inst.type !== 'MULTI_INSTANCE_BODY' && el.inputs.length) {
    const r = evaluateMappings(core, el.inputs, inst.key);
    if (!r.ok) {
      raiseIncident(core, inst, 'IO_MAPPING_ERROR', r.message);
      return;
    }
    setLocalVariables(core, inst.key, r.doc);
  }
  core.behaviorFor(inst.type).activate(core, inst, el);
}

/** A failure a behaviour turns into an incident on its element. */
export function fail(core: EngineCore, inst: ElementInstance, errorType: IncidentErrorType, message: string): void {
  raiseIncident(core, core.store.elements.get(inst.key)!, errorType, message);
}

/**
 * ACTIVATED: opens the element's boundary events and, for scopes, the starts of its event
 * subprocesses. Returns false if one of them failed (an incident was raised).
 */
export function transitionToActivated(core: EngineCore, inst: ElementInstance): boolean {
  const el = core.element(inst);
  const isInner = inst.type !== 'MULTI_INSTANCE_BODY' && !!el.mi;
  const model = core.model(inst.processDefinitionKey);
  const catches: ElementModel[] = [];
  if (!isInner) for (const b of el.boundaryIds) catches.push(model.elements.get(b)!);
  if (inst.type === 'PROCESS' || inst.type === 'SUB_PROCESS' || inst.type === 'EVENT_SUB_PROCESS') {
    for (const esp of el.eventSubProcessIds) {
      const start = model.elements.get(model.elements.get(esp)!.startId ?? '');
      if (start && start.event !== 'error' && start.event !== 'escalation') catches.push(start);
    }
  }
  const mark = core.store.mark();
  for (const c of catches) {
    const err = openCatch(core, inst, c, inst.key);
    if (err) {
      core.store.rollbackTo(mark);
      fail(core, inst, 'EXTRACT_VALUE_ERROR', err);
      return false;
    }
  }
  const updated = core.store.elements.update(inst.key, { state: 'ACTIVATED' });
  core.elementRecord(updated, 'ELEMENT_ACTIVATED');
  return true;
}

// Completion ----------------------------------------------------------------------------------------

/** COMPLETING → (output mappings) → COMPLETED, then tokens move on. Retried by incident resolution. */
export function completeElement(core: EngineCore, inst: ElementInstance): void {
  if (inst.state !== 'COMPLETING') {
    inst = core.store.elements.update(inst.key, { state: 'COMPLETING' });
    core.elementRecord(inst, 'ELEMENT_COMPLETING');
  }
  const el = core.element(inst);
  const behavior = core.behaviorFor(inst.type);
  if (behavior.beforeComplete && !behavior.beforeComplete(core, inst, el)) return;
  if (!applyOutputs(core, inst, el)) return;
  const scope = inst.flowScopeKey ? core.store.elements.get(inst.flowScopeKey) : undefined;
  if (scope?.type === 'MULTI_INSTANCE_BODY' && scope.elementId === inst.elementId) {
    if (!core.behaviorFor('MULTI_INSTANCE_BODY').beforeInnerCompleted!(core, scope, inst, el)) return;
  }
  inst = core.store.elements.get(inst.key)!;
  closeEventSubscriptions(core, inst);
  core.elementRecord(inst, 'ELEMENT_COMPLETED');
  const localVars = inst.type === 'PROCESS' ? visibleVariables(core, inst.key) : undefined;
  deleteScopeVariables(core, inst.key);
  core.store.elements.delete(inst.key);
  if (inst.type === 'PROCESS') {
    core.behaviorFor('PROCESS').afterEnded!(core, inst, el, { completed: true, variables: localVars! });
    return;
  }
  if (!scope) return;
  if (scope.type === 'MULTI_INSTANCE_BODY' && scope.elementId === inst.elementId) {
    core.behaviorFor('MULTI_INSTANCE_BODY').onChildEnded!(core, scope, inst, true);
    return;
  }
  const next = behavior.outgoing ? behavior.outgoing(core, inst, el) : el.outgoing;
  for (const f of next)
    takeFlow(
      core,
      core.store.elements.get(scope.key)!,
      f,
      inst.flowPayload ? { payload: inst.flowPayload, triggered: true } : {},
    );
  if (behavior.afterEnded) behavior.afterEnded(core, inst, el, { completed: true });
  checkScope(core, scope.key);
}

/**
 * Applies a completing element's result. With output mappings: the result is set locally, the
 * mappings are evaluated there and only their targets are merged into the flow scope. Without:
 * tasks and catch events propagate the whole result; subprocesses propagate nothing.
 */
function applyOutputs(core: EngineCore, inst: ElementInstance, el: ElementModel): boolean {
  const payload = inst.payload ?? {};
  if (inst.type === 'MULTI_INSTANCE_BODY' || inst.type === 'PROCESS') return true;
  const isContainer = inst.type === 'SUB_PROCESS' || inst.type === 'EVENT_SUB_PROCESS';
  if (el.outputs.length) {
    if (!isContainer) setLocalVariables(core, inst.key, payload);
    const flowScope = inst.flowScopeKey!;
    const r = evaluateMappings(
      core,
      el.outputs,
      inst.key,
      {},
      (name) => visibleVariables(core, flowScope, [name])[name],
    );
    if (!r.ok) {
      fail(core, inst, 'IO_MAPPING_ERROR', r.message);
      return false;
    }
    mergeVariables(core, flowScope, r.doc);
  } else if (!isContainer && Object.keys(payload).length) {
    mergeVariables(core, inst.key, payload);
  }
  if (inst.payload) core.store.elements.update(inst.key, { payload: undefined });
  return true;
}

/** After a child ended: re-check joins and complete the scope when nothing is left in it. */
export function checkScope(core: EngineCore, scopeKey: Key): void {
  const scope = core.store.elements.get(scopeKey);
  if (!scope || scope.state !== 'ACTIVATED') return;
  if (scope.type === 'MULTI_INSTANCE_BODY') return; // the body decides itself (onChildEnded)
  retryInclusiveJoins(core, scope);
  const s = core.store.elements.get(scopeKey)!;
  if (s.activeFlows === 0 && core.store.childrenOf.get(scopeKey).size === 0) queueCompletion(core, s);
}

// Termination -------------------------------------------------------------------------------------

/**
 * Terminates an element instance and everything inside it, at once: jobs cancelled, timers and
 * subscriptions closed, incidents resolved, called process instances terminated.
 */
export function terminate(core: EngineCore, inst: ElementInstance): void {
  if (!core.store.elements.has(inst.key)) return;
  inst = core.store.elements.update(inst.key, { state: 'TERMINATING' });
  core.elementRecord(inst, 'ELEMENT_TERMINATING');
  for (const ck of [...core.store.childrenOf.get(inst.key)]) {
    const child = core.store.elements.get(ck);
    if (child) terminate(core, child);
  }
  cancelJobsOf(core, inst.key);
  cancelUserTaskOf(core, inst);
  closeEventSubscriptions(core, inst);
  resolveIncidentsOf(core, inst.key);
  if (inst.calledInstanceKey) {
    const child = core.store.elements.get(inst.calledInstanceKey);
    if (child) terminate(core, child);
  }
  // Queued activations inside this instance are dropped with it.
  for (let i = core.steps.length - 1; i >= 0; i--) {
    const s = core.steps[i];
    if (
      (s.kind === 'activate' && s.scopeKey === inst.key) ||
      ((s.kind === 'complete' || s.kind === 'run-activation') && s.key === inst.key)
    )
      core.steps.splice(i, 1);
  }
  core.elementRecord(inst, 'ELEMENT_TERMINATED');
  deleteScopeVariables(core, inst.key);
  core.store.elements.delete(inst.key);
  if (inst.type === 'PROCESS')
    core.behaviorFor('PROCESS').afterEnded!(core, inst, core.element(inst), { completed: false });
}

/** Terminates all children of a scope (terminate end event, interrupting event subprocess). */
export function terminateChildren(core: EngineCore, scope: ElementInstance, except?: Key): void {
  for (const ck of [...core.store.childrenOf.get(scope.key)]) {
    if (ck === except) continue;
    const child = core.store.elements.get(ck);
    if (child) terminate(core, child);
  }
  for (let i = core.steps.length - 1; i >= 0; i--) {
    const s = core.steps[i];
    if (s.kind === 'activate' && s.scopeKey === scope.key) core.steps.splice(i, 1);
  }
  const current = core.store.elements.get(scope.key);
  if (current) core.store.elements.update(scope.key, { activeFlows: 0, joins: undefined });
}
