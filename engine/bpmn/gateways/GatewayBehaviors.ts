import type { ElementModel } from '../../model/types';
import type { EngineCore } from '../../processing/EngineCore';
import type { ElementInstance } from '../../state/types';
import type { ElementBehavior } from '../ElementBehavior';
import { fail, queueCompletion, transitionToActivated } from '../execution';
import { evaluateSource } from '../behaviors/variables';

type Choice =
  { ok: true; flows: string[] } | { ok: false; type: 'EXTRACT_VALUE_ERROR' | 'CONDITION_ERROR'; message: string };

/** Evaluates the conditions of outgoing flows (document order); non-boolean results are errors. */
function evaluateConditions(core: EngineCore, inst: ElementInstance, el: ElementModel, firstOnly: boolean): Choice {
  const model = core.model(inst.processDefinitionKey);
  if (el.outgoing.length === 1 && model.flows.get(el.outgoing[0])!.condition === undefined)
    return { ok: true, flows: el.outgoing };
  const chosen: string[] = [];
  for (const fid of el.outgoing) {
    if (fid === el.defaultFlowId) continue;
    const cond = model.flows.get(fid)!.condition;
    if (cond === undefined) {
      if (el.type === 'INCLUSIVE_GATEWAY') chosen.push(fid);
      continue;
    }
    const r = evaluateSource(core, cond, inst.key);
    if (!r.ok) return { ok: false, type: 'EXTRACT_VALUE_ERROR', message: r.message };
    if (typeof r.value !== 'boolean') {
      return {
        ok: false,
        type: 'EXTRACT_VALUE_ERROR',
        message: `Expected result of the expression '${cond}' to be 'BOOLEAN', but was '${r.value === null ? 'NULL' : typeof r.value === 'string' ? 'STRING' : typeof r.value === 'number' ? 'NUMBER' : 'OBJECT'}'.`,
      };
    }
    if (r.value) {
      chosen.push(fid);
      if (firstOnly) break;
    }
  }
  if (chosen.length) return { ok: true, flows: chosen };
  if (el.defaultFlowId) return { ok: true, flows: [el.defaultFlowId] };
  if (el.outgoing.length === 0) return { ok: true, flows: [] };
  return {
    ok: false,
    type: 'CONDITION_ERROR',
    message: 'Expected at least one condition to evaluate to true, or to have a default flow',
  };
}

function choosing(firstOnly: boolean): ElementBehavior {
  return {
    activate(core, inst, el) {
      const choice = evaluateConditions(core, inst, el, firstOnly);
      if (!choice.ok) {
        fail(core, inst, choice.type, choice.message);
        return;
      }
      if (!transitionToActivated(core, inst)) return;
      core.store.elements.update(inst.key, { selectedFlows: choice.flows });
      queueCompletion(core, inst);
    },
    outgoing(_core, inst) {
      return inst.selectedFlows ?? [];
    },
  };
}

/** Exclusive gateway: the first flow whose condition is true, else the default flow, else an incident. */
export const exclusiveGatewayBehavior = choosing(true);

/** Inclusive gateway: every flow whose condition is true (the join is handled in execution.ts). */
export const inclusiveGatewayBehavior = choosing(false);

/** Parallel gateway: all outgoing flows (the join waits for every incoming flow). */
export const parallelGatewayBehavior: ElementBehavior = {
  activate(core, inst) {
    if (transitionToActivated(core, inst)) queueCompletion(core, inst);
  },
};
