import type { ElementBehavior } from '../ElementBehavior';
import { fail, transitionToActivated } from '../execution';
import { evaluateUserTaskProps } from '../behaviors/jobs';
import { createUserTask } from '../behaviors/user-tasks';
import { jobWorkerTaskBehavior } from './JobWorkerTaskBehavior';

/**
 * User tasks (Zeebe: UserTaskProcessor). A job-worker user task (no `zeebe:userTask`) is a job of
 * type `io.camunda.zeebe:userTask`; a Camunda user task evaluates its properties, becomes
 * ACTIVATED and creates a user task that a client completes over REST (commands/user-tasks.ts).
 */
export const userTaskBehavior: ElementBehavior = {
  activate(core, inst, el) {
    if (!el.userTask?.native) {
      jobWorkerTaskBehavior.activate(core, inst, el);
      return;
    }
    const props = evaluateUserTaskProps(core, inst, el.userTask);
    if (!props.ok) {
      fail(core, inst, props.errorType ?? 'EXTRACT_VALUE_ERROR', props.message);
      return;
    }
    if (!transitionToActivated(core, inst)) return;
    createUserTask(core, core.store.elements.get(inst.key)!, el, props.props);
  },
};
