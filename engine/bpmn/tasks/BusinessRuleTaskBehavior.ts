import type { ElementBehavior } from '../ElementBehavior';
import { fail, queueCompletion, transitionToActivated } from '../execution';
import { evaluateTyped, visibleVariables } from '../behaviors/variables';
import { evaluateDeployed, findCalledDecision } from '../../dmn/decisions';
import { jobWorkerTaskBehavior } from './JobWorkerTaskBehavior';

/**
 * Business rule task: with `zeebe:calledDecision` the decision is evaluated in place on
 * activation (Zeebe's BpmnDecisionBehavior) and its output becomes `resultVariable`, set when the
 * task completes (before output mappings); without it the task is a job. A decision that cannot be
 * found raises CALLED_DECISION_ERROR, an evaluation that fails DECISION_EVALUATION_ERROR; both
 * evaluations are written as DECISION_EVALUATION records (EVALUATED or FAILED).
 */
export const businessRuleTaskBehavior: ElementBehavior = {
  activate(core, inst, el) {
    const cd = el.calledDecision;
    if (!cd) return jobWorkerTaskBehavior.activate(core, inst, el);
    const id = evaluateTyped(core, cd.decisionId, inst.key, 'STRING');
    if (!id.ok) return fail(core, inst, 'EXTRACT_VALUE_ERROR', id.message);
    let versionTag: string | undefined;
    if (cd.bindingType === 'versionTag' && cd.versionTag) {
      const tag = evaluateTyped(core, cd.versionTag, inst.key, 'STRING');
      if (!tag.ok) return fail(core, inst, 'EXTRACT_VALUE_ERROR', tag.message);
      versionTag = tag.value as string;
    }
    const found = findCalledDecision(core, inst, id.value as string, cd.bindingType, versionTag);
    if (!found.ok) return fail(core, inst, 'CALLED_DECISION_ERROR', found.message);
    const ev = evaluateDeployed(core, found.decision, visibleVariables(core, inst.key), { inst });
    if (!ev.result.ok) return fail(core, inst, 'DECISION_EVALUATION_ERROR', ev.result.failureMessage);
    if (!transitionToActivated(core, inst)) return;
    core.store.elements.update(inst.key, { payload: { [cd.resultVariable]: ev.result.output ?? null } });
    queueCompletion(core, inst);
  },
};
