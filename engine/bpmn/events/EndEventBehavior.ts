import type { ElementBehavior } from '../ElementBehavior';
import { fail, queueCompletion, terminateChildren, transitionToActivated } from '../execution';
import { catchThrown, findCatch, unhandledErrorMessage } from '../behaviors/triggers';
import { evaluateTyped } from '../behaviors/variables';
import { TENANT } from '../../processing/EngineCore';
import { throwEvent } from './throwing';

/**
 * End events: none; terminate (ends everything else in its scope, which then completes); error
 * (caught by search, else an UNHANDLED_ERROR_EVENT incident); message (job), signal, escalation.
 */
export const endEventBehavior: ElementBehavior = {
  activate(core, inst, el) {
    if (el.event === 'terminate') {
      if (!transitionToActivated(core, inst)) return;
      terminateChildren(core, core.store.elements.get(inst.flowScopeKey!)!, inst.key);
      queueCompletion(core, inst);
      return;
    }
    if (el.event === 'error') {
      const code = evaluateTyped(core, el.errorCode!, inst.key, 'STRING');
      if (!code.ok) {
        fail(core, inst, 'EXTRACT_VALUE_ERROR', code.message);
        return;
      }
      const available: string[] = [];
      const target = findCatch(core, inst, 'error', code.value as string, available);
      if (!target) {
        fail(core, inst, 'UNHANDLED_ERROR_EVENT', unhandledErrorMessage(code.value as string, '', available));
        return;
      }
      if (!transitionToActivated(core, inst)) return;
      core.record(
        'ERROR',
        'THROWN',
        core.store.nextKey(),
        {
          errorCode: code.value,
          errorMessage: '',
          elementId: el.id,
          processInstanceKey: inst.processInstanceKey,
          tenantId: TENANT,
        },
        inst.processInstanceKey,
      );
      catchThrown(core, target, {});
      return;
    }
    if (throwEvent(core, inst, el) === 'continue') queueCompletion(core, inst);
  },
};
