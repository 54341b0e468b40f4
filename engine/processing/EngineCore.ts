import type { ElementBehavior, ElementBehaviors } from '../bpmn/ElementBehavior';
import type { ProcessModel, ElementModel } from '../model/types';
import type { DrgModel } from '../dmn/parse';
import { Store } from '../state/Store';
import type { BpmnElementType, ElementInstance, EngineRecord, Key, ValueType } from '../state/types';
import type { EngineClock } from './Clock';
import { DueQueue } from '../scheduler/DueQueue';

/** A unit of follow-up work inside one command, processed in FIFO order (Zeebe's follow-up commands). */
export type Step =
  | {
      kind: 'activate';
      scopeKey: Key;
      elementId: string;
      flowId?: string;
      payload?: Record<string, unknown>;
      /** The event already happened (boundary, event subprocess start, gateway-selected catch event). */
      triggered?: boolean;
      loopCounter?: number;
      inputElement?: { name: string; value: unknown };
      /** ModifyProcessInstance: variables created on the new instance before its input mappings. */
      localVariables?: Record<string, unknown>;
    }
  | { kind: 'run-activation'; key: Key }
  | { kind: 'complete'; key: Key };

/** Things that happened in a batch which parties outside the state machine care about after commit. */
export interface BatchEffects {
  /** Job types that got activatable jobs. */
  jobTypes: Set<string>;
  /** Process instances that completed (with-result waiters), with their root variables. */
  completed: Map<Key, Record<string, unknown>>;
  /** Process instances that were terminated. */
  terminated: Set<Key>;
  /** Due work was added or removed. */
  dueChanged: boolean;
}

export const TENANT = '<default>';

/**
 * The engine's state machine context: the store, the deployed models, the clock, the step queue
 * and the record writer. Commands and element behaviours operate on it synchronously; the
 * Processor commits what they did. The element behaviours are handed in (`behaviors`, wired by
 * Engine.ts from bpmn/registry.ts), so the lifecycle code never imports the behaviours it drives.
 */
export class EngineCore {
  readonly store = new Store();
  readonly models = new Map<Key, ProcessModel>();
  /** Parsed decision requirements graphs by DRG key (engine/dmn). */
  readonly drgs = new Map<Key, DrgModel>();
  readonly steps: Step[] = [];
  readonly dueQueue = new DueQueue(this.store.due);
  effects: BatchEffects = newEffects();

  constructor(
    readonly clock: EngineClock,
    private readonly behaviors: ElementBehaviors,
  ) {}

  /** The behaviour of an element kind (Zeebe: BpmnElementProcessors#getProcessor). */
  behaviorFor(type: BpmnElementType): ElementBehavior {
    return this.behaviors(type);
  }

  now(): number {
    return this.clock.now();
  }

  model(processDefinitionKey: Key): ProcessModel {
    const m = this.models.get(processDefinitionKey);
    if (!m) throw new Error(`Expected a parsed model for process definition '${processDefinitionKey}'`);
    return m;
  }

  element(inst: ElementInstance): ElementModel {
    const el = this.model(inst.processDefinitionKey).elements.get(inst.elementId);
    if (!el) throw new Error(`Expected element '${inst.elementId}' in process '${inst.bpmnProcessId}'`);
    return el;
  }

  record(
    valueType: ValueType,
    intent: string,
    key: Key,
    value: Record<string, unknown>,
    processInstanceKey: Key | null = null,
  ): EngineRecord {
    return this.store.appendRecord({ key, valueType, intent, processInstanceKey, timestamp: this.now(), value });
  }

  /** PROCESS_INSTANCE record for an element instance transition. */
  elementRecord(inst: ElementInstance, intent: string): void {
    const el = this.models.get(inst.processDefinitionKey)?.elements.get(inst.elementId);
    this.record(
      'PROCESS_INSTANCE',
      intent,
      inst.key,
      {
        bpmnProcessId: inst.bpmnProcessId,
        version: inst.version,
        processDefinitionKey: inst.processDefinitionKey,
        processInstanceKey: inst.processInstanceKey,
        elementId: inst.elementId,
        flowScopeKey: inst.flowScopeKey ?? '-1',
        bpmnElementType: inst.type,
        bpmnEventType: el?.event ? el.event.toUpperCase() : 'UNSPECIFIED',
        parentProcessInstanceKey: inst.parentProcessInstanceKey ?? '-1',
        parentElementInstanceKey: inst.parentElementInstanceKey ?? '-1',
        tenantId: TENANT,
      },
      inst.processInstanceKey,
    );
  }

  takeEffects(): BatchEffects {
    const e = this.effects;
    this.effects = newEffects();
    return e;
  }
}

function newEffects(): BatchEffects {
  return { jobTypes: new Set(), completed: new Map(), terminated: new Set(), dueChanged: false };
}
