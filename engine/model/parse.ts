import { BpmnModdle } from 'bpmn-moddle';
import { expr, feelSyntaxError, pathRoot, type Expr } from '../feel/Feel';
import type { BpmnElementType } from '../state/types';
import type { ElementModel, EventKind, Flow, Mapping, ProcessModel, TaskListenerEventType } from './types';
import { validateTimerExpr } from './timerSyntax';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zeebeSchema = require('zeebe-bpmn-moddle/resources/zeebe.json');

/** A deploy-time problem with one element, worded like Zeebe's validator. */
export interface ModelProblem {
  elementId: string;
  message: string;
}

export class ModelError extends Error {
  constructor(readonly problems: ModelProblem[]) {
    super(problems.map((p) => `- Element: ${p.elementId}\n    - ERROR: ${p.message}`).join('\n'));
  }
}

const TYPES: Record<string, BpmnElementType> = {
  'bpmn:StartEvent': 'START_EVENT',
  'bpmn:EndEvent': 'END_EVENT',
  'bpmn:IntermediateCatchEvent': 'INTERMEDIATE_CATCH_EVENT',
  'bpmn:IntermediateThrowEvent': 'INTERMEDIATE_THROW_EVENT',
  'bpmn:BoundaryEvent': 'BOUNDARY_EVENT',
  'bpmn:ServiceTask': 'SERVICE_TASK',
  'bpmn:SendTask': 'SEND_TASK',
  'bpmn:ScriptTask': 'SCRIPT_TASK',
  'bpmn:BusinessRuleTask': 'BUSINESS_RULE_TASK',
  'bpmn:UserTask': 'USER_TASK',
  'bpmn:ReceiveTask': 'RECEIVE_TASK',
  'bpmn:ManualTask': 'MANUAL_TASK',
  'bpmn:Task': 'TASK',
  'bpmn:SubProcess': 'SUB_PROCESS',
  'bpmn:CallActivity': 'CALL_ACTIVITY',
  'bpmn:ExclusiveGateway': 'EXCLUSIVE_GATEWAY',
  'bpmn:ParallelGateway': 'PARALLEL_GATEWAY',
  'bpmn:InclusiveGateway': 'INCLUSIVE_GATEWAY',
  'bpmn:EventBasedGateway': 'EVENT_BASED_GATEWAY',
};

/** Artifacts and data elements the engine ignores, as Zeebe does. */
const IGNORED = new Set([
  'bpmn:SequenceFlow',
  'bpmn:DataObject',
  'bpmn:DataObjectReference',
  'bpmn:DataStoreReference',
  'bpmn:TextAnnotation',
  'bpmn:Association',
  'bpmn:Group',
]);

const EVENT_DEFS: Record<string, EventKind> = {
  'bpmn:MessageEventDefinition': 'message',
  'bpmn:TimerEventDefinition': 'timer',
  'bpmn:ErrorEventDefinition': 'error',
  'bpmn:EscalationEventDefinition': 'escalation',
  'bpmn:SignalEventDefinition': 'signal',
  'bpmn:TerminateEventDefinition': 'terminate',
  'bpmn:LinkEventDefinition': 'link',
};

const RESERVED_HEADERS = ['io.camunda.zeebe:assignee', 'io.camunda.zeebe:candidateGroups', 'io.camunda.zeebe:formKey'];

let moddle: BpmnModdle | undefined;

/** Parses BPMN XML into its executable processes; throws ModelError (or Error for bad XML). */
export async function parseBpmn(xml: string): Promise<ProcessModel[]> {
  moddle ??= new BpmnModdle({ zeebe: zeebeSchema });
  let definitions: any;
  try {
    const result = await moddle.fromXML(xml);
    definitions = result.rootElement;
  } catch (e) {
    throw new Error(`Failed to parse the BPMN XML: ${(e as Error).message}`, { cause: e });
  }
  if (!definitions || definitions.$type !== 'bpmn:Definitions') {
    throw new Error("Failed to parse the BPMN XML: the document's root element is not 'bpmn:definitions'");
  }
  const processes = (definitions.rootElements ?? []).filter((r: any) => r.$type === 'bpmn:Process');
  const executable = processes.filter((p: any) => p.isExecutable);
  if (executable.length === 0) {
    throw new ModelError([
      { elementId: processes[0]?.id ?? 'definitions', message: 'Must contain at least one executable process' },
    ]);
  }
  const problems: ModelProblem[] = [];
  const models = executable.map((p: any) => new ProcessBuilder(p, problems).build());
  if (problems.length) throw new ModelError(problems);
  return models;
}

class ProcessBuilder {
  private readonly elements = new Map<string, ElementModel>();
  private readonly flows = new Map<string, Flow>();
  private readonly embeddedForms = new Map<string, string>();

  constructor(
    private readonly process: any,
    private readonly problems: ModelProblem[],
  ) {}

  private problem(elementId: string, message: string) {
    this.problems.push({ elementId, message });
  }

  /** Checks an expression's FEEL syntax (static values pass). */
  private checkExpr(elementId: string, e: Expr | undefined, what: string): Expr | undefined {
    if (e?.feel !== undefined) {
      const err = feelSyntaxError(e.feel);
      if (err) this.problem(elementId, `Expected a valid FEEL expression for ${what}, but ${err}`);
    }
    return e;
  }

  private checkFeel(elementId: string, source: string | undefined, what: string): string | undefined {
    if (source === undefined) return undefined;
    const e = expr(source.trim().startsWith('=') ? source : `=${source}`)!;
    this.checkExpr(elementId, e, what);
    return e.feel;
  }

  build(): ProcessModel {
    const p = this.process;
    for (const v of ext(p, 'zeebe:UserTaskForm')) this.embeddedForms.set(v.id, v.body ?? v.value ?? '');
    const root = this.element(p, 'PROCESS', null);
    this.scope(p, root);
    this.link();
    const starts = root.childIds.map((id) => this.elements.get(id)!).filter((e) => e.type === 'START_EVENT');
    const none = starts.filter((s) => s.event === 'none');
    if (none.length > 1) this.problem(p.id, 'Must have at most one none start event');
    root.startId = none[0]?.id;
    this.checkUniqueStartNames(starts);
    return {
      bpmnProcessId: p.id,
      name: p.name,
      elements: this.elements,
      flows: this.flows,
      root,
      messageStartIds: starts.filter((s) => s.event === 'message').map((s) => s.id),
      timerStartIds: starts.filter((s) => s.event === 'timer').map((s) => s.id),
      signalStartIds: starts.filter((s) => s.event === 'signal').map((s) => s.id),
      embeddedForms: this.embeddedForms,
    };
  }

  private checkUniqueStartNames(starts: ElementModel[]) {
    const names = new Set<string>();
    for (const s of starts.filter((x) => x.event === 'message')) {
      const n = s.message?.name.raw ?? '';
      if (names.has(n)) this.problem(s.id, `A message start event with the name '${n}' already exists in the process`);
      names.add(n);
    }
  }

  private element(node: any, type: BpmnElementType, flowScopeId: string | null): ElementModel {
    const el: ElementModel = {
      id: node.id,
      name: node.name,
      type,
      flowScopeId,
      incoming: [],
      outgoing: [],
      interrupting: true,
      boundaryIds: [],
      inputs: [],
      outputs: [],
      childIds: [],
      eventSubProcessIds: [],
    };
    if (this.elements.has(node.id)) this.problem(node.id, `Duplicate element id '${node.id}'`);
    this.elements.set(node.id, el);
    return el;
  }

  private scope(node: any, scopeEl: ElementModel) {
    for (const child of node.flowElements ?? []) {
      if (child.$type === 'bpmn:SequenceFlow') {
        this.flows.set(child.id, {
          id: child.id,
          sourceId: child.sourceRef?.id,
          targetId: child.targetRef?.id,
          condition:
            child.conditionExpression?.body !== undefined
              ? this.checkFeel(child.id, child.conditionExpression.body, 'the condition')
              : undefined,
        });
        continue;
      }
      if (IGNORED.has(child.$type)) continue;
      let type = TYPES[child.$type];
      if (child.$type === 'bpmn:SubProcess' && child.triggeredByEvent) type = 'EVENT_SUB_PROCESS';
      if (!type) {
        this.problem(child.id, `The element type '${child.$type.replace('bpmn:', '')}' is not supported`);
        continue;
      }
      const el = this.element(child, type, scopeEl.id);
      scopeEl.childIds.push(el.id);
      this.configure(child, el);
      if (type === 'SUB_PROCESS' || type === 'EVENT_SUB_PROCESS') {
        this.scope(child, el);
        const starts = el.childIds.map((id) => this.elements.get(id)!).filter((e) => e.type === 'START_EVENT');
        if (starts.length !== 1) {
          this.problem(
            el.id,
            type === 'SUB_PROCESS' ? 'Must have exactly one start event' : 'Must have exactly one start event',
          );
        }
        const start = starts[0];
        if (start) {
          if (type === 'SUB_PROCESS' && start.event !== 'none')
            this.problem(start.id, 'Start events in a sub process must be none start events');
          if (type === 'EVENT_SUB_PROCESS') {
            if (start.event === 'none')
              this.problem(
                start.id,
                'Start events in event sub processes must have an event definition (message, timer, error, escalation or signal)',
              );
            el.interrupting = start.interrupting;
          }
          el.startId = start.id;
        }
        if (type === 'EVENT_SUB_PROCESS') {
          scopeEl.eventSubProcessIds.push(el.id);
          if (child.incoming?.length || child.outgoing?.length)
            this.problem(el.id, 'An event sub process must not have incoming or outgoing sequence flows');
        }
      }
    }
  }

  private configure(node: any, el: ElementModel) {
    const defs = node.eventDefinitions ?? [];
    if (defs.length > 1) this.problem(el.id, 'Multiple event definitions are not supported');
    const def = defs[0];
    if (el.type.endsWith('_EVENT')) {
      if (def && !EVENT_DEFS[def.$type]) {
        this.problem(el.id, `The event definition '${def.$type.replace('bpmn:', '')}' is not supported`);
      }
      el.event = def ? EVENT_DEFS[def.$type] : 'none';
    }
    if (el.type === 'BOUNDARY_EVENT') {
      el.interrupting = node.cancelActivity !== false;
      el.attachedToId = node.attachedToRef?.id;
      if (!el.attachedToId) this.problem(el.id, 'Must be attached to an activity');
      if (el.event === 'none') this.problem(el.id, 'Boundary events must have an event definition');
      if (el.event === 'error' && !el.interrupting) this.problem(el.id, 'Error boundary events must be interrupting');
    }
    if (el.type === 'START_EVENT') el.interrupting = node.isInterrupting !== false;
    this.mappings(node, el);
    this.eventDefinition(node, el, def);
    this.task(node, el);
    if (node.loopCharacteristics) this.multiInstance(node, el);
    if (node.default) el.defaultFlowId = node.default.id;
  }

  private eventDefinition(_node: any, el: ElementModel, def: any) {
    if (!def) return;
    const catching =
      el.type === 'START_EVENT' || el.type === 'BOUNDARY_EVENT' || el.type === 'INTERMEDIATE_CATCH_EVENT';
    switch (el.event) {
      case 'timer': {
        const kind = def.timeDuration ? 'duration' : def.timeDate ? 'date' : def.timeCycle ? 'cycle' : undefined;
        const body = (def.timeDuration ?? def.timeDate ?? def.timeCycle)?.body;
        if (!kind || body === undefined || body.trim() === '') {
          this.problem(el.id, 'Must have a timer definition (timeDuration, timeDate or timeCycle)');
          return;
        }
        const e = this.checkExpr(el.id, expr(body), 'the timer')!;
        if (!e.feel) {
          const err = validateTimerExpr(kind, e.raw);
          if (err) this.problem(el.id, err);
        }
        if (kind === 'cycle' && el.type === 'INTERMEDIATE_CATCH_EVENT')
          this.problem(el.id, 'Intermediate timer catch events must have a timeDuration or timeDate, not a timeCycle');
        if (kind === 'cycle' && el.type === 'BOUNDARY_EVENT' && el.interrupting)
          this.problem(
            el.id,
            'Interrupting timer boundary events must have a timeDuration or timeDate, not a timeCycle',
          );
        el.timer = { kind, expr: e };
        return;
      }
      case 'message': {
        if (el.type === 'END_EVENT' || el.type === 'INTERMEDIATE_THROW_EVENT') return; // job-based
        this.messageCatch(el, def.messageRef);
        return;
      }
      case 'signal': {
        const sig = def.signalRef;
        if (!sig?.name) {
          this.problem(el.id, 'Must reference a signal with a name');
          return;
        }
        el.signal = { name: this.checkExpr(el.id, expr(sig.name), 'the signal name')! };
        return;
      }
      case 'error': {
        const code: string | undefined = def.errorRef?.errorCode;
        if (catching) {
          if (code?.trim().startsWith('=')) this.problem(el.id, 'Error catch events must have a static error code');
          el.errorCode = code ? { raw: code } : undefined;
        } else {
          if (!code) this.problem(el.id, 'Error end events must reference an error with an error code');
          el.errorCode = this.checkExpr(el.id, expr(code ?? ''), 'the error code');
        }
        return;
      }
      case 'escalation': {
        const code: string | undefined = def.escalationRef?.escalationCode;
        if (catching) el.escalationCode = code ? { raw: code } : undefined;
        else {
          if (!code)
            this.problem(el.id, 'Escalation throw events must reference an escalation with an escalation code');
          el.escalationCode = this.checkExpr(el.id, expr(code ?? ''), 'the escalation code');
        }
        return;
      }
      case 'link':
        el.linkName = def.name;
        if (!def.name) this.problem(el.id, 'Link events must have a name');
        return;
      default:
        return;
    }
  }

  /** The message a catch event or receive task waits for: a name and (except process starts) a correlation key. */
  private messageCatch(el: ElementModel, msg: any) {
    if (!msg || !msg.name) {
      this.problem(el.id, 'Must reference a message with a name');
      return;
    }
    const name = this.checkExpr(el.id, expr(msg.name), 'the message name')!;
    const sub = ext(msg, 'zeebe:Subscription')[0];
    const isProcessStart = el.type === 'START_EVENT' && el.flowScopeId === this.process.id;
    let correlationKey: Expr | undefined;
    if (!isProcessStart) {
      if (!sub?.correlationKey) {
        this.problem(
          el.id,
          `Must have a correlation key: add 'zeebe:subscription correlationKey' to the message '${msg.name}'`,
        );
      } else {
        correlationKey = this.checkExpr(
          el.id,
          expr(sub.correlationKey.trim().startsWith('=') ? sub.correlationKey : `=${sub.correlationKey}`),
          'the correlation key',
        );
      }
    } else if (name.feel !== undefined) {
      this.problem(el.id, 'Message start event names must be static');
    }
    el.message = { name, correlationKey };
  }

  private mappings(node: any, el: ElementModel) {
    for (const io of ext(node, 'zeebe:IoMapping')) {
      const map = (p: any, what: string): Mapping | undefined => {
        if (!p.target) {
          this.problem(el.id, `Expected a target for the ${what} mapping, but none given`);
          return undefined;
        }
        const source = p.source === undefined || p.source === '' ? undefined : expr(p.source);
        this.checkExpr(el.id, source, `the ${what} mapping source '${p.source}'`);
        return { source, target: p.target };
      };
      for (const p of io.inputParameters ?? []) {
        const m = map(p, 'input');
        if (m) el.inputs.push(m);
      }
      for (const p of io.outputParameters ?? []) {
        const m = map(p, 'output');
        if (m) el.outputs.push(m);
      }
    }
  }

  private task(node: any, el: ElementModel) {
    const taskDef = ext(node, 'zeebe:TaskDefinition')[0];
    const headers: Record<string, string> = {};
    for (const h of ext(node, 'zeebe:TaskHeaders').flatMap((th: any) => th.values ?? [])) {
      if (RESERVED_HEADERS.includes(h.key))
        this.problem(el.id, `Attribute 'key' contains '${h.key}', but it is reserved to be used internally`);
      if (h.key && h.value) headers[h.key] = h.value;
    }
    const jobDef = () => {
      if (!taskDef || !taskDef.type || String(taskDef.type).trim() === '') {
        this.problem(el.id, "Must have exactly one 'zeebe:taskDefinition' extension element with a non-empty 'type'");
        return;
      }
      el.job = {
        type: this.checkExpr(el.id, expr(taskDef.type), 'the job type')!,
        retries: this.checkExpr(el.id, expr(taskDef.retries ?? '3'), 'the job retries')!,
        headers,
      };
    };
    switch (el.type) {
      case 'SERVICE_TASK':
      case 'SEND_TASK':
        jobDef();
        return;
      case 'SCRIPT_TASK': {
        const script = ext(node, 'zeebe:Script')[0];
        if (script) {
          if (!script.expression) this.problem(el.id, "Expected a script expression in 'zeebe:script'");
          if (!script.resultVariable) this.problem(el.id, "Must have a 'resultVariable' in 'zeebe:script'");
          el.script = {
            expression: this.checkFeel(el.id, script.expression ?? '=null', 'the script') ?? 'null',
            resultVariable: script.resultVariable,
          };
        } else jobDef();
        return;
      }
      case 'BUSINESS_RULE_TASK':
        if (ext(node, 'zeebe:CalledDecision').length) this.calledDecision(ext(node, 'zeebe:CalledDecision')[0], el);
        else jobDef();
        return;
      case 'END_EVENT':
      case 'INTERMEDIATE_THROW_EVENT':
        if (el.event === 'message') jobDef();
        return;
      case 'USER_TASK':
        this.userTask(node, el, headers);
        return;
      case 'RECEIVE_TASK':
        // Zeebe: the task's own messageRef, a catch like an intermediate message event.
        if (!node.messageRef) {
          this.problem(el.id, 'Must reference a message');
          return;
        }
        el.event = 'message';
        this.messageCatch(el, node.messageRef);
        return;
      case 'CALL_ACTIVITY': {
        const ce = ext(node, 'zeebe:CalledElement')[0];
        if (!ce?.processId) {
          this.problem(el.id, "Must have exactly one 'zeebe:calledElement' extension element with a 'processId'");
          return;
        }
        el.called = {
          processId: this.checkExpr(el.id, expr(ce.processId), 'the called process id')!,
          propagateAllChildVariables: ce.propagateAllChildVariables !== false,
          propagateAllParentVariables: ce.propagateAllParentVariables !== false,
        };
        return;
      }
      default:
        return;
    }
  }

  /** `zeebe:calledDecision` of a business rule task (evaluated by engine/dmn, no job). */
  private calledDecision(cd: any, el: ElementModel) {
    const bindingType = cd.bindingType ?? 'latest';
    if (!cd.decisionId || !String(cd.decisionId).trim())
      this.problem(el.id, "Attribute 'decisionId' must be present and not empty");
    if (!cd.resultVariable || !String(cd.resultVariable).trim())
      this.problem(el.id, "Attribute 'resultVariable' must be present and not empty");
    if (!['latest', 'deployment', 'versionTag'].includes(bindingType))
      this.problem(
        el.id,
        `Attribute 'bindingType' must be one of 'latest', 'deployment' or 'versionTag', but was '${bindingType}'`,
      );
    if (bindingType === 'versionTag' && !cd.versionTag)
      this.problem(el.id, "Attribute 'versionTag' must be present and not empty when the binding type is 'versionTag'");
    if (!cd.decisionId || !cd.resultVariable) return;
    el.calledDecision = {
      decisionId: this.checkExpr(el.id, expr(cd.decisionId), 'the decision id')!,
      resultVariable: cd.resultVariable,
      bindingType,
      versionTag: cd.versionTag ? this.checkExpr(el.id, expr(cd.versionTag), 'the version tag') : undefined,
    };
  }

  private userTask(node: any, el: ElementModel, headers: Record<string, string>) {
    const native = ext(node, 'zeebe:UserTask').length > 0;
    const a = ext(node, 'zeebe:AssignmentDefinition')[0];
    const s = ext(node, 'zeebe:TaskSchedule')[0];
    const fd = ext(node, 'zeebe:FormDefinition')[0];
    const chk = (v: string | undefined, what: string) => this.checkExpr(el.id, v ? expr(v) : undefined, what);
    el.userTask = {
      assignee: chk(a?.assignee, 'the assignee'),
      candidateGroups: chk(a?.candidateGroups, 'the candidate groups'),
      candidateUsers: chk(a?.candidateUsers, 'the candidate users'),
      dueDate: chk(s?.dueDate, 'the due date'),
      followUpDate: chk(s?.followUpDate, 'the follow-up date'),
    };
    if (native) {
      el.userTask.customHeaders = headers;
      this.nativeUserTask(node, el, fd);
      return;
    }
    if (ext(node, 'zeebe:TaskListeners').length)
      this.problem(
        el.id,
        "Task listeners ('zeebe:taskListeners') are only supported on Camunda user tasks ('zeebe:userTask')",
      );
    if (fd?.formKey) {
      el.userTask.formKey = fd.formKey;
      if (
        fd.formKey.startsWith('camunda-forms:bpmn:') &&
        !this.embeddedForms.has(fd.formKey.slice('camunda-forms:bpmn:'.length))
      ) {
        this.problem(
          el.id,
          `Expected to find the user task form '${fd.formKey}', but no zeebe:userTaskForm with that id exists in the process`,
        );
      }
    } else if (fd?.formId) {
      el.userTask.formId = chk(fd.formId, 'the form id');
    } else if (fd?.externalReference) {
      el.userTask.formKey = fd.externalReference;
    }
    el.job = { type: { raw: 'io.camunda.zeebe:userTask' }, retries: { raw: '1' }, headers };
  }

  /**
   * A Camunda user task (`zeebe:userTask`, Zeebe's ExecutableUserTask with user task properties):
   * no job; the engine keeps the task and clients act on it over REST (`/v2/user-tasks`).
   */
  private nativeUserTask(node: any, el: ElementModel, fd: any) {
    const u = el.userTask!;
    u.native = true;
    if (ext(node, 'zeebe:TaskDefinition').length)
      this.problem(
        el.id,
        "Must have either one 'zeebe:userTask' or one 'zeebe:taskDefinition' extension element, but has both",
      );
    if (fd) {
      const set = ['formKey', 'formId', 'externalReference'].filter((k) => fd[k] !== undefined && fd[k] !== '');
      if (fd.formKey !== undefined && fd.formKey !== '')
        this.problem(
          el.id,
          "Attribute 'formKey' is not allowed on a Camunda user task ('zeebe:userTask'); use 'formId' or 'externalReference'",
        );
      else if (set.length !== 1)
        this.problem(el.id, "Exactly one of the attributes 'formId, externalReference' must be present and not blank");
      if (fd.formId) u.formId = this.checkExpr(el.id, expr(fd.formId), 'the form id');
      if (fd.externalReference)
        u.externalReference = this.checkExpr(el.id, expr(fd.externalReference), 'the external form reference');
      const bindingType = fd.bindingType ?? 'latest';
      if (!['latest', 'deployment', 'versionTag'].includes(bindingType))
        this.problem(
          el.id,
          `Attribute 'bindingType' must be one of 'latest', 'deployment' or 'versionTag', but was '${bindingType}'`,
        );
      if (bindingType === 'versionTag' && !fd.versionTag)
        this.problem(
          el.id,
          "Attribute 'versionTag' must be present and not empty when the binding type is 'versionTag'",
        );
      u.formBindingType = bindingType;
      u.formVersionTag = fd.versionTag || undefined;
    }
    const pd = ext(node, 'zeebe:PriorityDefinition')[0];
    if (pd?.priority !== undefined && pd.priority !== '') {
      const raw = String(pd.priority);
      if (!raw.trim().startsWith('=') && !(/^\d+$/.test(raw.trim()) && Number(raw) <= 100))
        this.problem(el.id, `Expected priority to be a number between 0 and 100, but was '${raw}'`);
      u.priority = this.checkExpr(el.id, expr(raw), 'the priority');
    }
    const aliases: Record<string, TaskListenerEventType> = {
      create: 'creating',
      assignment: 'assigning',
      update: 'updating',
      complete: 'completing',
      cancel: 'canceling',
    };
    u.listeners = [];
    for (const tl of ext(node, 'zeebe:TaskListeners').flatMap((t: any) => t.listeners ?? [])) {
      const eventType = aliases[tl.eventType] ?? tl.eventType;
      if (!['creating', 'assigning', 'updating', 'completing', 'canceling'].includes(eventType)) {
        this.problem(
          el.id,
          `Expected task listener event type to be one of 'creating', 'assigning', 'updating', 'completing' or 'canceling', but was '${tl.eventType}'`,
        );
        continue;
      }
      if (!tl.type || !String(tl.type).trim()) {
        this.problem(el.id, "Must have a non-empty 'type' attribute on every task listener");
        continue;
      }
      u.listeners.push({
        eventType,
        type: this.checkExpr(el.id, expr(tl.type), 'the task listener job type')!,
        retries: this.checkExpr(el.id, expr(tl.retries ?? '3'), 'the task listener retries')!,
      });
    }
    // Parsed and checked, but not run yet: refuse rather than deploy a model whose listeners never fire.
    if (u.listeners.length)
      this.problem(el.id, "Task listeners ('zeebe:taskListeners') are not supported by this engine yet");
  }

  private multiInstance(node: any, el: ElementModel) {
    const lc = node.loopCharacteristics;
    if (lc.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
      this.problem(el.id, 'Standard loops are not supported; use multi-instance with zeebe:loopCharacteristics');
      return;
    }
    const z = ext(lc, 'zeebe:LoopCharacteristics')[0];
    if (!z?.inputCollection) {
      this.problem(el.id, "Must have an 'inputCollection' in 'zeebe:loopCharacteristics'");
      return;
    }
    if (z.outputCollection && !z.outputElement)
      this.problem(el.id, "Must have an 'outputElement' when 'outputCollection' is set");
    el.mi = {
      sequential: lc.isSequential === true,
      inputCollection: this.checkFeel(el.id, z.inputCollection, 'the input collection')!,
      inputElement: z.inputElement || undefined,
      outputCollection: z.outputCollection || undefined,
      outputElement: z.outputElement ? this.checkFeel(el.id, z.outputElement, 'the output element') : undefined,
      outputElementVariable: z.outputElement ? pathRoot(z.outputElement.trim().replace(/^=/, '')) : undefined,
      completionCondition: lc.completionCondition?.body
        ? this.checkFeel(el.id, lc.completionCondition.body, 'the completion condition')
        : undefined,
    };
  }

  /** Wires flows, boundary events and cross-element checks once every element is known. */
  private link() {
    for (const f of this.flows.values()) {
      const source = this.elements.get(f.sourceId);
      const target = this.elements.get(f.targetId);
      if (!source || !target) {
        this.problem(
          f.id,
          `Expected the sequence flow to connect two elements of the process, but '${!source ? f.sourceId : f.targetId}' was not found`,
        );
        continue;
      }
      source.outgoing.push(f.id);
      target.incoming.push(f.id);
      if (f.condition !== undefined && !['EXCLUSIVE_GATEWAY', 'INCLUSIVE_GATEWAY'].includes(source.type)) {
        // Zeebe ignores conditions elsewhere only for default flows; report it as Zeebe does.
        this.problem(
          f.id,
          'Conditional sequence flows are only supported on flows leaving exclusive or inclusive gateways',
        );
      }
    }
    const errorCodesByScope = new Map<string, Set<string>>();
    for (const el of this.elements.values()) {
      if (el.type === 'BOUNDARY_EVENT') {
        const host = el.attachedToId ? this.elements.get(el.attachedToId) : undefined;
        if (!host) continue;
        host.boundaryIds.push(el.id);
        if (el.outgoing.length === 0 && el.event !== 'none') {
          // allowed in Zeebe (implicit end), nothing to do
        }
      }
      if (el.defaultFlowId && !el.outgoing.includes(el.defaultFlowId))
        this.problem(el.id, `The default flow '${el.defaultFlowId}' must be an outgoing flow of the element`);
      if (el.type === 'PARALLEL_GATEWAY' && el.defaultFlowId)
        this.problem(el.id, 'Parallel gateways must not have a default flow');
      if (el.type === 'EVENT_BASED_GATEWAY') {
        if (el.outgoing.length < 2)
          this.problem(el.id, 'Event-based gateway must have at least 2 outgoing sequence flows');
        for (const fid of el.outgoing) {
          const t = this.elements.get(this.flows.get(fid)!.targetId)!;
          if (t.type !== 'INTERMEDIATE_CATCH_EVENT' || !['message', 'timer', 'signal'].includes(t.event ?? '')) {
            this.problem(
              el.id,
              `Event-based gateway must not have an outgoing sequence flow to other elements than message, timer or signal intermediate catch events, but found '${t.id}'`,
            );
          }
        }
      }
      if (el.type === 'START_EVENT' && el.incoming.length)
        this.problem(el.id, 'Start events must not have incoming sequence flows');
      if (el.type === 'BOUNDARY_EVENT' && el.incoming.length)
        this.problem(el.id, 'Boundary events must not have incoming sequence flows');
    }
    // Error catch uniqueness per activity (boundaries) and per scope (event subprocess starts).
    for (const el of this.elements.values()) {
      if (el.type === 'RECEIVE_TASK' && el.message) {
        const raw = el.message.name.raw;
        if (el.boundaryIds.some((b) => this.elements.get(b)?.message?.name.raw === raw))
          this.problem(el.id, 'Cannot reference the same message name as a boundary event');
      }
      const catches: ElementModel[] = [];
      for (const b of el.boundaryIds) catches.push(this.elements.get(b)!);
      for (const esp of el.eventSubProcessIds) {
        const start = this.elements.get(this.elements.get(esp)!.startId ?? '');
        if (start) catches.push(start);
      }
      const seen = new Set<string>();
      const seenEsc = new Set<string>();
      for (const c of catches) {
        if (c.event === 'error') {
          const code = c.errorCode?.raw ?? '';
          if (seen.has(code))
            this.problem(
              c.id,
              code
                ? `Multiple error catch events with the same error code '${code}' are not supported on the same scope`
                : 'Multiple error catch events without error code are not supported on the same scope',
            );
          seen.add(code);
        }
        if (c.event === 'escalation') {
          const code = c.escalationCode?.raw ?? '';
          if (seenEsc.has(code))
            this.problem(
              c.id,
              `Multiple escalation catch events with the same escalation code '${code}' are not supported on the same scope`,
            );
          seenEsc.add(code);
        }
      }
      errorCodesByScope.set(el.id, seen);
    }
    // Link events: every throw needs one catch with its name in the same scope.
    const catchesByScope = new Map<string, Map<string, number>>();
    for (const el of this.elements.values()) {
      if (el.event === 'link' && el.type === 'INTERMEDIATE_CATCH_EVENT') {
        const m = catchesByScope.get(el.flowScopeId!) ?? new Map();
        m.set(el.linkName!, (m.get(el.linkName!) ?? 0) + 1);
        catchesByScope.set(el.flowScopeId!, m);
      }
    }
    for (const el of this.elements.values()) {
      if (
        el.event === 'link' &&
        el.type === 'INTERMEDIATE_CATCH_EVENT' &&
        (catchesByScope.get(el.flowScopeId!)?.get(el.linkName!) ?? 0) > 1
      ) {
        this.problem(
          el.id,
          `Multiple intermediate catch link events with the same name '${el.linkName}' are not allowed`,
        );
      }
      if (
        el.event === 'link' &&
        el.type === 'INTERMEDIATE_THROW_EVENT' &&
        !catchesByScope.get(el.flowScopeId!)?.get(el.linkName!)
      ) {
        this.problem(el.id, `Can't find a catch link event with the name '${el.linkName}'`);
      }
    }
  }
}

/** Extension elements of a given zeebe type. */
function ext(node: any, type: string): any[] {
  return (node?.extensionElements?.values ?? []).filter((v: any) => v.$type === type);
}
