import type { ElementModel } from '../model/types';
import type { EngineCore } from '../processing/EngineCore';
import type { BpmnElementType, ElementInstance } from '../state/types';
import { callActivityBehavior } from './containers/CallActivityBehavior';
import { multiInstanceBodyBehavior } from './containers/MultiInstanceBodyBehavior';
import { processBehavior } from './containers/ProcessBehavior';
import { eventSubProcessBehavior, subProcessBehavior } from './containers/SubProcessBehavior';
import { boundaryEventBehavior, startEventBehavior } from './events/StartAndBoundaryEventBehavior';
import { endEventBehavior } from './events/EndEventBehavior';
import { intermediateCatchEventBehavior } from './events/IntermediateCatchEventBehavior';
import { intermediateThrowEventBehavior } from './events/IntermediateThrowEventBehavior';
import { eventBasedGatewayBehavior } from './gateways/EventBasedGatewayBehavior';
import { exclusiveGatewayBehavior, inclusiveGatewayBehavior, parallelGatewayBehavior } from './gateways/GatewayBehaviors';
import { jobWorkerTaskBehavior } from './tasks/JobWorkerTaskBehavior';
import { passThroughTaskBehavior } from './tasks/PassThroughTaskBehavior';
import { receiveTaskBehavior } from './tasks/ReceiveTaskBehavior';
import { scriptTaskBehavior } from './tasks/ScriptTaskBehavior';

/** What one element kind does at each step of its lifecycle (Zeebe: BpmnElementProcessor). */
export interface ElementBehavior {
  /** After input mappings: validate/evaluate, then `transitionToActivated`, then wait or queue completion. */
  activate(core: EngineCore, inst: ElementInstance, el: ElementModel): void;
  /** On COMPLETING before output mappings; false = an incident holds it. */
  beforeComplete?(core: EngineCore, inst: ElementInstance, el: ElementModel): boolean;
  /** The flows to take on completion (default: all outgoing). */
  outgoing?(core: EngineCore, inst: ElementInstance, el: ElementModel): string[];
  /** After the instance was removed (completed or terminated). */
  afterEnded?(core: EngineCore, inst: ElementInstance, el: ElementModel, info: { completed: boolean; variables?: Record<string, unknown> }): void;
  /** Multi-instance body: an inner instance is completing (still present); false = incident. */
  beforeInnerCompleted?(core: EngineCore, body: ElementInstance, inner: ElementInstance, el: ElementModel): boolean;
  /** Multi-instance body: an inner instance ended. */
  onChildEnded?(core: EngineCore, body: ElementInstance, inner: ElementInstance, completed: boolean): void;
}

const registry: Partial<Record<BpmnElementType, ElementBehavior>> = {
  PROCESS: processBehavior,
  SUB_PROCESS: subProcessBehavior,
  EVENT_SUB_PROCESS: eventSubProcessBehavior,
  CALL_ACTIVITY: callActivityBehavior,
  MULTI_INSTANCE_BODY: multiInstanceBodyBehavior,
  START_EVENT: startEventBehavior,
  BOUNDARY_EVENT: boundaryEventBehavior,
  END_EVENT: endEventBehavior,
  INTERMEDIATE_CATCH_EVENT: intermediateCatchEventBehavior,
  INTERMEDIATE_THROW_EVENT: intermediateThrowEventBehavior,
  SERVICE_TASK: jobWorkerTaskBehavior,
  SEND_TASK: jobWorkerTaskBehavior,
  BUSINESS_RULE_TASK: jobWorkerTaskBehavior,
  USER_TASK: jobWorkerTaskBehavior,
  SCRIPT_TASK: scriptTaskBehavior,
  RECEIVE_TASK: receiveTaskBehavior,
  MANUAL_TASK: passThroughTaskBehavior,
  TASK: passThroughTaskBehavior,
  EXCLUSIVE_GATEWAY: exclusiveGatewayBehavior,
  PARALLEL_GATEWAY: parallelGatewayBehavior,
  INCLUSIVE_GATEWAY: inclusiveGatewayBehavior,
  EVENT_BASED_GATEWAY: eventBasedGatewayBehavior,
};

export function behaviorFor(type: BpmnElementType): ElementBehavior {
  const b = registry[type];
  if (!b) throw new Error(`Expected a behavior for element type '${type}', but none is registered`);
  return b;
}
