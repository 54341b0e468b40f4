import type { ElementBehavior } from '../ElementBehavior';
import { queueCompletion, transitionToActivated } from '../execution';

/** Manual tasks and undefined tasks (`bpmn:task`): activated and completed at once. */
export const passThroughTaskBehavior: ElementBehavior = {
  activate(core, inst) {
    if (transitionToActivated(core, inst)) queueCompletion(core, inst);
  },
};
