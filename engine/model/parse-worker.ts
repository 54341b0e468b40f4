/**
 * The model parser's worker thread (engine/model/ParserPool.ts): the limit check, the moddle parse
 * and the model walk run here, so a large model never holds the engine's event loop.
 */
import { parentPort } from 'node:worker_threads';
import { checkModelLimits, ModelLimitError, type ModelLimits } from './limits';
import { ModelError, parseBpmn } from './parse';

export interface ParseRequest {
  id: number;
  xml: string;
  limits: ModelLimits;
}

export type ParseResponse =
  | { id: number; models: Awaited<ReturnType<typeof parseBpmn>> }
  | { id: number; error: { message: string; problems?: ModelError['problems']; limit?: boolean } }
  | { ready: true };

parentPort!.on('message', (req: ParseRequest) => {
  void (async (): Promise<ParseResponse> => {
    try {
      checkModelLimits(req.xml, req.limits);
      return { id: req.id, models: await parseBpmn(req.xml) };
    } catch (e) {
      if (e instanceof ModelError) return { id: req.id, error: { message: e.message, problems: e.problems } };
      return { id: req.id, error: { message: (e as Error).message, limit: e instanceof ModelLimitError } };
    }
  })().then((res) => parentPort!.postMessage(res));
});

// Everything above loaded: the parent may send work (a worker that dies before this is unusable).
parentPort!.postMessage({ ready: true } satisfies ParseResponse);
