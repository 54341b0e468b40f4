import type { EngineCore } from '../../processing/EngineCore';
import type { Message, ResourceRow } from '../../state/types';
import { startInstanceAt } from './instances';

/**
 * Message start events of the latest version of each process whose message name matches.
 * With a non-empty correlation key, a process that already has an active instance started by a
 * message with the same key is skipped (the message stays buffered for later).
 */
export function startByMessage(core: EngineCore, message: Message): string[] {
  const started: string[] = [];
  for (const [bpmnProcessId, versions] of core.store.processVersions) {
    if (message.correlatedTo.includes(bpmnProcessId)) continue;
    const def = core.store.resources.get(versions.get(Math.max(...versions.keys()))!)!;
    const model = core.models.get(def.key);
    const startId = model?.messageStartIds.find((id) => model.elements.get(id)!.message!.name.raw === message.name);
    if (!startId) continue;
    if (message.correlationKey !== '' && core.store.messageStarted.has(`${bpmnProcessId}\0${message.correlationKey}`))
      continue;
    startInstanceAt(core, def as ResourceRow, startId, message.variables, message.correlationKey);
    started.push(bpmnProcessId);
  }
  return started;
}

/** After an instance started by a keyed message ended: a buffered message may start the next one. */
export function retryBufferedMessageStarts(core: EngineCore, bpmnProcessId: string, correlationKey: string): void {
  const def = core.store.latestProcess(bpmnProcessId);
  const model = def && core.models.get(def.key);
  if (!model || model.messageStartIds.length === 0) return;
  const names = new Set(model.messageStartIds.map((id) => model.elements.get(id)!.message!.name.raw));
  const candidates = [...core.store.messages.values()]
    .filter(
      (m) =>
        names.has(m.name) &&
        m.correlationKey === correlationKey &&
        !m.correlatedTo.includes(bpmnProcessId) &&
        m.expiresAt > core.now(),
    )
    .sort((a, b) => a.publishedAt - b.publishedAt || Number(BigInt(a.key) - BigInt(b.key)));
  const m = candidates[0];
  if (!m) return;
  const startId = model.messageStartIds.find((id) => model.elements.get(id)!.message!.name.raw === m.name)!;
  startInstanceAt(core, def, startId, m.variables, correlationKey);
  core.store.messages.put(m.key, { ...m, correlatedTo: [...m.correlatedTo, bpmnProcessId] });
}
