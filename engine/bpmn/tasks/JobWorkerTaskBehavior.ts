import type { ElementBehavior } from '../ElementBehavior';
import { fail, transitionToActivated } from '../execution';
import { createJob, evaluateJobSpec } from '../behaviors/jobs';

/**
 * Service, send, business-rule (job), script (job) tasks and job-worker user tasks: evaluate the
 * job's type, retries and headers, become ACTIVATED and create the job; the element completes when
 * a worker completes the job (commands/jobs.ts).
 */
export const jobWorkerTaskBehavior: ElementBehavior = {
  activate(core, inst, el) {
    const spec = evaluateJobSpec(core, inst, el);
    if (!spec.ok) {
      fail(core, inst, spec.errorType ?? 'EXTRACT_VALUE_ERROR', spec.message);
      return;
    }
    if (!transitionToActivated(core, inst)) return;
    createJob(core, core.store.elements.get(inst.key)!, spec.spec);
  },
};
