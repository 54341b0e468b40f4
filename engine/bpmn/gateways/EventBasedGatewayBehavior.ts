import type { ElementBehavior } from '../ElementBehavior';
import { fail, transitionToActivated } from '../execution';
import { openCatch } from '../behaviors/events';
import { correlateBuffered } from '../behaviors/triggers';

/**
 * Event-based gateway: opens the subscription or timer of every catch event behind it; the first
 * event wins (behaviors/triggers.ts dispatchTrigger), the others are closed with the gateway.
 */
export const eventBasedGatewayBehavior: ElementBehavior = {
  activate(core, inst, el) {
    const model = core.model(inst.processDefinitionKey);
    const mark = core.store.mark();
    if (!transitionToActivated(core, inst)) return;
    for (const fid of el.outgoing) {
      const target = model.elements.get(model.flows.get(fid)!.targetId)!;
      const err = openCatch(core, core.store.elements.get(inst.key)!, target, inst.key);
      if (err) {
        core.store.rollbackTo(mark);
        fail(core, inst, 'EXTRACT_VALUE_ERROR', err);
        return;
      }
    }
    correlateBuffered(core, inst.key);
  },
  outgoing(_core, inst) {
    return inst.selectedFlows ?? [];
  },
};
