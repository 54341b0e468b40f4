import type { ElementModel } from '../../model/types';
import type { EngineCore } from '../../processing/EngineCore';
import { TENANT } from '../../processing/EngineCore';
import type { ElementInstance, Key, Message, Subscription } from '../../state/types';
import { queueActivation, queueCompletion, terminate, terminateChildren } from '../execution';
import { closeEventSubscriptions, subRecord } from './events';

/**
 * Delivers an event (message, timer, signal, error, escalation) to the element instance waiting
 * for it: a catch event or receive task completes, an event-based gateway picks the path, a
 * boundary event interrupts (or not) its activity, an event subprocess starts in its scope.
 * Returns false when the instance cannot take the event now (not active, held by an incident).
 */
export function dispatchTrigger(
  core: EngineCore,
  waiting: ElementInstance,
  catchEl: ElementModel,
  payload: Record<string, unknown>,
): boolean {
  if (waiting.state !== 'ACTIVATED' || waiting.incidentKey) return false;
  switch (catchEl.type) {
    case 'BOUNDARY_EVENT':
      if (catchEl.interrupting) interruptActivity(core, waiting, catchEl, payload);
      else
        queueActivation(core, core.store.elements.get(waiting.flowScopeKey!)!, {
          elementId: catchEl.id,
          payload,
          triggered: true,
        });
      return true;
    case 'START_EVENT': {
      const esp = core.model(waiting.processDefinitionKey).elements.get(catchEl.flowScopeId!)!;
      return triggerEventSubProcess(core, waiting, esp, payload);
    }
    default: {
      if (waiting.elementId === catchEl.id) {
        core.store.elements.update(waiting.key, { payload });
        closeEventSubscriptions(core, waiting);
        queueCompletion(core, waiting);
        return true;
      }
      // An event-based gateway: take the flow to the triggered catch event.
      const gwEl = core.element(waiting);
      const flowId = gwEl.outgoing.find(
        (f) => core.model(waiting.processDefinitionKey).flows.get(f)!.targetId === catchEl.id,
      )!;
      core.store.elements.update(waiting.key, { selectedFlows: [flowId], flowPayload: payload });
      closeEventSubscriptions(core, waiting);
      queueCompletion(core, waiting);
      return true;
    }
  }
}

/** Interrupting boundary event: terminate the activity, then activate the boundary event. */
export function interruptActivity(
  core: EngineCore,
  activity: ElementInstance,
  boundary: ElementModel,
  payload: Record<string, unknown>,
): void {
  const scope = core.store.elements.get(activity.flowScopeKey!)!;
  terminate(core, activity);
  queueActivation(core, core.store.elements.get(scope.key)!, { elementId: boundary.id, payload, triggered: true });
}

/** Starts an event subprocess in `scope`; an interrupting one first terminates everything else in it. */
export function triggerEventSubProcess(
  core: EngineCore,
  scope: ElementInstance,
  esp: ElementModel,
  payload: Record<string, unknown>,
): boolean {
  if (scope.interrupted) return false;
  if (esp.interrupting) {
    const model = core.model(scope.processDefinitionKey);
    // Close the other event-subprocess starts of this scope; its own boundary events stay.
    for (const sk of [...core.store.subsByElement.get(scope.key)]) {
      const s = core.store.subscriptions.get(sk)!;
      if (model.elements.get(s.catchElementId)?.type === 'START_EVENT') {
        core.store.subscriptions.delete(sk);
        core.record(
          s.kind === 'message' ? 'MESSAGE_SUBSCRIPTION' : 'SIGNAL_SUBSCRIPTION',
          'DELETED',
          sk,
          subRecord(s),
          s.processInstanceKey,
        );
      }
    }
    for (const id of [...core.store.dueByElement.get(scope.key)]) {
      const d = core.store.due.get(id)!;
      if (model.elements.get(d.data.targetElementId)?.type === 'START_EVENT') {
        core.store.due.delete(id);
        core.effects.dueChanged = true;
      }
    }
    terminateChildren(core, scope);
    core.store.elements.update(scope.key, { interrupted: true });
  }
  queueActivation(core, core.store.elements.get(scope.key)!, { elementId: esp.id, payload, triggered: true });
  return true;
}

/** Kind of thrown event that is caught by search (not by subscription). */
type ThrowKind = 'error' | 'escalation';

export interface CatchTarget {
  catchEl: ElementModel;
  /** Boundary: the activity instance; event subprocess start: the scope instance. */
  host: ElementInstance;
}

function codeOf(el: ElementModel, kind: ThrowKind): string | undefined {
  return kind === 'error' ? el.errorCode?.raw : el.escalationCode?.raw;
}

function pick(candidates: ElementModel[], kind: ThrowKind, code: string): ElementModel | undefined {
  const matching = candidates.filter((c) => c.event === kind);
  return (
    matching.find((c) => codeOf(c, kind) === code) ??
    matching.find((c) => codeOf(c, kind) === undefined || codeOf(c, kind) === '')
  );
}

/** Zeebe lists a scope's error codes in descending order (the order it tries them in). */
function codesOfScope(candidates: ElementModel[], kind: ThrowKind): string[] {
  return candidates
    .filter((c) => c.event === kind)
    .map((c) => codeOf(c, kind))
    .filter((c): c is string => !!c)
    .sort()
    .reverse();
}

/**
 * Finds the catch event for a thrown error/escalation, from the throwing element outward: its own
 * boundary events, then per enclosing scope its event subprocesses and the scope's boundary events,
 * crossing from a called process into the calling call activity. `available` collects the codes
 * of the catch events that were looked at, scope by scope (for Zeebe's unhandled-error message).
 */
export function findCatch(
  core: EngineCore,
  thrower: ElementInstance,
  kind: ThrowKind,
  code: string,
  available: string[] = [],
): CatchTarget | undefined {
  let cur: ElementInstance | undefined = thrower;
  let first = true;
  while (cur) {
    const model = core.model(cur.processDefinitionKey);
    const el = model.elements.get(cur.elementId)!;
    const isInner = cur.type !== 'MULTI_INSTANCE_BODY' && !!el.mi;
    const looked: ElementModel[] = [];
    if (cur.type === 'PROCESS' || cur.type === 'SUB_PROCESS' || cur.type === 'EVENT_SUB_PROCESS') {
      if (!first) {
        const starts = el.eventSubProcessIds
          .map((id) => model.elements.get(model.elements.get(id)!.startId ?? ''))
          .filter((s): s is ElementModel => !!s);
        const hit = pick(starts, kind, code);
        if (hit) return { catchEl: hit, host: cur };
        looked.push(...starts);
      }
    }
    if (!isInner && cur.type !== 'PROCESS') {
      const boundaries = el.boundaryIds.map((b) => model.elements.get(b)!);
      const hit = pick(boundaries, kind, code);
      if (hit) return { catchEl: hit, host: cur };
      looked.push(...boundaries);
    }
    available.push(...codesOfScope(looked, kind));
    first = false;
    if (cur.flowScopeKey) cur = core.store.elements.get(cur.flowScopeKey);
    else if (cur.parentElementInstanceKey) {
      cur = core.store.elements.get(cur.parentElementInstanceKey);
      first = true; // the call activity itself: boundary events only (its ESPs are its scope's)
      if (cur) {
        const m2 = core.model(cur.processDefinitionKey);
        const callEl = m2.elements.get(cur.elementId)!;
        const boundaries = callEl.boundaryIds.map((b) => m2.elements.get(b)!);
        const hit = pick(boundaries, kind, code);
        if (hit) return { catchEl: hit, host: cur };
        available.push(...codesOfScope(boundaries, kind));
        cur = cur.flowScopeKey ? core.store.elements.get(cur.flowScopeKey) : undefined;
        first = false;
      }
    } else cur = undefined;
  }
  return undefined;
}

/** Zeebe's UNHANDLED_ERROR_EVENT incident message. */
export function unhandledErrorMessage(code: string, errorMessage: string, available: string[]): string {
  const withMessage = errorMessage ? ` with message '${errorMessage}'` : '';
  const codes = available.length
    ? ` Available error events are [${available.join(', ')}]`
    : ' No error events are available in the scope.';
  return `Expected to throw an error event with the code '${code}'${withMessage}, but it was not caught.${codes}`;
}

/** Activates the catch found for a thrown event. */
export function catchThrown(core: EngineCore, target: CatchTarget, payload: Record<string, unknown>): void {
  const { catchEl, host } = target;
  if (catchEl.type === 'BOUNDARY_EVENT') {
    if (catchEl.interrupting) interruptActivity(core, host, catchEl, payload);
    else
      queueActivation(core, core.store.elements.get(host.flowScopeKey!)!, {
        elementId: catchEl.id,
        payload,
        triggered: true,
      });
  } else {
    const esp = core.model(host.processDefinitionKey).elements.get(catchEl.flowScopeId!)!;
    triggerEventSubProcess(core, host, esp, payload);
  }
}

// Messages ------------------------------------------------------------------------------------------

export function messageRecord(m: Message) {
  return {
    name: m.name,
    correlationKey: m.correlationKey,
    messageId: m.messageId,
    timeToLive: m.expiresAt - m.publishedAt,
    deadline: m.expiresAt,
    variables: m.variables,
    tenantId: TENANT,
  };
}

/** Correlates a message to one subscription (marks it as correlated to that process id). */
export function correlate(core: EngineCore, sub: Subscription, message: Message): boolean {
  const waiting = core.store.elements.get(sub.elementInstanceKey);
  if (!waiting) return false;
  const catchEl = core.model(waiting.processDefinitionKey).elements.get(sub.catchElementId)!;
  if (!dispatchTrigger(core, waiting, catchEl, message.variables)) return false;
  core.record(
    'MESSAGE_SUBSCRIPTION',
    'CORRELATED',
    sub.key,
    { ...subRecord(sub), messageKey: message.key, variables: message.variables },
    sub.processInstanceKey,
  );
  return true;
}

/** After a message subscription opened: take the oldest buffered message not yet correlated to this process. */
export function correlateBuffered(core: EngineCore, elementInstanceKey: Key): void {
  for (const sk of [...core.store.subsByElement.get(elementInstanceKey)]) {
    const sub = core.store.subscriptions.get(sk);
    if (!sub || sub.kind !== 'message') continue;
    for (const mk of core.store.messagesByName.get(`${sub.name}\0${sub.correlationKey}`)) {
      const m = core.store.messages.get(mk)!;
      if (m.expiresAt <= core.now() || m.correlatedTo.includes(sub.bpmnProcessId)) continue;
      if (correlate(core, sub, m)) {
        core.store.messages.put(m.key, { ...m, correlatedTo: [...m.correlatedTo, sub.bpmnProcessId] });
        return; // a catch takes one message
      }
    }
  }
}
