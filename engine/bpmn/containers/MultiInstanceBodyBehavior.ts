import type { ElementBehavior } from '../ElementBehavior';
import { fail, queueActivation, queueCompletion, terminate, transitionToActivated } from '../execution';
import { evaluateSource, mergeVariables, setLocalVariable } from '../behaviors/variables';
import type { EngineCore } from '../../processing/EngineCore';
import type { ElementInstance } from '../../state/types';

function activateInner(core: EngineCore, body: ElementInstance, index: number): void {
  const el = core.element(body);
  const mi = body.mi!;
  queueActivation(core, body, {
    elementId: el.id,
    loopCounter: index + 1,
    inputElement: el.mi!.inputElement ? { name: el.mi!.inputElement, value: mi.items[index] } : undefined,
  });
  core.store.elements.update(body.key, { mi: { ...mi, next: index + 1 } });
}

/**
 * Multi-instance body: evaluates the input collection, runs one inner instance per item (all at
 * once, or one after another), collects `outputElement` values into `outputCollection`, honours the
 * completion condition and propagates the output collection when it completes.
 */
export const multiInstanceBodyBehavior: ElementBehavior = {
  activate(core, inst, el) {
    const r = evaluateSource(core, el.mi!.inputCollection, inst.key);
    if (!r.ok || !Array.isArray(r.value)) {
      const msg = !r.ok
        ? r.message
        : `Expected result of the expression '${el.mi!.inputCollection}' to be 'ARRAY', but was '${r.value === null ? 'NULL' : typeof r.value === 'string' ? 'STRING' : typeof r.value === 'number' ? 'NUMBER' : typeof r.value === 'boolean' ? 'BOOLEAN' : 'OBJECT'}'.`;
      fail(core, inst, 'EXTRACT_VALUE_ERROR', msg);
      return;
    }
    const items = r.value;
    if (el.mi!.outputCollection)
      setLocalVariable(
        core,
        inst.key,
        el.mi!.outputCollection,
        items.map(() => null),
      );
    core.store.elements.update(inst.key, { mi: { items, next: 0, completed: 0, terminated: 0 } });
    if (!transitionToActivated(core, core.store.elements.get(inst.key)!)) return;
    if (items.length === 0) {
      queueCompletion(core, inst);
      return;
    }
    const count = el.mi!.sequential ? 1 : items.length;
    for (let i = 0; i < count; i++) activateInner(core, core.store.elements.get(inst.key)!, i);
  },

  beforeInnerCompleted(core, body, inner, el) {
    const mi = el.mi!;
    if (mi.outputCollection && mi.outputElement) {
      const r = evaluateSource(core, mi.outputElement, inner.key);
      if (!r.ok) {
        fail(core, inner, 'EXTRACT_VALUE_ERROR', r.message);
        return false;
      }
      const current = core.store.variable(body.key, mi.outputCollection);
      const list = Array.isArray(current?.value) ? [...(current!.value as unknown[])] : [];
      list[(inner.loopCounter ?? 1) - 1] = r.value;
      setLocalVariable(core, body.key, mi.outputCollection, list);
    }
    if (mi.completionCondition) {
      const b = body.mi!;
      const active = core.store.childrenOf.get(body.key).size;
      const r = evaluateSource(core, mi.completionCondition, inner.key, {
        numberOfInstances: b.items.length,
        numberOfActiveInstances: active - 1,
        numberOfCompletedInstances: b.completed + 1,
        numberOfTerminatedInstances: b.terminated,
      });
      if (!r.ok || typeof r.value !== 'boolean') {
        fail(
          core,
          inner,
          'EXTRACT_VALUE_ERROR',
          !r.ok
            ? r.message
            : `Expected result of the expression '${mi.completionCondition}' to be 'BOOLEAN', but was '${r.value === null ? 'NULL' : typeof r.value}'.`,
        );
        return false;
      }
      if (r.value)
        core.store.elements.update(body.key, { mi: { ...core.store.elements.get(body.key)!.mi!, done: true } });
    }
    return true;
  },

  onChildEnded(core, body, _inner, completed) {
    let b = core.store.elements.get(body.key);
    if (!b || b.state !== 'ACTIVATED') return;
    const mi = {
      ...b.mi!,
      completed: b.mi!.completed + (completed ? 1 : 0),
      terminated: b.mi!.terminated + (completed ? 0 : 1),
    };
    b = core.store.elements.update(b.key, { mi });
    if (mi.done) {
      for (const ck of [...core.store.childrenOf.get(b.key)]) {
        const c = core.store.elements.get(ck);
        if (c) terminate(core, c);
      }
      b = core.store.elements.update(b.key, {
        mi: { ...mi, terminated: mi.terminated + (mi.items.length - mi.completed - mi.terminated) },
        activeFlows: 0,
      });
      queueCompletion(core, b);
      return;
    }
    if (core.element(b).mi!.sequential && mi.next < mi.items.length) {
      activateInner(core, b, mi.next);
      return;
    }
    if (core.store.childrenOf.get(b.key).size === 0 && b.activeFlows === 0) queueCompletion(core, b);
  },

  beforeComplete(core, inst, el) {
    const oc = el.mi!.outputCollection;
    if (oc) mergeVariables(core, inst.flowScopeKey!, { [oc]: core.store.variable(inst.key, oc)?.value ?? [] });
    return true;
  },
};
