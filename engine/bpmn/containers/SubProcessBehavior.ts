import type { ElementBehavior } from '../ElementBehavior';
import { queueActivation, transitionToActivated } from '../execution';

/** Embedded subprocess: a scope that starts at its none start event and completes when empty. */
export const subProcessBehavior: ElementBehavior = {
  activate(core, inst, el) {
    if (!transitionToActivated(core, inst)) return;
    queueActivation(core, core.store.elements.get(inst.key)!, { elementId: el.startId! });
  },
};

/** Event subprocess: activated by its start event's trigger, whose payload it hands to that start event. */
export const eventSubProcessBehavior: ElementBehavior = {
  activate(core, inst, el) {
    if (!transitionToActivated(core, inst)) return;
    const current = core.store.elements.update(inst.key, { payload: undefined });
    queueActivation(core, current, { elementId: el.startId!, payload: inst.payload, triggered: true });
  },
};
