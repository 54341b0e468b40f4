import type { ElementBehavior } from '../ElementBehavior';
import { fail, queueCompletion, transitionToActivated } from '../execution';
import { evaluateSource } from '../behaviors/variables';
import { jobWorkerTaskBehavior } from './JobWorkerTaskBehavior';

/** Script task: a FEEL `zeebe:script` evaluated in place (its result becomes `resultVariable`), or a job. */
export const scriptTaskBehavior: ElementBehavior = {
  activate(core, inst, el) {
    if (!el.script) return jobWorkerTaskBehavior.activate(core, inst, el);
    const r = evaluateSource(core, el.script.expression, inst.key);
    if (!r.ok) {
      fail(core, inst, 'EXTRACT_VALUE_ERROR', r.message);
      return;
    }
    if (!transitionToActivated(core, inst)) return;
    core.store.elements.update(inst.key, { payload: { [el.script.resultVariable!]: r.value } });
    queueCompletion(core, inst);
  },
};
