/** Model generators for the structure-limit tests (engine and upload route). */

/** `depth` subprocesses nested in each other, each with a start and an end event (≈47 bytes a level). */
export function nestedSubprocesses(processId: string, depth: number): string {
  let inner = '';
  for (let i = depth; i >= 1; i--)
    inner = `<bpmn:subProcess id="s${i}"><bpmn:startEvent id="b${i}"/>${inner}</bpmn:subProcess>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs_${processId}" targetNamespace="http://onematter.test">
  <bpmn:process id="${processId}" isExecutable="true"><bpmn:startEvent id="start"/>${inner}</bpmn:process>
</bpmn:definitions>`;
}

/** A legal but large model: a start event, `n` service tasks in a chain, an end event. */
export function longChain(processId: string, n: number): string {
  const ids = ['start', ...Array.from({ length: n }, (_, i) => `t${i}`), 'end'];
  const nodes = [
    '<bpmn:startEvent id="start"/>',
    ...ids
      .slice(1, -1)
      .map(
        (id) =>
          `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="long-chain"/></bpmn:extensionElements></bpmn:serviceTask>`,
      ),
    '<bpmn:endEvent id="end"/>',
  ];
  const flows = ids.slice(1).map((id, i) => `<bpmn:sequenceFlow id="f${i}" sourceRef="${ids[i]}" targetRef="${id}"/>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs_${processId}" targetNamespace="http://onematter.test">
  <bpmn:process id="${processId}" isExecutable="true">${nodes.join('')}${flows.join('')}</bpmn:process>
</bpmn:definitions>`;
}
