import type { BpmnElementType } from '../state/types';
import type { ElementBehavior } from './ElementBehavior';
import { callActivityBehavior } from './containers/CallActivityBehavior';
import { multiInstanceBodyBehavior } from './containers/MultiInstanceBodyBehavior';
import { processBehavior } from './containers/ProcessBehavior';
import { eventSubProcessBehavior, subProcessBehavior } from './containers/SubProcessBehavior';
import { boundaryEventBehavior, startEventBehavior } from './events/StartAndBoundaryEventBehavior';
import { endEventBehavior } from './events/EndEventBehavior';
import { intermediateCatchEventBehavior } from './events/IntermediateCatchEventBehavior';
import { intermediateThrowEventBehavior } from './events/IntermediateThrowEventBehavior';
import { eventBasedGatewayBehavior } from './gateways/EventBasedGatewayBehavior';
import {
  exclusiveGatewayBehavior,
  inclusiveGatewayBehavior,
  parallelGatewayBehavior,
} from './gateways/GatewayBehaviors';
import { businessRuleTaskBehavior } from './tasks/BusinessRuleTaskBehavior';
import { jobWorkerTaskBehavior } from './tasks/JobWorkerTaskBehavior';
import { passThroughTaskBehavior } from './tasks/PassThroughTaskBehavior';
import { receiveTaskBehavior } from './tasks/ReceiveTaskBehavior';
import { scriptTaskBehavior } from './tasks/ScriptTaskBehavior';
import { userTaskBehavior } from './tasks/UserTaskBehavior';

/**
 * The element kinds and their behaviours (Zeebe: BpmnElementProcessors). Only the composition root
 * (Engine.ts) imports this module and hands `behaviorFor` to the EngineCore; no behaviour, shared
 * behaviour or `execution.ts` imports it, so the behaviours and the lifecycle form no import cycle.
 */
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
  BUSINESS_RULE_TASK: businessRuleTaskBehavior,
  USER_TASK: userTaskBehavior,
  SCRIPT_TASK: scriptTaskBehavior,
  RECEIVE_TASK: receiveTaskBehavior,
  MANUAL_TASK: passThroughTaskBehavior,
  TASK: passThroughTaskBehavior,
  EXCLUSIVE_GATEWAY: exclusiveGatewayBehavior,
  PARALLEL_GATEWAY: parallelGatewayBehavior,
  INCLUSIVE_GATEWAY: inclusiveGatewayBehavior,
  EVENT_BASED_GATEWAY: eventBasedGatewayBehavior,
};

/** The look-up Engine.ts gives the EngineCore (an `ElementBehaviors`). */
export function behaviorFor(type: BpmnElementType): ElementBehavior {
  const b = registry[type];
  if (!b) throw new Error(`Expected a behavior for element type '${type}', but none is registered`);
  return b;
}
