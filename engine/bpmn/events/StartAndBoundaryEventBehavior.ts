import type { ElementBehavior } from '../ElementBehavior';
import { queueCompletion, transitionToActivated } from '../execution';

/** Start events complete at once; a triggering event's payload is applied on completion. */
export const startEventBehavior: ElementBehavior = {
  activate(core, inst) {
    if (transitionToActivated(core, inst)) queueCompletion(core, inst);
  },
};

/** A boundary event is only ever activated after its event happened: it completes at once. */
export const boundaryEventBehavior: ElementBehavior = startEventBehavior;
