/** The model lint's worker thread (lint-pool.ts): limits, moddle parse and bpmnlint run here. */
import { parentPort } from 'node:worker_threads';
import { lintBpmnHere, type LintReport } from './lint-bpmn';
import type { ModelLimits } from '../../engine';

export interface LintRequest {
  id: number;
  xml: string;
  limits: Partial<ModelLimits>;
}
export type LintResponse = { id: number; report: LintReport } | { id: number; error: string } | { ready: true };

parentPort!.on('message', (req: LintRequest) => {
  lintBpmnHere(req.xml, req.limits).then(
    (report) => parentPort!.postMessage({ id: req.id, report } satisfies LintResponse),
    (err: Error) => parentPort!.postMessage({ id: req.id, error: err.message } satisfies LintResponse),
  );
});
parentPort!.postMessage({ ready: true } satisfies LintResponse);
