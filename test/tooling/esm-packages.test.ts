import { BpmnModdle } from 'bpmn-moddle';
import { evaluate } from 'feelin';
// zeebe-bpmn-moddle ships its descriptor as JSON next to its ESM code.
import zeebeDescriptor from 'zeebe-bpmn-moddle/resources/zeebe.json';

/**
 * bpmn-moddle 10 and feelin are ESM-only; jest runs CommonJS through @swc/jest with those packages
 * transformed (jest.config.js). This proves the set-up: if it breaks, every engine test breaks.
 */
describe('ESM-only bpmn.io and FEEL packages under jest', () => {
  it('parses BPMN with Zeebe extensions through bpmn-moddle', async () => {
    // given a process with a Zeebe task definition
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
      <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                        xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
        <bpmn:process id="fire-lane" isExecutable="true">
          <bpmn:serviceTask id="lookup" name="Look up vehicle">
            <bpmn:extensionElements><zeebe:taskDefinition type="vehicle.lookup" retries="3" /></bpmn:extensionElements>
          </bpmn:serviceTask>
        </bpmn:process>
      </bpmn:definitions>`;

    // when it is read
    const moddle = new BpmnModdle({ zeebe: zeebeDescriptor });
    const { rootElement, warnings } = await moddle.fromXML(xml);

    // then the Zeebe extension is typed, not an unknown element
    expect(warnings).toEqual([]);
    const task = (rootElement as any).rootElements[0].flowElements[0];
    expect(task.$type).toBe('bpmn:ServiceTask');
    const definition = task.extensionElements.values[0];
    expect(definition.$type).toBe('zeebe:TaskDefinition');
    expect(definition.type).toBe('vehicle.lookup');
  });

  it('evaluates FEEL, temporal arithmetic included, through feelin', () => {
    // given an SLA due date expression as the processes use it
    const expression = 'date and time(reportedAt) + duration("PT48H")';

    // when it is evaluated
    const { value, warnings } = evaluate(expression, { reportedAt: '2026-11-27T09:00:00+08:00' });

    // then it yields the due date two days later
    expect(warnings).toEqual([]);
    expect(String(value)).toContain('2026-11-29T09:00:00');
  });
});
