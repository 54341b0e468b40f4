import { cancelTimer, openCatch, subRecord, timerRecord } from '../bpmn/behaviors/events';
import { incidentRecord } from '../bpmn/behaviors/incidents';
import { jobRecord } from '../bpmn/behaviors/jobs';
import type { ElementModel, ProcessModel } from '../model/types';
import type { EngineCore } from '../processing/EngineCore';
import { TENANT } from '../processing/EngineCore';
import { Rejection } from '../processing/Rejection';
import type { BpmnElementType, ElementInstance, Key, ResourceRow } from '../state/types';

/**
 * MigrateProcessInstance (Zeebe 8.8's ProcessInstanceMigrationMigrateProcessor and its
 * preconditions): moves a running instance to another process definition. Every active element
 * instance must be mapped to an element of the same type in the same flow scope; element instances,
 * their jobs (type and retries kept), incidents, subscriptions and timers move with them. A catch
 * event that is mapped keeps its subscription or timer; one that is not is closed, and catch events
 * of the target that nothing was mapped to are opened.
 */

export interface MigrateRequest {
  processInstanceKey: Key;
  targetProcessDefinitionKey: Key;
  mappingInstructions: { sourceElementId: string; targetElementId: string }[];
}

const INTENT = 'MIGRATE';
const SUPPORTED: BpmnElementType[] = [
  'PROCESS',
  'SERVICE_TASK',
  'USER_TASK',
  'SUB_PROCESS',
  'CALL_ACTIVITY',
  'INTERMEDIATE_CATCH_EVENT',
  'RECEIVE_TASK',
  'EVENT_SUB_PROCESS',
  'EXCLUSIVE_GATEWAY',
  'EVENT_BASED_GATEWAY',
  'BUSINESS_RULE_TASK',
  'SCRIPT_TASK',
  'SEND_TASK',
  'MULTI_INSTANCE_BODY',
];
const SUPPORTED_CATCH_EVENTS = ['message', 'timer', 'signal'];

const invalidState = (reason: string) => new Rejection('INVALID_STATE', INTENT, reason);
const invalidArgument = (reason: string) => new Rejection('INVALID_ARGUMENT', INTENT, reason);

/** The element instances of a process instance, each scope before what it contains. */
function instanceTree(core: EngineCore, root: ElementInstance): ElementInstance[] {
  const out: ElementInstance[] = [];
  const queue = [root];
  while (queue.length) {
    const inst = queue.shift()!;
    out.push(inst);
    for (const k of core.store.childrenOf.get(inst.key)) queue.push(core.store.elements.get(k)!);
  }
  return out;
}

/** The BPMN element type an instance of this element has (a multi-instance element's outer instance is its body). */
const typeOf = (el: ElementModel, inner: boolean): BpmnElementType =>
  el.mi && !inner ? 'MULTI_INSTANCE_BODY' : el.type;

const isInner = (core: EngineCore, inst: ElementInstance) =>
  inst.type !== 'MULTI_INSTANCE_BODY' &&
  !!inst.flowScopeKey &&
  core.store.elements.get(inst.flowScopeKey)?.type === 'MULTI_INSTANCE_BODY' &&
  core.store.elements.get(inst.flowScopeKey)?.elementId === inst.elementId;

export function migrateInstance(core: EngineCore, req: MigrateRequest): { key: Key } {
  const pik = req.processInstanceKey;
  const root = core.store.elements.get(pik);
  if (!root || root.type !== 'PROCESS')
    throw new Rejection(
      'NOT_FOUND',
      INTENT,
      `Expected to migrate process instance but no process instance found with key '${pik}'`,
    );
  const targetDef: ResourceRow | undefined = core.store.resources.get(req.targetProcessDefinitionKey);
  if (!targetDef || targetDef.kind !== 'process')
    throw new Rejection(
      'NOT_FOUND',
      INTENT,
      `Expected to migrate process instance to process definition but no process definition found with key '${req.targetProcessDefinitionKey}'`,
    );
  const source = core.model(root.processDefinitionKey);
  const target = core.model(targetDef.key);

  const counts = new Map<string, number>();
  for (const m of req.mappingInstructions) counts.set(m.sourceElementId, (counts.get(m.sourceElementId) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  if (duplicates.length)
    throw invalidArgument(
      `Expected to migrate process instance '${pik}' but the mapping instructions contain duplicate source element ids '[${duplicates.join(', ')}]'.`,
    );
  for (const m of req.mappingInstructions) {
    if (!source.elements.get(m.sourceElementId))
      throw invalidArgument(
        `Expected to migrate process instance '${pik}' but mapping instructions contain a non-existing source element id '${m.sourceElementId}'. Elements provided in mapping instructions must exist in the source process definition.`,
      );
    if (!target.elements.get(m.targetElementId))
      throw invalidArgument(
        `Expected to migrate process instance '${pik}' but mapping instructions contain a non-existing target element id '${m.targetElementId}'. Elements provided in mapping instructions must exist in the target process definition.`,
      );
  }
  const mapping = new Map(req.mappingInstructions.map((m) => [m.sourceElementId, m.targetElementId]));
  mapping.set(source.root.id, target.root.id);

  const tree = instanceTree(core, root);
  const targets = new Map<Key, string>();
  for (const inst of tree) targets.set(inst.key, checkInstance(core, source, target, mapping, inst, pik));

  for (const inst of tree)
    migrateElementInstance(core, source, target, targetDef, mapping, inst, targets.get(inst.key)!);
  core.record(
    'PROCESS_INSTANCE_MIGRATION',
    'MIGRATED',
    pik,
    {
      processInstanceKey: pik,
      targetProcessDefinitionKey: targetDef.key,
      mappingInstructions: req.mappingInstructions,
      tenantId: TENANT,
    },
    pik,
  );
  return { key: pik };
}

/** Zeebe's per-element preconditions; returns the id the instance moves to. */
function checkInstance(
  core: EngineCore,
  source: ProcessModel,
  target: ProcessModel,
  mapping: Map<string, string>,
  inst: ElementInstance,
  pik: Key,
): string {
  if (!SUPPORTED.includes(inst.type))
    throw invalidState(
      `Expected to migrate process instance '${pik}' but active element with id '${inst.elementId}' has an unsupported type. The migration of a ${inst.type} is not supported.`,
    );
  const el = source.elements.get(inst.elementId) ?? source.root;
  if (inst.type === 'INTERMEDIATE_CATCH_EVENT') {
    if (!SUPPORTED_CATCH_EVENTS.includes(el.event ?? 'none'))
      throw invalidState(
        `Expected to migrate process instance '${pik}' but active element with id '${inst.elementId}' is intermediate catch event of type '${(el.event ?? 'none').toUpperCase()}'. Migrating active intermediate catch event of this type is not possible yet.`,
      );
    if (el.incoming.some((f) => source.elements.get(source.flows.get(f)!.sourceId)?.type === 'EVENT_BASED_GATEWAY'))
      throw invalidState(
        `Expected to migrate process instance '${pik}' but active element with id '${inst.elementId}' is an intermediate catch event attached to an event-based gateway. Migrating active events attached to an event-based gateway is not possible yet.`,
      );
  }
  const targetId = mapping.get(inst.elementId);
  if (targetId === undefined)
    throw invalidState(
      `Expected to migrate process instance '${pik}' but no mapping instruction defined for active element with id '${inst.elementId}'. Elements cannot be migrated without a mapping.`,
    );
  const targetEl = target.elements.get(targetId) ?? target.root;
  const inner = isInner(core, inst);
  const targetType = inst.type === 'PROCESS' ? 'PROCESS' : typeOf(targetEl, inner);
  if (targetType !== inst.type)
    throw invalidState(
      `Expected to migrate process instance '${pik}' but active element with id '${inst.elementId}' and type '${inst.type}' is mapped to an element with id '${targetId}' and different type '${targetType}'. Elements must be mapped to elements of the same type.`,
    );
  if (inst.type === 'MULTI_INSTANCE_BODY' && el.mi!.sequential !== targetEl.mi!.sequential)
    throw invalidState(
      `Expected to migrate process instance '${pik}' but active element with id '${inst.elementId}' has a different loop characteristics than the target element with id '${targetId}'. Both elements must have either sequential or parallel loop characteristics.`,
    );
  if (inst.flowScopeKey) {
    const scope = core.store.elements.get(inst.flowScopeKey)!;
    // The flow scope has been migrated before its children: compare with the id it moves to.
    const expected = mapping.get(scope.elementId)!;
    const actual = inner ? targetId : (targetEl.flowScopeId ?? '');
    if (expected !== actual)
      throw invalidState(
        `Expected to migrate process instance '${pik}' but the flow scope of active element with id '${inst.elementId}' is changed. The flow scope of the active element is expected to be '${expected}' but was '${actual}'. The flow scope of an element cannot be changed during migration yet.`,
      );
  }
  // A mapped catch event of this element must stay attached to the element it is mapped to.
  if (!inner) {
    const catches = [...el.boundaryIds, ...el.eventSubProcessIds.map((id) => source.elements.get(id)!.startId ?? '')];
    for (const c of catches) {
      const mapped = mapping.get(c);
      if (mapped === undefined) continue;
      const t = target.elements.get(mapped)!;
      const attachedTo =
        t.type === 'BOUNDARY_EVENT' ? t.attachedToId : target.elements.get(t.flowScopeId ?? '')?.flowScopeId;
      if (attachedTo !== targetId)
        throw invalidState(
          `Expected to migrate process instance '${pik}' but active element with id '${inst.elementId}' is mapped to an element with id '${targetId}' and has a catch event with id '${c}' that is mapped to a catch event with id '${mapped}'. These mappings detach the catch event from the element in the target process. Catch events must stay attached to the same element instance.`,
        );
    }
  }
  if (inst.joins) {
    for (const gw of Object.keys(inst.joins)) {
      const to = mapping.get(gw) ?? gw;
      if (target.elements.get(to)?.type !== source.elements.get(gw)?.type)
        throw invalidState(
          `Expected to migrate process instance '${pik}' but the gateway with id '${gw}' has taken sequence flows and is not mapped to a gateway of the same type in the target process. Gateways with taken sequence flows must be mapped.`,
        );
    }
  }
  return targetId;
}

function migrateElementInstance(
  core: EngineCore,
  source: ProcessModel,
  target: ProcessModel,
  targetDef: ResourceRow,
  mapping: Map<string, string>,
  inst: ElementInstance,
  targetId: string,
): void {
  const where = {
    processDefinitionKey: targetDef.key,
    bpmnProcessId: targetDef.resourceId,
    version: targetDef.version,
  };
  const joins = inst.joins
    ? Object.fromEntries(Object.entries(inst.joins).map(([gw, a]) => [mapping.get(gw) ?? gw, a]))
    : undefined;
  const moved = core.store.elements.update(inst.key, { ...where, elementId: targetId, joins });
  core.elementRecord(moved, 'ELEMENT_MIGRATED');

  for (const jk of [...core.store.jobsByElement.get(inst.key)]) {
    const job = core.store.jobs.update(jk, { ...where, elementId: targetId });
    core.record('JOB', 'MIGRATED', jk, jobRecord(job), inst.processInstanceKey);
  }
  for (const ik of [...core.store.incidentsByElement.get(inst.key)]) {
    const incident = core.store.incidents.update(ik, {
      processDefinitionKey: where.processDefinitionKey,
      bpmnProcessId: where.bpmnProcessId,
      elementId: targetId,
    });
    core.record('INCIDENT', 'MIGRATED', ik, incidentRecord(incident), inst.processInstanceKey);
  }
  migrateCatches(core, target, mapping, moved, inst.elementId, targetId);
}

/** Mapped subscriptions and timers move; unmapped ones close; target catch events nobody maps to open. */
function migrateCatches(
  core: EngineCore,
  target: ProcessModel,
  mapping: Map<string, string>,
  inst: ElementInstance,
  sourceId: string,
  targetId: string,
): void {
  const covered = new Set<string>();
  // The element's own catch (catch event, receive task) moves with it; others by their mapping.
  const moveTo = (catchId: string): string | undefined => {
    if (catchId === sourceId) return targetId;
    const to = mapping.get(catchId);
    if (to !== undefined) covered.add(to);
    return to;
  };
  for (const sk of [...core.store.subsByElement.get(inst.key)]) {
    const s = core.store.subscriptions.get(sk)!;
    const to = moveTo(s.catchElementId);
    const kind = s.kind === 'message' ? 'MESSAGE_SUBSCRIPTION' : 'SIGNAL_SUBSCRIPTION';
    if (to === undefined) {
      core.store.subscriptions.delete(sk);
      core.record(kind, 'DELETED', sk, subRecord(s), s.processInstanceKey);
      continue;
    }
    const moved = core.store.subscriptions.update(sk, { catchElementId: to, bpmnProcessId: inst.bpmnProcessId });
    core.record(kind, 'MIGRATED', sk, subRecord(moved), inst.processInstanceKey);
  }
  for (const id of [...core.store.dueByElement.get(inst.key)]) {
    const due = core.store.due.get(id)!;
    const to = moveTo(due.data.targetElementId);
    if (to === undefined) {
      cancelTimer(core, due);
      continue;
    }
    const data = { ...due.data, targetElementId: to, processDefinitionKey: inst.processDefinitionKey };
    core.store.due.update(id, { data });
    core.record('TIMER', 'MIGRATED', data.timerKey, timerRecord(data, due.dueAt), inst.processInstanceKey);
  }
  if (isInner(core, inst)) return; // boundary events belong to the multi-instance body
  const el = target.elements.get(targetId) ?? target.root;
  const opens: ElementModel[] = [];
  for (const b of el.boundaryIds) if (!covered.has(b)) opens.push(target.elements.get(b)!);
  if (inst.type === 'PROCESS' || inst.type === 'SUB_PROCESS' || inst.type === 'EVENT_SUB_PROCESS') {
    for (const esp of el.eventSubProcessIds) {
      const start = target.elements.get(target.elements.get(esp)!.startId ?? '');
      if (start && start.event !== 'error' && start.event !== 'escalation' && !covered.has(start.id)) opens.push(start);
    }
  }
  for (const c of opens) {
    const err = openCatch(core, inst, c, inst.key);
    if (err)
      throw invalidState(
        `Expected to migrate process instance '${inst.processInstanceKey}' but the catch event '${c.id}' of element '${targetId}' could not be subscribed: ${err}`,
      );
  }
}
