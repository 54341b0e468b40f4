import { startByMessage } from '../bpmn/behaviors/messageStarts';
import { broadcastSignal as broadcast } from '../bpmn/behaviors/signals';
import { correlate, messageRecord } from '../bpmn/behaviors/triggers';
import { runSteps } from '../bpmn/execution';
import type { EngineCore } from '../processing/EngineCore';
import { TENANT } from '../processing/EngineCore';
import { Rejection } from '../processing/Rejection';
import { subIndexKey } from '../state/Store';
import type { Key, Message } from '../state/types';

export interface PublishRequest {
  name: string;
  correlationKey: string;
  timeToLive: number;
  messageId: string;
  variables: Record<string, unknown>;
}

/**
 * Publishes a message: correlates it at once to open subscriptions (one per process id), starts
 * instances through message start events, and buffers it for `timeToLive` ms.
 */
export function publishMessage(core: EngineCore, req: PublishRequest): { key: Key; tenantId: string } {
  if (req.messageId && core.store.messageIds.has(`${req.name}\0${req.correlationKey}\0${req.messageId}`)) {
    throw new Rejection(
      'ALREADY_EXISTS',
      'PUBLISH',
      `Expected to publish a new message with id '${req.messageId}', but a message with that id was already published`,
    );
  }
  const now = core.now();
  const key = core.store.nextKey();
  let message: Message = {
    key,
    name: req.name,
    correlationKey: req.correlationKey,
    messageId: req.messageId,
    variables: req.variables,
    publishedAt: now,
    expiresAt: now + Math.max(0, req.timeToLive),
    correlatedTo: [],
  };
  core.record('MESSAGE', 'PUBLISHED', key, messageRecord(message));
  const correlatedTo: string[] = [];
  for (const sk of [...core.store.subsByName.get(subIndexKey('message', req.name, req.correlationKey))]) {
    const sub = core.store.subscriptions.get(sk);
    if (!sub || correlatedTo.includes(sub.bpmnProcessId)) continue;
    if (correlate(core, sub, message)) correlatedTo.push(sub.bpmnProcessId);
  }
  message = { ...message, correlatedTo };
  correlatedTo.push(...startByMessage(core, message));
  message = { ...message, correlatedTo };
  if (req.timeToLive > 0) {
    core.store.messages.put(key, message);
    core.store.due.put(`m:${key}`, {
      id: `m:${key}`,
      kind: 'message-ttl',
      dueAt: message.expiresAt,
      data: { messageKey: key },
    });
    core.effects.dueChanged = true;
  }
  runSteps(core);
  return { key, tenantId: TENANT };
}

export function broadcastSignal(
  core: EngineCore,
  name: string,
  variables: Record<string, unknown>,
): { key: Key; tenantId: string } {
  const key = broadcast(core, name, variables);
  runSteps(core);
  return { key, tenantId: TENANT };
}
