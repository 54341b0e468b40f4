import type { ElementModel } from '../model/types';
import type { EngineCore } from '../processing/EngineCore';
import type { BpmnElementType, ElementInstance } from '../state/types';

/** What one element kind does at each step of its lifecycle (Zeebe: BpmnElementProcessor). */
export interface ElementBehavior {
  /** After input mappings: validate/evaluate, then `transitionToActivated`, then wait or queue completion. */
  activate(core: EngineCore, inst: ElementInstance, el: ElementModel): void;
  /** On COMPLETING before output mappings; false = an incident holds it. */
  beforeComplete?(core: EngineCore, inst: ElementInstance, el: ElementModel): boolean;
  /** The flows to take on completion (default: all outgoing). */
  outgoing?(core: EngineCore, inst: ElementInstance, el: ElementModel): string[];
  /** After the instance was removed (completed or terminated). */
  afterEnded?(
    core: EngineCore,
    inst: ElementInstance,
    el: ElementModel,
    info: { completed: boolean; variables?: Record<string, unknown> },
  ): void;
  /** Multi-instance body: an inner instance is completing (still present); false = incident. */
  beforeInnerCompleted?(core: EngineCore, body: ElementInstance, inner: ElementInstance, el: ElementModel): boolean;
  /** Multi-instance body: an inner instance ended. */
  onChildEnded?(core: EngineCore, body: ElementInstance, inner: ElementInstance, completed: boolean): void;
}

/**
 * The element-kind → behaviour look-up the engine core is given at construction (Zeebe hands its
 * BpmnElementProcessors to the stream processor the same way). Throws for a kind nobody registered.
 */
export type ElementBehaviors = (type: BpmnElementType) => ElementBehavior;
