import type { EngineCore } from '../../processing/EngineCore';
import { TENANT } from '../../processing/EngineCore';
import { subIndexKey } from '../../state/Store';
import type { Key } from '../../state/types';
import { dispatchTrigger } from './triggers';
import { startInstanceAt } from './instances';

/**
 * Broadcasts a signal: every open signal subscription with that name is triggered, and one new
 * instance starts per latest process version with a matching signal start event. Not buffered.
 */
export function broadcastSignal(core: EngineCore, name: string, variables: Record<string, unknown>): Key {
  const key = core.store.nextKey();
  core.record('SIGNAL', 'BROADCASTED', key, { signalName: name, variables, tenantId: TENANT });
  for (const sk of [...core.store.subsByName.get(subIndexKey('signal', name, ''))]) {
    const sub = core.store.subscriptions.get(sk);
    if (!sub) continue;
    const waiting = core.store.elements.get(sub.elementInstanceKey);
    if (!waiting) continue;
    const catchEl = core.model(waiting.processDefinitionKey).elements.get(sub.catchElementId)!;
    dispatchTrigger(core, waiting, catchEl, variables);
  }
  for (const versions of core.store.processVersions.values()) {
    const latest = core.store.resources.get(versions.get(Math.max(...versions.keys()))!);
    if (!latest) continue;
    const model = core.models.get(latest.key);
    for (const startId of model?.signalStartIds ?? []) {
      const start = model!.elements.get(startId)!;
      if (start.signal?.name.raw === name) startInstanceAt(core, latest, startId, variables);
    }
  }
  return key;
}
