import type { ElementModel } from '../../model/types';
import type { EngineCore } from '../../processing/EngineCore';
import { TENANT } from '../../processing/EngineCore';
import type { ElementInstance } from '../../state/types';
import { fail, queueActivation, queueCompletion, transitionToActivated } from '../execution';
import { createJob, evaluateJobSpec } from '../behaviors/jobs';
import { broadcastSignal } from '../behaviors/signals';
import { catchThrown, findCatch } from '../behaviors/triggers';
import { evaluateTyped } from '../behaviors/variables';

/**
 * What throw and end events share: message (a job), signal (broadcast with the event's local
 * variables), escalation (caught by search; uncaught escalations are recorded and the flow goes
 * on), link (jump to the catch with the same name). Returns 'wait' when the element waits.
 */
export function throwEvent(core: EngineCore, inst: ElementInstance, el: ElementModel): 'continue' | 'wait' | 'stop' {
  switch (el.event) {
    case 'message': {
      const spec = evaluateJobSpec(core, inst, el);
      if (!spec.ok) {
        fail(core, inst, 'EXTRACT_VALUE_ERROR', spec.message);
        return 'stop';
      }
      if (!transitionToActivated(core, inst)) return 'stop';
      createJob(core, core.store.elements.get(inst.key)!, spec.spec);
      return 'wait';
    }
    case 'signal': {
      const name = evaluateTyped(core, el.signal!.name, inst.key, 'STRING');
      if (!name.ok) {
        fail(core, inst, 'EXTRACT_VALUE_ERROR', name.message);
        return 'stop';
      }
      if (!transitionToActivated(core, inst)) return 'stop';
      broadcastSignal(core, name.value as string, core.store.localVariables(inst.key));
      return core.store.elements.has(inst.key) ? 'continue' : 'stop';
    }
    case 'escalation': {
      const code = evaluateTyped(core, el.escalationCode!, inst.key, 'STRING');
      if (!code.ok) {
        fail(core, inst, 'EXTRACT_VALUE_ERROR', code.message);
        return 'stop';
      }
      if (!transitionToActivated(core, inst)) return 'stop';
      const target = findCatch(core, core.store.elements.get(inst.key)!, 'escalation', code.value as string);
      const value = {
        escalationCode: code.value,
        throwElementId: el.id,
        catchElementId: target?.catchEl.id ?? '',
        processInstanceKey: inst.processInstanceKey,
        tenantId: TENANT,
      };
      if (!target) {
        core.record('ESCALATION', 'NOT_ESCALATED', core.store.nextKey(), value, inst.processInstanceKey);
        return 'continue';
      }
      core.record('ESCALATION', 'ESCALATED', core.store.nextKey(), value, inst.processInstanceKey);
      catchThrown(core, target, {});
      return core.store.elements.has(inst.key) ? 'continue' : 'stop';
    }
    case 'link': {
      if (!transitionToActivated(core, inst)) return 'stop';
      return 'continue';
    }
    default:
      return transitionToActivated(core, inst) ? 'continue' : 'stop';
  }
}

/** Link throw: completes and activates the catch link event with the same name in its scope. */
export function jumpToLink(core: EngineCore, inst: ElementInstance, el: ElementModel): void {
  const model = core.model(inst.processDefinitionKey);
  const scope = core.store.elements.get(inst.flowScopeKey!)!;
  const target = [...model.elements.values()].find(
    (e) =>
      e.type === 'INTERMEDIATE_CATCH_EVENT' &&
      e.event === 'link' &&
      e.linkName === el.linkName &&
      e.flowScopeId === el.flowScopeId,
  )!;
  queueActivation(core, scope, { elementId: target.id });
}

export { queueCompletion };
