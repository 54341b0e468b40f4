/**
 * DMN in the embedded engine, driven only through @camunda8/sdk's ZeebeGrpcClient: deploying
 * `.dmn` resources (alone and with BPMN), EvaluateDecision with every hit policy, business rule
 * tasks with `zeebe:calledDecision`, and DeleteResource for decisions and process definitions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startTestEngine } from '../../engine/testing';
import { createTestDb } from '../helpers/db';
import { bpmn, chain, deploy, engineForTest, jobsOf, serviceTask } from './helpers';

const DMN = path.join(__dirname, 'fixtures', 'dmn');
const dinnerFile = path.join(DMN, 'dinner.dmn');
const hitPoliciesFile = path.join(DMN, 'hit-policies.dmn');
const dinnerXml = fs.readFileSync(dinnerFile, 'utf8');

/** The gRPC status of a rejected SDK call (throws if the call succeeded). */
async function statusOf(p: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: number; details?: string; message: string };
    return { code: err.code, details: err.details ?? err.message };
  }
  throw new Error('Expected the call to be rejected, but it succeeded');
}

/** A business rule task that calls a decision, between a start and an end event. */
const ruleProcess = (id: string, calledDecision: string, after = '') =>
  bpmn(
    id,
    `<bpmn:startEvent id="s"/>
     <bpmn:businessRuleTask id="rule"><bpmn:extensionElements>${calledDecision}</bpmn:extensionElements></bpmn:businessRuleTask>
     ${after || '<bpmn:endEvent id="e"/>'}
     ${after ? chain('s', 'rule', 'next', 'e') : chain('s', 'rule', 'e')}`,
  );

describe('DMN (SDK-driven)', () => {
  let ctx: Awaited<ReturnType<typeof engineForTest>>;
  beforeAll(async () => {
    ctx = await engineForTest();
  });
  afterAll(() => ctx.stop());

  describe('deployment', () => {
    it('lists the decisions and the DRG with keys, ids, names and versions; an unchanged re-deploy is a duplicate', async () => {
      // when a DMN file is deployed on its own
      const first = await ctx.zbc.deployResource({ decisionFilename: dinnerFile });
      // then the response lists both decisions, then the DRG, all version 1
      expect(first.deployments).toHaveLength(3);
      const [dish, beverages, drg] = first.deployments as any[];
      expect(drg.decisionRequirements).toMatchObject({
        dmnDecisionRequirementsId: 'dinnerDecisions',
        dmnDecisionRequirementsName: 'Dinner decisions',
        version: 1,
        resourceName: expect.stringMatching(/dinner\.dmn$/), // the SDK names a file by its path
        tenantId: '<default>',
      });
      const drgKey = drg.decisionRequirements.decisionRequirementsKey;
      expect(dish.decision).toMatchObject({
        dmnDecisionId: 'dish',
        dmnDecisionName: 'Dish',
        version: 1,
        dmnDecisionRequirementsId: 'dinnerDecisions',
        decisionRequirementsKey: drgKey,
        tenantId: '<default>',
      });
      expect(beverages.decision).toMatchObject({
        dmnDecisionId: 'beverages',
        dmnDecisionName: 'Beverages',
        version: 1,
      });
      expect(new Set([dish.decision.decisionKey, beverages.decision.decisionKey, drgKey]).size).toBe(3);

      // when the same file is deployed again unchanged
      const again = await ctx.zbc.deployResource({ decisionFilename: dinnerFile });
      // then no new version: the same keys
      expect(
        (again.deployments as any[]).map(
          (d) => d.decision?.decisionKey ?? d.decisionRequirements.decisionRequirementsKey,
        ),
      ).toEqual([dish.decision.decisionKey, beverages.decision.decisionKey, drgKey]);

      // when a changed file is deployed
      const changed = await ctx.zbc.deployResource({
        name: 'dinner.dmn',
        decision: Buffer.from(dinnerXml.replace('"Guinness"', '"Stout"')),
      });
      // then the DRG and each decision get version 2 under new keys
      const [dish2, , drg2] = changed.deployments as any[];
      expect(drg2.decisionRequirements.version).toBe(2);
      expect(dish2.decision.version).toBe(2);
      expect(dish2.decision.decisionKey).not.toBe(dish.decision.decisionKey);
      expect(dish2.decision.decisionRequirementsKey).toBe(drg2.decisionRequirements.decisionRequirementsKey);

      // and evaluating by id takes the latest version, by key the named one
      const latest = await ctx.zbc.evaluateDecision({
        decisionId: 'beverages',
        variables: { season: 'Winter', guestCount: 20, guestsWithChildren: false },
      });
      expect(JSON.parse(latest.decisionOutput)).toEqual(['Stout', 'Water']);
      expect(latest.decisionVersion).toBe(2);
      const v1 = await ctx.zbc.evaluateDecision({
        decisionKey: beverages.decision.decisionKey,
        variables: { season: 'Winter', guestCount: 20, guestsWithChildren: false },
      });
      expect(JSON.parse(v1.decisionOutput)).toEqual(['Guinness', 'Water']);
      expect(v1.decisionVersion).toBe(1);
    });

    it('deploys BPMN and DMN together; the response lists the process first', async () => {
      const res = await ctx.zbc.deployResources([
        {
          name: 'together.dmn',
          decision: Buffer.from(
            dinnerXml
              .replace(/dinnerDecisions/g, 'togetherDrg')
              .replace(/"dish"/g, '"dishT"')
              .replace(/"beverages"/g, '"beveragesT"')
              .replace('#dish', '#dishT'),
          ),
        },
        {
          name: 'together.bpmn',
          process: Buffer.from(
            ruleProcess('together', '<zeebe:calledDecision decisionId="dishT" resultVariable="dish" />'),
          ),
        },
      ]);
      expect((res.deployments as any[]).map((d) => Object.keys(d).find((k) => d[k])).slice(0, 1)).toEqual(['process']);
      expect(res.deployments).toHaveLength(4);
    });

    it.each([
      [
        'malformed XML',
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="x"><decision',
        'Failed to parse the DMN XML',
      ],
      [
        'a bad FEEL unary test',
        dinnerXml.replace('<text>[5..8]</text>', '<text>[5..</text>'),
        "Decision 'dish': FEEL unary-tests: failed to parse expression '[5..'",
      ],
      [
        'a required decision that is not in the DRG',
        dinnerXml.replace('href="#dish"', 'href="#soup"'),
        "Decision 'beverages' requires the decision 'soup', but no decision with this id is in the DRG",
      ],
    ])('rejects %s with INVALID_ARGUMENT', async (_what, xml, message) => {
      const st = await statusOf(ctx.zbc.deployResource({ name: 'bad.dmn', decision: Buffer.from(xml) }));
      expect(st.code).toBe(3);
      expect(st.details).toContain(
        "Expected to deploy new resources, but encountered the following errors:\n'bad.dmn': ",
      );
      expect(st.details).toContain(message);
    });

    it('rejects a deployment with the same DRG id twice', async () => {
      const st = await statusOf(
        ctx.zbc.deployResources([
          { name: 'one.dmn', decision: Buffer.from(dinnerXml) },
          { name: 'two.dmn', decision: Buffer.from(dinnerXml) },
        ]),
      );
      expect(st.code).toBe(3);
      expect(st.details).toContain(
        "Expected the decision requirements ids to be unique within a deployment but found a duplicated id 'dinnerDecisions' in the resources 'one.dmn' and 'two.dmn'.",
      );
    });
  });

  describe('EvaluateDecision', () => {
    beforeAll(async () => {
      await ctx.zbc.deployResource({ decisionFilename: hitPoliciesFile });
    });

    it('evaluates required decisions first and reports each one (DRG)', async () => {
      await ctx.zbc.deployResource({
        name: 'dinner2.dmn',
        decision: Buffer.from(
          dinnerXml
            .replace(/dinnerDecisions/g, 'dinner2')
            .replace(/"dish"/g, '"dish2"')
            .replace(/"beverages"/g, '"beverages2"')
            .replace('#dish', '#dish2')
            .replace('<text>dish</text>', '<text>dish2</text>'),
        ),
      });
      // when
      const res = await ctx.zbc.evaluateDecision({
        decisionId: 'beverages2',
        variables: { season: 'Fall', guestCount: 4, guestsWithChildren: true },
      });
      // then
      expect(res).toMatchObject({
        decisionId: 'beverages2',
        decisionName: 'Beverages',
        decisionVersion: 1,
        decisionRequirementsId: 'dinner2',
        failedDecisionId: '',
        failureMessage: '',
        tenantId: '<default>',
      });
      expect(JSON.parse(res.decisionOutput)).toEqual(['Aecht Schlenkerla Rauchbier', 'Apple Juice']);
      expect((res as unknown as { decisionInstanceKey: string }).decisionInstanceKey).toBeTruthy();
      const [dish, bev] = res.evaluatedDecisions as any[];
      expect(dish).toMatchObject({
        decisionId: 'dish2',
        decisionType: 'DECISION_TABLE',
        decisionOutput: '"Spareribs"',
        evaluatedInputs: [
          { inputId: 'season', inputName: 'Season', inputValue: '"Fall"' },
          { inputId: 'guestCount', inputName: 'How many guests', inputValue: '4' },
        ],
        matchedRules: [
          {
            ruleId: 'fallSmall',
            ruleIndex: 1,
            evaluatedOutputs: [{ outputId: 'dishOut', outputName: 'dish2', outputValue: '"Spareribs"' }],
          },
        ],
      });
      expect(bev.decisionId).toBe('beverages2');
      expect(bev.matchedRules.map((r: any) => [r.ruleId, r.ruleIndex])).toEqual([
        ['b1', 1],
        ['b5', 5],
      ]);
      expect(bev.decisionKey).toBe(res.decisionKey);
    });

    it.each([
      ['first', 'pass', [1]],
      ['anyAgreeing', 'ok', [1]],
      ['priority', 'high', [2]],
      ['outputOrder', ['high', 'medium', 'low'], [2, 3, 1]],
      ['ruleOrder', ['low', 'high', 'medium'], [1, 2, 3]],
      ['collect', [1, 10, 100], [1, 2, 3]],
      ['collectSum', 111, [1, 2, 3]],
      ['collectMin', 1, [1, 2, 3]],
      ['collectMax', 100, [1, 2, 3]],
      ['collectCount', 3, [1, 2, 3]],
      ['uniqueNoMatch', null, []],
      ['multiOutput', { grade: 'B', passed: true }, [1]],
      ['doubled', 140, []],
      ['bonus', { total: 141, label: 'bonus for 70' }, []],
    ])('%s → %j', async (decisionId, output, ruleIndexes) => {
      const res = await ctx.zbc.evaluateDecision({ decisionId, variables: { score: 70 } });
      expect(res.failureMessage).toBe('');
      expect(JSON.parse(res.decisionOutput)).toEqual(output);
      const last = (res.evaluatedDecisions as any[]).at(-1);
      expect(last.matchedRules.map((r: any) => r.ruleIndex)).toEqual(ruleIndexes);
    });

    it('a literal expression decision reports its type', async () => {
      const res = await ctx.zbc.evaluateDecision({ decisionId: 'bonus', variables: { score: 1 } });
      expect((res.evaluatedDecisions as any[]).map((d) => [d.decisionId, d.decisionType, d.decisionOutput])).toEqual([
        ['doubled', 'LITERAL_EXPRESSION', '2'],
        ['bonus', 'LITERAL_EXPRESSION', '{"total":3,"label":"bonus for 1"}'],
      ]);
    });

    it.each([
      [
        'uniqueConflict',
        "Expected to evaluate decision 'uniqueConflict', but multiple values aren't allowed for UNIQUE hit policy",
      ],
      [
        'anyConflict',
        "Expected to evaluate decision 'anyConflict', but different values aren't allowed for ANY hit policy",
      ],
    ])('a failing %s answers with failedDecisionId and failureMessage', async (decisionId, message) => {
      const res = await ctx.zbc.evaluateDecision({ decisionId, variables: { score: 70 } });
      expect(res.failedDecisionId).toBe(decisionId);
      expect(res.failureMessage).toContain(message);
      expect(res.decisionOutput).toBe('null');
    });

    it('an unknown decision id or key is NOT_FOUND', async () => {
      const byId = await statusOf(ctx.zbc.evaluateDecision({ decisionId: 'nope', variables: {} }));
      expect(byId.code).toBe(5);
      expect(byId.details).toContain("Expected to evaluate decision 'nope', but no decision found for id 'nope'");
      const byKey = await statusOf(ctx.zbc.evaluateDecision({ decisionKey: '2251799813999999', variables: {} }));
      expect(byKey.code).toBe(5);
      expect(byKey.details).toContain("no decision found for key '2251799813999999'");
    });
  });

  describe('business rule tasks', () => {
    beforeAll(async () => {
      await ctx.zbc.deployResource({ decisionFilename: hitPoliciesFile }); // a duplicate when already deployed
    });

    it('evaluates the called decision and sets the result variable; the evaluation is in the record log', async () => {
      // given a process deployed together with its decision (binding type deployment)
      await ctx.zbc.deployResources([
        {
          name: 'brt.dmn',
          decision: Buffer.from(
            dinnerXml
              .replace(/dinnerDecisions/g, 'brtDrg')
              .replace(/"dish"/g, '"brtDish"')
              .replace(/"beverages"/g, '"brtBeverages"')
              .replace('#dish', '#brtDish')
              .replace('<text>dish</text>', '<text>brtDish</text>'),
          ),
        },
        {
          name: 'brt.bpmn',
          process: Buffer.from(
            ruleProcess(
              'brt',
              '<zeebe:calledDecision decisionId="brtBeverages" resultVariable="drinks" bindingType="deployment" />',
            ),
          ),
        },
      ]);
      // when
      const { processInstanceKey: pi } = await ctx.zbc.createProcessInstance({
        bpmnProcessId: 'brt',
        variables: { season: 'Spring', guestCount: 6, guestsWithChildren: false },
      });
      // then
      await ctx.te.isCompleted(pi);
      await ctx.te.hasVariable(pi, 'drinks', ['Pinot Noir', 'Water']);
      const evaluations = await ctx.te.records({ processInstanceKey: pi, valueType: 'DECISION_EVALUATION' as any });
      expect(evaluations).toHaveLength(1);
      expect(evaluations[0]).toMatchObject({
        intent: 'EVALUATED',
        value: {
          decisionId: 'brtBeverages',
          decisionOutput: '["Pinot Noir","Water"]',
          elementId: 'rule',
          bpmnProcessId: 'brt',
          processInstanceKey: pi,
        },
      });
      expect((evaluations[0].value.evaluatedDecisions as any[]).map((d) => d.decisionId)).toEqual([
        'brtDish',
        'brtBeverages',
      ]);
    });

    it('a failing evaluation raises DECISION_EVALUATION_ERROR; after fixing the variables, resolving completes it', async () => {
      await deploy(
        ctx.zbc,
        'brtFail.bpmn',
        ruleProcess('brtFail', '<zeebe:calledDecision decisionId="uniqueConflict" resultVariable="r" />'),
      );
      const { processInstanceKey: pi } = await ctx.zbc.createProcessInstance({
        bpmnProcessId: 'brtFail',
        variables: { score: 70 },
      });
      const incident = await ctx.te.hasIncident(pi, 'DECISION_EVALUATION_ERROR' as any, 'rule');
      expect(incident.errorMessage).toContain(
        "Expected to evaluate decision 'uniqueConflict', but multiple values aren't allowed for UNIQUE hit policy",
      );
      const failed = await ctx.te.records({ processInstanceKey: pi, valueType: 'DECISION_EVALUATION' as any });
      expect(failed.map((r) => [r.intent, r.value.failedDecisionId])).toEqual([['FAILED', 'uniqueConflict']]);
      // when
      await ctx.zbc.setVariables({ elementInstanceKey: pi, variables: { score: 5 }, local: false });
      await ctx.zbc.resolveIncident({ incidentKey: incident.key });
      // then
      await ctx.te.isCompleted(pi);
      await ctx.te.hasVariable(pi, 'r', 'a');
    });

    it('a missing decision raises CALLED_DECISION_ERROR; version tag binding picks the tagged version', async () => {
      await deploy(
        ctx.zbc,
        'brtMissing.bpmn',
        ruleProcess('brtMissing', '<zeebe:calledDecision decisionId="=name" resultVariable="r" />'),
      );
      const { processInstanceKey: pi } = await ctx.zbc.createProcessInstance({
        bpmnProcessId: 'brtMissing',
        variables: { name: 'ghost' },
      });
      const incident = await ctx.te.hasIncident(pi, 'CALLED_DECISION_ERROR' as any, 'rule');
      expect(incident.errorMessage).toBe("Expected to evaluate decision 'ghost', but no decision found for id 'ghost'");

      // given dish v1 tagged "v1" and a later version tagged "v2"
      const tagged = (tag: string, dish: string) =>
        Buffer.from(
          dinnerXml
            .replace(/dinnerDecisions/g, 'taggedDrg')
            .replace(/"dish"/g, '"taggedDish"')
            .replace(/"beverages"/g, '"taggedBeverages"')
            .replace('#dish', '#taggedDish')
            .replace('value="v1"', `value="${tag}"`)
            .replace('"Spareribs"', `"${dish}"`),
        );
      await ctx.zbc.deployResource({ name: 'tagged.dmn', decision: tagged('v1', 'Ribs one') });
      await ctx.zbc.deployResource({ name: 'tagged.dmn', decision: tagged('v2', 'Ribs two') });
      await deploy(
        ctx.zbc,
        'brtTag.bpmn',
        ruleProcess(
          'brtTag',
          '<zeebe:calledDecision decisionId="taggedDish" resultVariable="dish" bindingType="versionTag" versionTag="v1" />',
        ),
      );
      const tagRun = await ctx.zbc.createProcessInstance({
        bpmnProcessId: 'brtTag',
        variables: { season: 'Fall', guestCount: 2 },
      });
      await ctx.te.isCompleted(tagRun.processInstanceKey);
      await ctx.te.hasVariable(tagRun.processInstanceKey, 'dish', 'Ribs one');
    });

    it('evaluates once per element of a multi-instance business rule task', async () => {
      await deploy(
        ctx.zbc,
        'brtMi.bpmn',
        bpmn(
          'brtMi',
          `<bpmn:startEvent id="s"/>
           <bpmn:businessRuleTask id="rule">
             <bpmn:extensionElements>
               <zeebe:calledDecision decisionId="doubled" resultVariable="d" />
               <zeebe:ioMapping><zeebe:input source="=item" target="score" /></zeebe:ioMapping>
             </bpmn:extensionElements>
             <bpmn:multiInstanceLoopCharacteristics isSequential="true">
               <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="results" outputElement="=d" /></bpmn:extensionElements>
             </bpmn:multiInstanceLoopCharacteristics>
           </bpmn:businessRuleTask>
           <bpmn:endEvent id="e"/>${chain('s', 'rule', 'e')}`,
        ),
      );
      const { processInstanceKey: pi } = await ctx.zbc.createProcessInstance({
        bpmnProcessId: 'brtMi',
        variables: { items: [1, 2, 3] },
      });
      await ctx.te.isCompleted(pi);
      await ctx.te.hasVariable(pi, 'results', [2, 4, 6]);
      const evaluations = await ctx.te.records({ processInstanceKey: pi, valueType: 'DECISION_EVALUATION' as any });
      expect(evaluations.map((r) => r.value.decisionOutput)).toEqual(['2', '4', '6']);
    });

    it('rejects a calledDecision without a result variable at deploy time', async () => {
      const st = await statusOf(
        deploy(ctx.zbc, 'brtBad.bpmn', ruleProcess('brtBad', '<zeebe:calledDecision decisionId="dish" />')),
      );
      expect(st.code).toBe(3);
      expect(st.details).toContain("Attribute 'resultVariable' must be present and not empty");
    });
  });

  describe('DeleteResource', () => {
    it('deleting a DRG removes its decisions', async () => {
      const res = await ctx.zbc.deployResource({
        name: 'del.dmn',
        decision: Buffer.from(
          dinnerXml
            .replace(/dinnerDecisions/g, 'delDrg')
            .replace(/"dish"/g, '"delDish"')
            .replace(/"beverages"/g, '"delBeverages"')
            .replace('#dish', '#delDish'),
        ),
      });
      const drgKey = (res.deployments as any[]).find((d) => d.decisionRequirements).decisionRequirements
        .decisionRequirementsKey;
      const decisionKey = (res.deployments as any[])[0].decision.decisionKey;
      // a decision key is no resource of its own
      const notDrg = await statusOf(ctx.zbc.deleteResource({ resourceKey: decisionKey }));
      expect(notDrg.code).toBe(5);
      // when
      await ctx.zbc.deleteResource({ resourceKey: drgKey });
      // then
      const st = await statusOf(ctx.zbc.evaluateDecision({ decisionId: 'delDish', variables: {} }));
      expect(st.code).toBe(5);
      const gone = await statusOf(ctx.zbc.deleteResource({ resourceKey: drgKey }));
      expect(gone.code).toBe(5);
      expect(gone.details).toContain(`Expected to delete resource but no resource found with key \`${drgKey}\``);
      const deleted = (await ctx.te.records({ valueType: 'DECISION' as any })).filter((r) => r.intent === 'DELETED');
      expect(deleted.map((r) => r.value.decisionId).sort()).toEqual(['delBeverages', 'delDish']);
    });

    it('deleting a form makes its previous version the latest again', async () => {
      const form = (label: string) =>
        Buffer.from(JSON.stringify({ id: 'delForm', type: 'default', components: [{ type: 'text', text: label }] }));
      const f1 = await ctx.zbc.deployResource({ name: 'del.form', form: form('one') });
      const f2 = await ctx.zbc.deployResource({ name: 'del.form', form: form('two') });
      const key1 = (f1.deployments as any[])[0].form.formKey;
      const key2 = (f2.deployments as any[])[0].form.formKey;
      await ctx.zbc.deleteResource({ resourceKey: key2 });
      const deleted = (await ctx.te.records({ valueType: 'FORM' })).filter((r) => r.intent === 'DELETED');
      expect(deleted.map((r) => [r.value.formId, r.value.formKey, r.value.version])).toEqual([['delForm', key2, 2]]);
      // re-deploying version 1's content is then a duplicate of the latest (version 1)
      const again = await ctx.zbc.deployResource({ name: 'del.form', form: form('one') });
      expect((again.deployments as any[])[0].form).toMatchObject({ formKey: key1, version: 1 });
    });

    it('a process definition with running instances is not deleted; without, the previous version takes over', async () => {
      // given two versions of a process, with an instance of version 2 waiting at a job
      const v1 = await deploy(
        ctx.zbc,
        'delp.bpmn',
        bpmn('delp', `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>${chain('s', 'e')}`),
      );
      const v2 = await deploy(
        ctx.zbc,
        'delp.bpmn',
        bpmn(
          'delp',
          `<bpmn:startEvent id="s"/>${serviceTask('t', 'delp-work')}<bpmn:endEvent id="e"/>${chain('s', 't', 'e')}`,
        ),
      );
      const v2Key = (v2.deployments as any[])[0].process.processDefinitionKey;
      const { processInstanceKey: pi } = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'delp', variables: {} });
      // when the definition with a running instance is deleted
      const st = await statusOf(ctx.zbc.deleteResource({ resourceKey: v2Key }));
      // then it is refused
      expect(st.code).toBe(9); // FAILED_PRECONDITION (INVALID_STATE)
      expect(st.details).toContain(
        `Expected to delete resource with key \`${v2Key}\` but there are still running instances`,
      );
      // when the instance completed, the deletion goes through
      const [job] = await jobsOf(ctx.te, ctx.zbc, 'delp-work');
      await ctx.zbc.completeJob({ jobKey: job.key, variables: {} });
      await ctx.te.isCompleted(pi);
      await ctx.zbc.deleteResource({ resourceKey: v2Key });
      // then new instances by id run version 1
      const next = await ctx.zbc.createProcessInstance({ bpmnProcessId: 'delp', variables: {} });
      expect(next.processDefinitionKey).toBe((v1.deployments as any[])[0].process.processDefinitionKey);
      await ctx.te.isCompleted(next.processInstanceKey);
    });
  });
});

describe('DeleteResource of the latest process version with a timer start event', () => {
  it("re-arms the previous version's timer start event", async () => {
    const ctx = await engineForTest();
    try {
      // given two versions of a process with a timer start event
      const timerProcess = (end: string) =>
        bpmn(
          'delTimer',
          `<bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent><bpmn:endEvent id="${end}"/>${chain('tick', end)}`,
        );
      const v1 = await deploy(ctx.zbc, 'delTimer.bpmn', timerProcess('e1'));
      const v2 = await deploy(ctx.zbc, 'delTimer.bpmn', timerProcess('e2'));
      const v1Key = (v1.deployments as any[])[0].process.processDefinitionKey;
      const v2Key = (v2.deployments as any[])[0].process.processDefinitionKey;
      // when version 2 is deleted
      await ctx.zbc.deleteResource({ resourceKey: v2Key });
      // then its timer is cancelled and version 1's timer is created again
      const timers = (await ctx.te.records({ valueType: 'TIMER' })).map((r) => [
        r.intent,
        r.value.processDefinitionKey,
      ]);
      expect(timers).toEqual([
        ['CREATED', v1Key],
        ['CANCELED', v1Key],
        ['CREATED', v2Key],
        ['CANCELED', v2Key],
        ['CREATED', v1Key],
      ]);
      const deletions = (await ctx.te.records({ valueType: 'PROCESS' })).map((r) => r.intent);
      expect(deletions).toEqual(['CREATED', 'CREATED', 'DELETING', 'DELETED']);
    } finally {
      await ctx.stop();
    }
  });
});

describe('DMN across a restart', () => {
  it('loads the deployed DRGs from the database; a DMN 1.1 file (Camunda 7 style) evaluates too', async () => {
    // given a decision deployed on one engine
    const testDb = await createTestDb();
    try {
      const first = await startTestEngine({ db: testDb.db });
      const res = await first.client().deployResource({ decisionFilename: path.join(DMN, 'dmn11-season.dmn') });
      const decisionKey = (res.deployments as any[])[0].decision.decisionKey;
      await first.stop();
      // when a new engine starts on the same database
      const second = await startTestEngine({ db: testDb.db });
      try {
        // then the decision evaluates by key, and re-deploying it is a duplicate
        const out = await second.client().evaluateDecision({ decisionKey, variables: { season: 'fall' } });
        expect(out).toMatchObject({ decisionName: 'My Decision', decisionOutput: '"Spareribs"' });
        expect(out.evaluatedDecisions).toHaveLength(1);
        const again = await second.client().deployResource({ decisionFilename: path.join(DMN, 'dmn11-season.dmn') });
        expect((again.deployments as any[])[0].decision.decisionKey).toBe(decisionKey);
      } finally {
        await second.stop();
      }
    } finally {
      await testDb.destroy();
    }
  });
});
