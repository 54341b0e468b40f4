/** Zeebe extension snippets and the SLA-guarded user-task step shared by all scenario models. */
import type { FlowSpec, NodeSpec } from './bpmn-builder';
import { formFieldKeys } from './forms';

/** Set by the platform on every completion (the clerk), mapped out beside the form's fields. */
export const COMPLETED_BY = 'completedBy';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function taskDef(type: string, headers: Record<string, string> = {}): string {
  const h = Object.entries(headers);
  const hx = h.length
    ? `<zeebe:taskHeaders>${h.map(([k, v]) => `<zeebe:header key="${esc(k)}" value="${esc(v)}" />`).join('')}</zeebe:taskHeaders>`
    : '';
  return `<zeebe:taskDefinition type="${esc(type)}" />${hx}`;
}

export function io(inputs: [string, string][] = [], outputs: [string, string][] = []): string {
  if (!inputs.length && !outputs.length) return '';
  return `<zeebe:ioMapping>${inputs.map(([t, s]) => `<zeebe:input source="${esc(s)}" target="${esc(t)}" />`).join('')}${outputs
    .map(([t, s]) => `<zeebe:output source="${esc(s)}" target="${esc(t)}" />`)
    .join('')}</zeebe:ioMapping>`;
}

export const timerDate = (expr: string) =>
  `<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeDate></bpmn:timerEventDefinition>`;
export const timerDuration = (expr: string) =>
  `<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeDuration></bpmn:timerEventDefinition>`;
export const timerCycle = (expr: string) =>
  `<bpmn:timerEventDefinition><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">${esc(expr)}</bpmn:timeCycle></bpmn:timerEventDefinition>`;
export const message = (ref: string) => `<bpmn:messageEventDefinition messageRef="${ref}" />`;
export const terminate = '<bpmn:terminateEventDefinition />';

export function multiInstance(o: {
  collection: string;
  element: string;
  outputCollection?: string;
  outputElement?: string;
  sequential?: boolean;
}): string {
  const out = o.outputCollection
    ? ` outputCollection="${esc(o.outputCollection)}" outputElement="${esc(o.outputElement!)}"`
    : '';
  return `<bpmn:multiInstanceLoopCharacteristics${o.sequential ? ' isSequential="true"' : ''}><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="${esc(o.collection)}" inputElement="${esc(o.element)}"${out} /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>`;
}

/**
 * A user task's extensions: its form, department, due date and output mappings of exactly the
 * form's fields (plus `completedBy`). With output mappings a completion's variables stay local to
 * the task and only the mapped ones reach the process, so no completion can set a variable the
 * workflow owns (`caseId`, departments, SLA) — issue 18, H1; test/tooling/user-task-outputs.test.ts.
 */
export function userTaskExt(formId: string, candidateGroups: string, dueDate = '=slaDueAt'): string {
  const outputs = [...formFieldKeys(formId), COMPLETED_BY].map((k): [string, string] => [k, `=${k}`]);
  return `<zeebe:formDefinition formId="${esc(formId)}" /><zeebe:assignmentDefinition candidateGroups="${esc(candidateGroups)}" /><zeebe:taskSchedule dueDate="${esc(dueDate)}" />${io([], outputs)}`;
}

export const flow = (id: string, from: string, to: string, extra: Partial<FlowSpec> = {}): FlowSpec => ({
  id,
  from,
  to,
  ...extra,
});

/** Chains elements with flows named `<first>_<second>`. */
export function chain(...ids: string[]): FlowSpec[] {
  return ids.slice(1).map((id, i) => flow(`f_${ids[i]}_${id}`, ids[i], id));
}

export interface SlaStepOptions {
  /** Id of the step subprocess. */
  id: string;
  /** Name of the step (shown on the subprocess). */
  name: string;
  /** Id and name of the guarded user task (what the task list shows). */
  taskId: string;
  taskName: string;
  col: number;
  row: number;
  /** FEEL for the candidate department (a department code). */
  department: string;
  /** FEEL for the SLA budget in working hours. */
  hours: string;
  formId: string;
  /** Variables the task's form writes that must stay local to one (multi-instance) step. */
  locals?: string[];
  /** Further input mappings on the step. */
  inputs?: [string, string][];
  multiInstance?: Parameters<typeof multiInstance>[0];
}

/**
 * An SLA-guarded user-task step (one expanded subprocess):
 *
 *   start → sla.compute → ┬→ user task → sla.stop → terminate end
 *                         └→ call sla-clock (yellow card, red card + 督办, 提级; extension, suspension)
 *
 * The clock runs beside the task in the same scope, so completing the task (then the terminate end)
 * stops the clock, while an extension or a suspension moves the clock's timers without touching the
 * running task (its job, claim and form stay). `slaKey`, `slaDueAt` and `slaWarnAt` are step-local.
 */
export function slaStep(o: SlaStepOptions): NodeSpec {
  const p = o.id;
  const locals: [string, string][] = ['slaKey', 'slaDueAt', 'slaWarnAt', ...(o.locals ?? [])].map((v) => [v, '=null']);
  const inputs: [string, string][] = [
    ...locals,
    ['slaStep', `="${o.taskId}"`],
    ['slaStepName', `="${o.taskName}"`],
    ['slaDepartment', o.department],
    ['slaHours', o.hours],
    ...(o.inputs ?? []),
  ];
  const clockInputs: [string, string][] = [
    ['caseId', '=caseId'],
    ['caseNo', '=caseNo'],
    ['slaKey', '=slaKey'],
    ['slaDueAt', '=slaDueAt'],
    ['slaWarnAt', '=slaWarnAt'],
    ['slaLight', '="green"'],
    ['slaStep', '=slaStep'],
    ['slaStepName', '=slaStepName'],
    ['slaDepartment', '=slaDepartment'],
  ];
  const children: NodeSpec[] = [
    { id: `${p}_start`, type: 'startEvent', col: 0, row: 0 },
    { id: `${p}_sla`, type: 'serviceTask', name: '计算办理时限', col: 1, row: 0, ext: taskDef('sla.compute') },
    { id: `${p}_fork`, type: 'parallelGateway', col: 2, row: 0 },
    { id: o.taskId, type: 'userTask', name: o.taskName, col: 3, row: 0, ext: userTaskExt(o.formId, '=slaDepartment') },
    { id: `${p}_stop`, type: 'serviceTask', name: '停止计时', col: 4, row: 0, ext: taskDef('sla.stop') },
    { id: `${p}_done`, type: 'endEvent', name: '环节办结', col: 5, row: 0, body: terminate },
    {
      id: `${p}_clock`,
      type: 'callActivity',
      name: '时限监督（黄牌/红牌/督办）',
      col: 3,
      row: 1,
      ext: `<zeebe:calledElement processId="sla-clock" propagateAllChildVariables="false" propagateAllParentVariables="false" />${io(clockInputs)}`,
    },
    { id: `${p}_clockEnd`, type: 'endEvent', col: 4, row: 1 },
  ];
  const flows: FlowSpec[] = [
    ...chain(`${p}_start`, `${p}_sla`, `${p}_fork`, o.taskId, `${p}_stop`, `${p}_done`),
    flow(`f_${p}_fork_clock`, `${p}_fork`, `${p}_clock`),
    flow(`f_${p}_clock_end`, `${p}_clock`, `${p}_clockEnd`),
  ];
  return {
    id: p,
    type: 'subProcess',
    name: o.name,
    col: o.col,
    row: o.row,
    ext: io(inputs),
    body: o.multiInstance ? multiInstance(o.multiInstance) : undefined,
    children,
    flows,
  };
}
