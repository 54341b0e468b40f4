/**
 * The FEEL evaluation budget (engine option `feelBudgetMs`, ENGINE_FEEL_BUDGET_MS): an expression
 * that would run for minutes (`sum(for i in 1..100000000 return i)`) is stopped at the budget and
 * becomes an incident naming it, and the engine goes on serving other instances.
 */
import { startTestEngine, type TestEngine } from '../../engine/testing';
import { bpmn, chain } from './helpers';

const endlessXml = bpmn(
  'feel-endless',
  `<bpmn:startEvent id="s"/><bpmn:scriptTask id="add"><bpmn:extensionElements><zeebe:script expression="=sum(for i in 1..100000000 return i)" resultVariable="total"/></bpmn:extensionElements></bpmn:scriptTask><bpmn:endEvent id="e"/>${chain('s', 'add', 'e')}`,
);
const smallXml = bpmn(
  'feel-small',
  `<bpmn:startEvent id="s"/><bpmn:scriptTask id="add"><bpmn:extensionElements><zeebe:script expression="=sum(for i in 1..n return i)" resultVariable="total"/></bpmn:extensionElements></bpmn:scriptTask><bpmn:endEvent id="e"/>${chain('s', 'add', 'e')}`,
);

describe('FEEL evaluation budget', () => {
  let te: TestEngine;
  beforeAll(async () => {
    te = await startTestEngine({ feelBudgetMs: 50 });
  });
  afterAll(() => te.stop());

  test('an endless expression becomes an incident naming the budget; another instance completes meanwhile', async () => {
    // given
    const zbc = te.client();
    await zbc.deployResource({ process: Buffer.from(endlessXml), name: 'endless.bpmn' });
    await zbc.deployResource({ process: Buffer.from(smallXml), name: 'small.bpmn' });

    // when
    const endless = zbc.createProcessInstance({ bpmnProcessId: 'feel-endless', variables: {} });
    const small = zbc.createProcessInstanceWithResult({ bpmnProcessId: 'feel-small', variables: { n: 100 } });
    const [{ processInstanceKey: pi }, result] = await Promise.all([endless, small]);

    // then
    expect(result.variables).toEqual({ n: 100, total: 5050 });
    const incident = await te.hasIncident(pi, 'EXTRACT_VALUE_ERROR', 'add');
    expect(incident.errorMessage).toContain(
      'the evaluation exceeded the FEEL evaluation budget of 50 ms (ENGINE_FEEL_BUDGET_MS)',
    );
    await te.isActive(pi);
  });
});
