import type { ElementBehavior } from '../ElementBehavior';
import { fail, transitionToActivated } from '../execution';
import { createProcessInstance } from '../behaviors/instances';
import { evaluateTyped, visibleVariables } from '../behaviors/variables';

/**
 * Call activity: starts the latest version of the called process at its none start event with the
 * parent's variables (all visible ones, or only the input-mapped locals), and completes when the
 * child completes (ProcessBehavior.afterEnded hands back the child's variables).
 */
export const callActivityBehavior: ElementBehavior = {
  activate(core, inst, el) {
    const id = evaluateTyped(core, el.called!.processId, inst.key, 'STRING');
    if (!id.ok) {
      fail(core, inst, 'EXTRACT_VALUE_ERROR', id.message);
      return;
    }
    const def = core.store.latestProcess(id.value as string);
    if (!def) {
      fail(
        core,
        inst,
        'CALLED_ELEMENT_ERROR',
        `Expected process with BPMN process id '${id.value}' to be deployed, but not found.`,
      );
      return;
    }
    const model = core.models.get(def.key)!;
    if (!model.root.startId) {
      fail(
        core,
        inst,
        'CALLED_ELEMENT_ERROR',
        `Expected process with BPMN process id '${id.value}' to have a none start event, but not found.`,
      );
      return;
    }
    if (!transitionToActivated(core, inst)) return;
    const variables = el.called!.propagateAllParentVariables
      ? visibleVariables(core, inst.key)
      : core.store.localVariables(inst.key);
    const child = createProcessInstance(core, def, [model.root.startId], variables, {
      parent: core.store.elements.get(inst.key)!,
    });
    core.store.elements.update(inst.key, { calledInstanceKey: child.key });
  },
};
