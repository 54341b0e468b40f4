import { createTimer, nextCycleDue, timerRecord } from '../bpmn/behaviors/events';
import { startInstanceAt } from '../bpmn/behaviors/instances';
import { makeActivatable } from '../bpmn/behaviors/jobs';
import { dispatchTrigger, messageRecord } from '../bpmn/behaviors/triggers';
import { runSteps } from '../bpmn/execution';
import type { EngineCore } from '../processing/EngineCore';
import type { Due, TimerData } from '../state/types';

/** Runs every due item whose time has come (timers, job deadlines, back-offs, message expiry). */
export function processDue(core: EngineCore, limit = 500): number {
  const now = core.now();
  const due = core.dueQueue.takeDue(now, limit);
  for (const d of due) {
    if (!core.store.due.has(d.id)) continue; // removed by an earlier item of this batch
    core.store.due.delete(d.id);
    core.effects.dueChanged = true;
    fire(core, d);
    runSteps(core);
  }
  return due.length;
}

function fire(core: EngineCore, d: Due): void {
  switch (d.kind) {
    case 'job-deadline': {
      const job = core.store.jobs.get(d.data.jobKey);
      if (job && job.state === 'ACTIVATED') makeActivatable(core, job, 'TIMED_OUT');
      return;
    }
    case 'job-backoff': {
      const job = core.store.jobs.get(d.data.jobKey);
      if (job && job.state === 'FAILED' && job.retries > 0) makeActivatable(core, job, 'RECURRED_AFTER_BACKOFF');
      return;
    }
    case 'message-ttl': {
      const m = core.store.messages.get(d.data.messageKey);
      if (m) {
        core.store.messages.delete(m.key);
        core.record('MESSAGE', 'EXPIRED', m.key, messageRecord(m));
      }
      return;
    }
    case 'timer':
      fireTimer(core, d.data as TimerData, d.dueAt);
  }
}

function fireTimer(core: EngineCore, t: TimerData, dueAt: number): void {
  core.record('TIMER', 'TRIGGERED', t.timerKey, timerRecord(t, dueAt), t.processInstanceKey);
  const rearm = () => {
    if (!t.cycle || t.repetitions === 1) return;
    createTimer(core, { ...t, repetitions: t.repetitions > 0 ? t.repetitions - 1 : -1 }, nextCycleDue(t.cycle, dueAt));
  };
  if (!t.elementInstanceKey) {
    const def = core.store.resources.get(t.processDefinitionKey);
    if (!def) return;
    startInstanceAt(core, def, t.targetElementId, {});
    rearm();
    return;
  }
  const waiting = core.store.elements.get(t.elementInstanceKey);
  if (!waiting) return;
  const catchEl = core.model(waiting.processDefinitionKey).elements.get(t.targetElementId)!;
  const delivered = dispatchTrigger(core, waiting, catchEl, {});
  if (delivered && !t.interrupting && core.store.elements.has(waiting.key)) rearm();
}
