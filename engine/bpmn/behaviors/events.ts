import { addDuration, nextCron, parseCycle, parseDateTime } from '../../model/timerSyntax';
import type { ElementModel, TimerDef } from '../../model/types';
import type { EngineCore } from '../../processing/EngineCore';
import { TENANT } from '../../processing/EngineCore';
import type { Due, ElementInstance, Key, Subscription, TimerData } from '../../state/types';
import { evaluate, evaluateTyped } from './variables';

type Result<T> = { ok: true; value: T } | { ok: false; message: string };

/** When a timer first fires and how it repeats, from its (evaluated) definition. */
export function evaluateTimer(
  core: EngineCore,
  def: TimerDef,
  scopeKey: Key | null,
): Result<{ dueAt: number; repetitions: number; cycle?: TimerData['cycle'] }> {
  const r = evaluate(core, def.expr, scopeKey);
  if (!r.ok) return r;
  const text = typeof r.value === 'string' ? r.value : null;
  if (text === null) {
    return {
      ok: false,
      message: `Expected result of the expression '${def.expr.feel}' to be 'STRING' (an ISO-8601 ${def.kind}), but was '${r.value === null ? 'NULL' : typeof r.value}'.`,
    };
  }
  const now = core.now();
  try {
    if (def.kind === 'duration') return { ok: true, value: { dueAt: addDuration(text, now), repetitions: 1 } };
    if (def.kind === 'date') return { ok: true, value: { dueAt: parseDateTime(text), repetitions: 1 } };
    const c = parseCycle(text);
    if (c.cron) return { ok: true, value: { dueAt: nextCron(c.cron, now), repetitions: -1, cycle: { cron: c.cron } } };
    const first = c.start ?? addDuration(c.interval!, now);
    return { ok: true, value: { dueAt: first, repetitions: c.repetitions, cycle: { interval: c.interval } } };
  } catch (e) {
    return { ok: false, message: `Invalid timer ${def.kind} '${text}': ${(e as Error).message}` };
  }
}

/** Next due time of a repeating timer after it fired at `firedAt`. */
export function nextCycleDue(cycle: NonNullable<TimerData['cycle']>, firedAt: number): number {
  return cycle.cron ? nextCron(cycle.cron, firedAt) : addDuration(cycle.interval!, firedAt);
}

export function timerRecord(t: TimerData, dueAt: number) {
  return {
    elementInstanceKey: t.elementInstanceKey ?? '-1',
    processInstanceKey: t.processInstanceKey ?? '-1',
    processDefinitionKey: t.processDefinitionKey,
    targetElementId: t.targetElementId,
    dueDate: dueAt,
    repetitions: t.repetitions,
    tenantId: TENANT,
  };
}

export function createTimer(core: EngineCore, data: Omit<TimerData, 'timerKey'>, dueAt: number): void {
  const timerKey = core.store.nextKey();
  const t: TimerData = { ...data, timerKey };
  core.store.due.put(`timer:${timerKey}`, { id: `timer:${timerKey}`, kind: 'timer', dueAt, data: t });
  core.effects.dueChanged = true;
  core.record('TIMER', 'CREATED', timerKey, timerRecord(t, dueAt), t.processInstanceKey);
}

export function cancelTimer(core: EngineCore, due: Due): void {
  core.store.due.delete(due.id);
  core.effects.dueChanged = true;
  core.record('TIMER', 'CANCELED', due.data.timerKey, timerRecord(due.data, due.dueAt), due.data.processInstanceKey);
}

/** Closes the timers and subscriptions an element instance holds (it completed or was terminated). */
export function closeEventSubscriptions(core: EngineCore, inst: ElementInstance): void {
  for (const id of [...core.store.dueByElement.get(inst.key)]) cancelTimer(core, core.store.due.get(id)!);
  for (const sk of [...core.store.subsByElement.get(inst.key)]) {
    const s = core.store.subscriptions.get(sk)!;
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

export function subRecord(s: Subscription) {
  return {
    messageName: s.kind === 'message' ? s.name : undefined,
    signalName: s.kind === 'signal' ? s.name : undefined,
    correlationKey: s.correlationKey,
    elementInstanceKey: s.elementInstanceKey,
    processInstanceKey: s.processInstanceKey,
    bpmnProcessId: s.bpmnProcessId,
    elementId: s.catchElementId,
    interrupting: s.interrupting,
    tenantId: TENANT,
  };
}

/**
 * Opens the subscription or timer of one catch element on behalf of a waiting instance (the catch
 * event itself, an event-based gateway, the activity of a boundary event, or the scope of an
 * event subprocess). Returns an error message for an incident.
 */
export function openCatch(
  core: EngineCore,
  waiting: ElementInstance,
  catchEl: ElementModel,
  scopeKey: Key,
): string | null {
  if (catchEl.event === 'timer') {
    const t = evaluateTimer(core, catchEl.timer!, scopeKey);
    if (!t.ok) return t.message;
    createTimer(
      core,
      {
        elementInstanceKey: waiting.key,
        processInstanceKey: waiting.processInstanceKey,
        processDefinitionKey: waiting.processDefinitionKey,
        targetElementId: catchEl.id,
        interrupting: catchEl.interrupting,
        repetitions: t.value.repetitions,
        cycle: t.value.cycle,
      },
      t.value.dueAt,
    );
    return null;
  }
  if (catchEl.event === 'message') {
    const name = evaluateTyped(core, catchEl.message!.name, scopeKey, 'STRING');
    if (!name.ok) return name.message;
    const ck = evaluate(core, catchEl.message!.correlationKey!, scopeKey);
    if (!ck.ok) return ck.message;
    if (typeof ck.value !== 'string' && typeof ck.value !== 'number' && typeof ck.value !== 'bigint') {
      return `Failed to extract the correlation key for '${catchEl.message!.correlationKey!.feel}': The value must be either a string or a number, but was '${ck.value === null ? 'NULL' : Array.isArray(ck.value) ? 'ARRAY' : typeof ck.value === 'boolean' ? 'BOOLEAN' : 'OBJECT'}'.`;
    }
    openSubscription(core, waiting, catchEl, 'message', name.value as string, String(ck.value));
    return null;
  }
  if (catchEl.event === 'signal') {
    const name = evaluateTyped(core, catchEl.signal!.name, scopeKey, 'STRING');
    if (!name.ok) return name.message;
    openSubscription(core, waiting, catchEl, 'signal', name.value as string, '');
    return null;
  }
  return null; // error/escalation catches are found by search, not subscribed
}

function openSubscription(
  core: EngineCore,
  waiting: ElementInstance,
  catchEl: ElementModel,
  kind: 'message' | 'signal',
  name: string,
  correlationKey: string,
) {
  const key = core.store.nextKey();
  const s: Subscription = {
    key,
    kind,
    name,
    correlationKey,
    elementInstanceKey: waiting.key,
    processInstanceKey: waiting.processInstanceKey,
    bpmnProcessId: waiting.bpmnProcessId,
    catchElementId: catchEl.id,
    interrupting: catchEl.interrupting,
  };
  core.store.subscriptions.put(key, s);
  core.record(
    kind === 'message' ? 'MESSAGE_SUBSCRIPTION' : 'SIGNAL_SUBSCRIPTION',
    'CREATED',
    key,
    subRecord(s),
    s.processInstanceKey,
  );
}
