import type { ElementBehavior } from '../ElementBehavior';
import { fail, transitionToActivated } from '../execution';
import { openCatch } from '../behaviors/events';
import { correlateBuffered } from '../behaviors/triggers';

/** Receive task: waits for its message like an intermediate message catch, but can carry boundaries. */
export const receiveTaskBehavior: ElementBehavior = {
  activate(core, inst, el) {
    const mark = core.store.mark();
    if (!transitionToActivated(core, inst)) return;
    const err = openCatch(core, core.store.elements.get(inst.key)!, el, inst.key);
    if (err) {
      core.store.rollbackTo(mark);
      fail(core, inst, 'EXTRACT_VALUE_ERROR', err);
      return;
    }
    correlateBuffered(core, inst.key);
  },
};
