import type { ElementBehavior } from '../ElementBehavior';
import { queueCompletion } from '../execution';
import { jumpToLink, throwEvent } from './throwing';

/** Intermediate throw events: none (pass-through), message (job), signal, escalation, link. */
export const intermediateThrowEventBehavior: ElementBehavior = {
  activate(core, inst, el) {
    if (throwEvent(core, inst, el) === 'continue') queueCompletion(core, inst);
  },
  outgoing(core, inst, el) {
    if (el.event === 'link') {
      jumpToLink(core, inst, el);
      return [];
    }
    return el.outgoing;
  },
};
