import { mergeVariables, setLocalVariables } from '../bpmn/behaviors/variables';
import type { EngineCore } from '../processing/EngineCore';
import { Rejection } from '../processing/Rejection';
import type { Key } from '../state/types';

/** SetVariables: local (exactly that scope) or propagated (first scope upward that has it, else root). */
export function setVariables(
  core: EngineCore,
  elementInstanceKey: Key,
  variables: Record<string, unknown>,
  local: boolean,
): { key: Key } {
  const inst = core.store.elements.get(elementInstanceKey);
  if (!inst) {
    throw new Rejection(
      'NOT_FOUND',
      'UPDATE',
      `Expected to update variables for element with key '${elementInstanceKey}', but no such element was found`,
    );
  }
  if (local) setLocalVariables(core, elementInstanceKey, variables);
  else mergeVariables(core, elementInstanceKey, variables);
  const key = core.store.nextKey();
  core.record(
    'VARIABLE_DOCUMENT',
    'UPDATED',
    key,
    { scopeKey: elementInstanceKey, local, variables },
    inst.processInstanceKey,
  );
  return { key };
}
