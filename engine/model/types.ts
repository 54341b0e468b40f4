import type { Expr } from '../feel/Feel';
import type { BpmnElementType } from '../state/types';

export type EventKind = 'none' | 'message' | 'timer' | 'error' | 'escalation' | 'signal' | 'terminate' | 'link';

export interface Flow {
  id: string;
  sourceId: string;
  targetId: string;
  /** FEEL source (without `=`) of the condition, if any. */
  condition?: string;
}

export interface Mapping {
  /** FEEL source or static value; undefined = null. */
  source?: Expr;
  target: string;
}

export interface TimerDef {
  kind: 'duration' | 'date' | 'cycle';
  expr: Expr;
}

export interface JobDef {
  type: Expr;
  retries: Expr;
  headers: Record<string, string>;
}

export interface UserTaskDef {
  assignee?: Expr;
  candidateGroups?: Expr;
  candidateUsers?: Expr;
  dueDate?: Expr;
  followUpDate?: Expr;
  /** Static form key (custom) or `camunda-forms:bpmn:<id>` for an embedded form. */
  formKey?: string;
  /** A deployed `.form` by id; resolved to its key when the task activates. */
  formId?: Expr;
  /** Native user tasks (`zeebe:userTask`) only from here on. */
  native?: boolean;
  customHeaders?: Record<string, string>;
  /** `zeebe:formDefinition bindingType` of a linked form (default `latest`). */
  formBindingType?: 'latest' | 'deployment' | 'versionTag';
  formVersionTag?: string;
  /** `zeebe:formDefinition externalReference` (static or FEEL). */
  externalReference?: Expr;
  /** `zeebe:priorityDefinition priority` (static or FEEL; default 50). */
  priority?: Expr;
  /** `zeebe:taskListeners`, in document order. */
  listeners?: TaskListenerDef[];
}

/** Zeebe 8.8's task listener event types. */
export type TaskListenerEventType = 'creating' | 'assigning' | 'updating' | 'completing' | 'canceling';

export interface TaskListenerDef {
  eventType: TaskListenerEventType;
  type: Expr;
  retries: Expr;
}

export interface MultiInstanceDef {
  sequential: boolean;
  inputCollection: string;
  inputElement?: string;
  outputCollection?: string;
  outputElement?: string;
  /** The variable `outputElement` only reads, if it is one: a local of each inner instance (Zeebe). */
  outputElementVariable?: string;
  completionCondition?: string;
}

/** One element of an executable process, immutable after deploy. */
export interface ElementModel {
  id: string;
  name?: string;
  type: BpmnElementType;
  /** Enclosing scope (process, subprocess, event subprocess); null for the process. */
  flowScopeId: string | null;
  incoming: string[];
  outgoing: string[];
  defaultFlowId?: string;
  event?: EventKind;
  /** Boundary (cancelActivity) and event-subprocess start (isInterrupting). */
  interrupting: boolean;
  attachedToId?: string;
  boundaryIds: string[];
  timer?: TimerDef;
  message?: { name: Expr; correlationKey?: Expr };
  signal?: { name: Expr };
  /** Throw: expression; catch: static code, undefined = catch-all. */
  errorCode?: Expr;
  escalationCode?: Expr;
  linkName?: string;
  job?: JobDef;
  userTask?: UserTaskDef;
  script?: { expression: string; resultVariable?: string };
  /** Business rule task with `zeebe:calledDecision` (engine/dmn). */
  calledDecision?: {
    decisionId: Expr;
    resultVariable: string;
    bindingType: 'latest' | 'deployment' | 'versionTag';
    versionTag?: Expr;
  };
  called?: { processId: Expr; propagateAllChildVariables: boolean; propagateAllParentVariables: boolean };
  inputs: Mapping[];
  outputs: Mapping[];
  mi?: MultiInstanceDef;
  /** Scopes only. */
  childIds: string[];
  /** Scopes: the none start event (process, subprocess) or the triggering start event (event subprocess). */
  startId?: string;
  eventSubProcessIds: string[];
}

export interface ProcessModel {
  bpmnProcessId: string;
  name?: string;
  elements: ReadonlyMap<string, ElementModel>;
  flows: ReadonlyMap<string, Flow>;
  /** The process element itself (type PROCESS). */
  root: ElementModel;
  /** Start events of the process level by kind. */
  messageStartIds: string[];
  timerStartIds: string[];
  signalStartIds: string[];
  /** Embedded forms (`zeebe:userTaskForm`) by id. */
  embeddedForms: ReadonlyMap<string, string>;
}
