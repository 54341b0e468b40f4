import type { ElementBehavior } from '../ElementBehavior';
import { queueCompletion, transitionToActivated } from '../execution';
import { retryBufferedMessageStarts } from '../behaviors/messageStarts';
import { queueStarts } from '../behaviors/instances';

/**
 * The process instance itself. It is created by commands (createProcessInstance, message, timer
 * and signal starts); when it ends it reports to the calling call activity, with-result waiters
 * and buffered message starts waiting for it.
 */
export const processBehavior: ElementBehavior = {
  /**
   * Only reached when an incident held the process's own activation (behaviors/instances.ts) and
   * was resolved: retry opening the event-subprocess subscriptions, then start as planned.
   */
  activate(core, inst) {
    if (!transitionToActivated(core, inst)) return;
    const root = core.store.elements.update(inst.key, { pendingStart: undefined });
    if (inst.pendingStart) queueStarts(core, root, inst.pendingStart);
  },
  afterEnded(core, inst, el, info) {
    if (info.completed) {
      core.effects.completed.set(inst.key, info.variables ?? {});
      const caller = inst.parentElementInstanceKey ? core.store.elements.get(inst.parentElementInstanceKey) : undefined;
      if (caller && caller.state === 'ACTIVATED') {
        const callEl = core.element(caller);
        const propagate = callEl.called!.propagateAllChildVariables || callEl.outputs.length > 0;
        core.store.elements.update(caller.key, {
          calledInstanceKey: undefined,
          payload: propagate ? info.variables : {},
        });
        queueCompletion(core, core.store.elements.get(caller.key)!);
      }
    } else {
      core.effects.terminated.add(inst.key);
    }
    if (inst.startedByMessageCorrelationKey)
      retryBufferedMessageStarts(core, inst.bpmnProcessId, inst.startedByMessageCorrelationKey);
    void el;
  },
};
