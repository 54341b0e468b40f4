/** Keys are int64 values sent as decimal strings (partition 1: `2^51 + n`). */
export type Key = string;

/** Zeebe's BpmnElementType names, as they appear in records. */
export type BpmnElementType =
  | 'PROCESS'
  | 'START_EVENT'
  | 'END_EVENT'
  | 'INTERMEDIATE_CATCH_EVENT'
  | 'INTERMEDIATE_THROW_EVENT'
  | 'BOUNDARY_EVENT'
  | 'SERVICE_TASK'
  | 'SEND_TASK'
  | 'SCRIPT_TASK'
  | 'BUSINESS_RULE_TASK'
  | 'USER_TASK'
  | 'RECEIVE_TASK'
  | 'MANUAL_TASK'
  | 'TASK'
  | 'SUB_PROCESS'
  | 'EVENT_SUB_PROCESS'
  | 'CALL_ACTIVITY'
  | 'EXCLUSIVE_GATEWAY'
  | 'PARALLEL_GATEWAY'
  | 'INCLUSIVE_GATEWAY'
  | 'EVENT_BASED_GATEWAY'
  | 'MULTI_INSTANCE_BODY'
  | 'SEQUENCE_FLOW';

export type ElementState = 'ACTIVATING' | 'ACTIVATED' | 'COMPLETING' | 'TERMINATING';

/** An event that triggered (or will trigger) an element: what it carries and where it came from. */
export interface EventTrigger {
  /** Element to activate (boundary event, event subprocess, start event inside it …). */
  elementId: string;
  variables: Record<string, unknown>;
  /** Message/timer/signal/error key for the record log. */
  sourceKey?: Key;
}

export interface ElementInstance {
  key: Key;
  elementId: string;
  type: BpmnElementType;
  state: ElementState;
  processInstanceKey: Key;
  processDefinitionKey: Key;
  bpmnProcessId: string;
  version: number;
  /** Element instance of the enclosing scope; null for the process instance itself. */
  flowScopeKey: Key | null;
  /** Root only: the call activity instance that created this process instance. */
  parentElementInstanceKey?: Key;
  parentProcessInstanceKey?: Key;
  /** Root only: the key of the message that started it (message start with correlation key). */
  startedByMessageCorrelationKey?: string;
  jobKey?: Key;
  /** Native user task (`zeebe:userTask`): its user task key. */
  userTaskKey?: Key;
  /** Call activity: the child process instance. */
  calledInstanceKey?: Key;
  /** Scopes: taken sequence flows whose target has not been activated yet (incl. waiting at joins). */
  activeFlows: number;
  /** Scopes: arrivals per gateway and incoming flow, for parallel/inclusive joins. */
  joins?: Record<string, Record<string, number>>;
  /** Multi-instance body bookkeeping. */
  mi?: { items: unknown[]; next: number; completed: number; terminated: number; done?: boolean };
  /** Inner instance of a multi-instance body (1-based). */
  loopCounter?: number;
  /** Set when an event is being handled that replaces this instance (boundary) or its content. */
  interruptedBy?: EventTrigger;
  /** Scope: an interrupting event subprocess has been triggered; nothing else may start. */
  interrupted?: boolean;
  /** Catch elements: the payload of the event that triggered them, applied on completion. */
  payload?: Record<string, unknown>;
  /** The flow it was activated through (records and inclusive join bookkeeping). */
  incomingFlowId?: string;
  /** Gateways: the outgoing flows chosen on activation, taken on completion. */
  selectedFlows?: string[];
  /** Activated because its event already happened (boundary, event subprocess start, gateway target). */
  triggeredCatchId?: string;
  /** Event-based gateway: the triggering event's payload, handed to the selected catch event. */
  flowPayload?: Record<string, unknown>;
  /** An incident holds this instance; value is the incident key. */
  incidentKey?: Key;
  /** Root only: start elements still to activate when an incident held the process's own activation. */
  pendingStart?: { elementIds: string[]; payload?: Record<string, unknown>; triggered?: boolean };
  createdAt: number;
}

export interface Variable {
  key: Key;
  scopeKey: Key;
  processInstanceKey: Key;
  name: string;
  value: unknown;
}

/** Zeebe's UserTaskState.LifecycleState (the ...ING states while a task listener runs). */
export type UserTaskLifecycle = 'CREATING' | 'CREATED' | 'ASSIGNING' | 'UPDATING' | 'COMPLETING' | 'CANCELING';

/** A native Camunda user task (`zeebe:userTask`), live until it completes or is canceled. */
export interface UserTask {
  key: Key;
  state: UserTaskLifecycle;
  name?: string;
  assignee: string;
  candidateGroups: string[];
  candidateUsers: string[];
  dueDate: string;
  followUpDate: string;
  priority: number;
  /** A linked form's key (`zeebe:formDefinition formId`). */
  formKey?: Key;
  externalFormReference?: string;
  customHeaders: Record<string, string>;
  elementId: string;
  elementInstanceKey: Key;
  processInstanceKey: Key;
  processDefinitionKey: Key;
  bpmnProcessId: string;
  version: number;
  createdAt: number;
  /** A transition waiting for task listeners (Zeebe: the ASSIGNING/UPDATING/COMPLETING … event). */
  pending?: {
    intent: 'ASSIGN' | 'CLAIM' | 'UPDATE' | 'COMPLETE';
    eventType: 'assigning' | 'updating' | 'completing';
    /** The next listener of that event type to run. */
    listenerIndex: number;
    assignee?: string;
    changes?: Partial<Pick<UserTask, 'candidateGroups' | 'candidateUsers' | 'dueDate' | 'followUpDate' | 'priority'>>;
    changedAttributes: string[];
    variables?: Record<string, unknown>;
    action: string;
  };
}

export type JobState = 'ACTIVATABLE' | 'ACTIVATED' | 'FAILED' | 'ERROR_THROWN';

export interface Job {
  key: Key;
  type: string;
  state: JobState;
  retries: number;
  worker: string;
  deadline: number;
  /** FAILED with retries left: activatable again at this time. */
  backoffUntil?: number;
  errorMessage: string;
  customHeaders: Record<string, string>;
  elementId: string;
  elementInstanceKey: Key;
  processInstanceKey: Key;
  processDefinitionKey: Key;
  bpmnProcessId: string;
  version: number;
  createdAt: number;
  /** Zeebe's JobKind: a task listener's job is `TASK_LISTENER` (default `BPMN_ELEMENT`). */
  kind?: 'BPMN_ELEMENT' | 'TASK_LISTENER';
  listenerEventType?: string;
  /** Task listener jobs: the user task they belong to. */
  userTaskKey?: Key;
}

export type SubscriptionKind = 'message' | 'signal';

/** An open message or signal subscription of a waiting element (catch, boundary, event subprocess, gateway). */
export interface Subscription {
  key: Key;
  kind: SubscriptionKind;
  name: string;
  correlationKey: string;
  /** The element instance that waits (for boundary/event-subprocess: the scope/activity it is attached to). */
  elementInstanceKey: Key;
  processInstanceKey: Key;
  bpmnProcessId: string;
  /** The catch element to trigger. */
  catchElementId: string;
  interrupting: boolean;
}

export interface Message {
  key: Key;
  name: string;
  correlationKey: string;
  messageId: string;
  variables: Record<string, unknown>;
  publishedAt: number;
  expiresAt: number;
  /** bpmnProcessIds this message has correlated to (never twice to the same one). */
  correlatedTo: string[];
}

export type IncidentErrorType =
  | 'JOB_NO_RETRIES'
  | 'UNHANDLED_ERROR_EVENT'
  | 'EXTRACT_VALUE_ERROR'
  | 'IO_MAPPING_ERROR'
  | 'CONDITION_ERROR'
  | 'CALLED_ELEMENT_ERROR'
  | 'FORM_NOT_FOUND'
  | 'CALLED_DECISION_ERROR'
  | 'DECISION_EVALUATION_ERROR'
  | 'UNKNOWN';

export interface Incident {
  key: Key;
  errorType: IncidentErrorType;
  errorMessage: string;
  bpmnProcessId: string;
  processDefinitionKey: Key;
  processInstanceKey: Key;
  elementId: string;
  elementInstanceKey: Key;
  jobKey: Key;
  variableScopeKey: Key;
  createdAt: number;
}

export type DueKind = 'timer' | 'job-deadline' | 'job-backoff' | 'message-ttl';

/** A timer: on an element instance (catch, boundary, event subprocess) or a process (timer start). */
export interface TimerData {
  timerKey: Key;
  elementInstanceKey: Key | null;
  processInstanceKey: Key | null;
  processDefinitionKey: Key;
  /** The element whose event it triggers (boundary, catch, start event). */
  targetElementId: string;
  interrupting: boolean;
  /** Remaining repetitions (-1 = unbounded), for cycles. */
  repetitions: number;
  /** Cycle: ISO duration or 6-field cron, to compute the next due date. */
  cycle?: { interval?: string; cron?: string };
}

export interface Due {
  id: string;
  kind: DueKind;
  dueAt: number;
  /** timer → TimerData; job-* → {jobKey}; message-ttl → {messageKey}. */
  data: any;
}

export interface ResourceRow {
  key: Key;
  /**
   * `drg`: a DMN resource (content: the XML). `decision`: one decision of a DRG (resourceId: the
   * decision id; content: its metadata as JSON, see engine/dmn/decisions.ts; checksum: the DRG's).
   */
  kind: 'process' | 'form' | 'drg' | 'decision';
  resourceId: string;
  version: number;
  resourceName: string;
  checksum: string;
  deploymentKey: Key;
  content: string;
  deployedAt: number;
}

export type ValueType =
  | 'DEPLOYMENT'
  | 'PROCESS'
  | 'FORM'
  | 'DECISION'
  | 'DECISION_REQUIREMENTS'
  | 'DECISION_EVALUATION'
  | 'RESOURCE_DELETION'
  | 'PROCESS_INSTANCE'
  | 'PROCESS_INSTANCE_CREATION'
  | 'PROCESS_INSTANCE_MODIFICATION'
  | 'PROCESS_INSTANCE_MIGRATION'
  | 'JOB'
  | 'JOB_BATCH'
  | 'VARIABLE'
  | 'INCIDENT'
  | 'MESSAGE'
  | 'MESSAGE_SUBSCRIPTION'
  | 'MESSAGE_START_EVENT_SUBSCRIPTION'
  | 'TIMER'
  | 'SIGNAL'
  | 'SIGNAL_SUBSCRIPTION'
  | 'ESCALATION'
  | 'ERROR'
  | 'VARIABLE_DOCUMENT'
  | 'USER_TASK';

/** One entry of the record log, shaped like Zeebe's exported records. */
export interface EngineRecord {
  position: number;
  key: Key;
  valueType: ValueType;
  intent: string;
  processInstanceKey: Key | null;
  timestamp: number;
  value: Record<string, unknown>;
}
