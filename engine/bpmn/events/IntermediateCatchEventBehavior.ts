import type { ElementBehavior } from '../ElementBehavior';
import { fail, queueCompletion, transitionToActivated } from '../execution';
import { openCatch } from '../behaviors/events';
import { correlateBuffered } from '../behaviors/triggers';

/**
 * Intermediate catch events (message, timer, signal, link): open the subscription or timer and
 * wait; a link catch, or a catch event chosen by an event-based gateway, completes at once.
 */
export const intermediateCatchEventBehavior: ElementBehavior = {
  activate(core, inst, el) {
    const mark = core.store.mark();
    if (!transitionToActivated(core, inst)) return;
    if (el.event === 'link' || inst.triggeredCatchId) {
      queueCompletion(core, inst);
      return;
    }
    const err = openCatch(core, core.store.elements.get(inst.key)!, el, inst.key);
    if (err) {
      core.store.rollbackTo(mark);
      fail(core, inst, 'EXTRACT_VALUE_ERROR', err);
      return;
    }
    correlateBuffered(core, inst.key);
  },
};
