import fs from 'node:fs';
import path from 'node:path';
import { parseBpmn } from '../model/parse';
import { systemClock } from '../processing/Clock';
import { EngineCore } from '../processing/EngineCore';
import type { BpmnElementType } from '../state/types';
import { behaviorFor } from './registry';

/**
 * The element behaviours and the execution core must not form a run-time import cycle: the core
 * receives the element-kind → behaviour look-up (Zeebe's BpmnElementProcessors) instead of
 * importing the registry. A cycle shows as a ReferenceError ("Cannot access '…' before
 * initialization") when a behaviour module happens to be the first one loaded. No database.
 */

/** Every module under engine/bpmn, relative to this directory (tests excluded). */
function bpmnModules(dir = __dirname): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return bpmnModules(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
      ? [`./${path.relative(__dirname, full).replace(/\\/g, '/').replace(/\.ts$/, '')}`]
      : [];
  });
}

/** The element kinds that execute (every BpmnElementType but the sequence flow); tsc keeps it complete. */
const EXECUTABLE: Record<Exclude<BpmnElementType, 'SEQUENCE_FLOW'>, true> = {
  PROCESS: true,
  SUB_PROCESS: true,
  EVENT_SUB_PROCESS: true,
  CALL_ACTIVITY: true,
  MULTI_INSTANCE_BODY: true,
  START_EVENT: true,
  BOUNDARY_EVENT: true,
  END_EVENT: true,
  INTERMEDIATE_CATCH_EVENT: true,
  INTERMEDIATE_THROW_EVENT: true,
  SERVICE_TASK: true,
  SEND_TASK: true,
  BUSINESS_RULE_TASK: true,
  USER_TASK: true,
  SCRIPT_TASK: true,
  RECEIVE_TASK: true,
  MANUAL_TASK: true,
  TASK: true,
  EXCLUSIVE_GATEWAY: true,
  PARALLEL_GATEWAY: true,
  INCLUSIVE_GATEWAY: true,
  EVENT_BASED_GATEWAY: true,
};

/** One element of every kind the parser knows (a multi-instance task stands for the body). */
const EVERY_ELEMENT = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:message id="m" name="go"><bpmn:extensionElements><zeebe:subscription correlationKey="=key" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="every-element" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="service" />
    <bpmn:serviceTask id="service"><bpmn:extensionElements><zeebe:taskDefinition type="a" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:boundaryEvent id="boundary" attachedToRef="service"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="fb" sourceRef="boundary" targetRef="end" />
    <bpmn:sequenceFlow id="f2" sourceRef="service" targetRef="send" />
    <bpmn:sendTask id="send"><bpmn:extensionElements><zeebe:taskDefinition type="b" /></bpmn:extensionElements></bpmn:sendTask>
    <bpmn:sequenceFlow id="f3" sourceRef="send" targetRef="rule" />
    <bpmn:businessRuleTask id="rule"><bpmn:extensionElements><zeebe:taskDefinition type="c" /></bpmn:extensionElements></bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f4" sourceRef="rule" targetRef="user" />
    <bpmn:userTask id="user" />
    <bpmn:sequenceFlow id="f5" sourceRef="user" targetRef="script" />
    <bpmn:scriptTask id="script"><bpmn:extensionElements><zeebe:script expression="=1" resultVariable="r" /></bpmn:extensionElements></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f6" sourceRef="script" targetRef="receive" />
    <bpmn:receiveTask id="receive" messageRef="m" />
    <bpmn:sequenceFlow id="f7" sourceRef="receive" targetRef="manual" />
    <bpmn:manualTask id="manual" />
    <bpmn:sequenceFlow id="f8" sourceRef="manual" targetRef="task" />
    <bpmn:task id="task" />
    <bpmn:sequenceFlow id="f9" sourceRef="task" targetRef="sub" />
    <bpmn:subProcess id="sub">
      <bpmn:startEvent id="subStart" />
      <bpmn:sequenceFlow id="s1" sourceRef="subStart" targetRef="subEnd" />
      <bpmn:endEvent id="subEnd" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f10" sourceRef="sub" targetRef="call" />
    <bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="other" /></bpmn:extensionElements></bpmn:callActivity>
    <bpmn:sequenceFlow id="f11" sourceRef="call" targetRef="each" />
    <bpmn:serviceTask id="each">
      <bpmn:extensionElements><zeebe:taskDefinition type="d" /></bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1, 2]" inputElement="x" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f12" sourceRef="each" targetRef="xor" />
    <bpmn:exclusiveGateway id="xor" />
    <bpmn:sequenceFlow id="f13" sourceRef="xor" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f14" sourceRef="fork" targetRef="or" />
    <bpmn:inclusiveGateway id="or" />
    <bpmn:sequenceFlow id="f15" sourceRef="or" targetRef="throw" />
    <bpmn:intermediateThrowEvent id="throw" />
    <bpmn:sequenceFlow id="f16" sourceRef="throw" targetRef="race" />
    <bpmn:eventBasedGateway id="race" />
    <bpmn:sequenceFlow id="f17" sourceRef="race" targetRef="wait" />
    <bpmn:sequenceFlow id="f18" sourceRef="race" targetRef="message" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="message"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f19" sourceRef="wait" targetRef="end" />
    <bpmn:sequenceFlow id="f20" sourceRef="message" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:subProcess id="onTimer" triggeredByEvent="true">
      <bpmn:startEvent id="onTimerStart" isInterrupting="false"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>
      <bpmn:sequenceFlow id="e1" sourceRef="onTimerStart" targetRef="onTimerEnd" />
      <bpmn:endEvent id="onTimerEnd" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>`;

describe('element behaviour registry', () => {
  const modules = bpmnModules();

  test('finds the behaviour modules', () => {
    expect(modules).toEqual(
      expect.arrayContaining(['./execution', './registry', './tasks/JobWorkerTaskBehavior', './behaviors/triggers']),
    );
  });

  test.each(modules)('%s loads first in a fresh module registry without a ReferenceError', (modulePath) => {
    let loaded: Record<string, unknown> = {};
    expect(() =>
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        loaded = require(modulePath);
      }),
    ).not.toThrow();
    if (/^\.\/(containers|events|gateways|tasks)\/\w+Behaviors?$/.test(modulePath)) {
      const behaviours = Object.values(loaded).filter(
        (v) => typeof (v as { activate?: unknown })?.activate === 'function',
      );
      expect(behaviours.length).toBeGreaterThan(0);
    }
  });

  test('the parser produces every executable element kind, and the registry maps each of them', async () => {
    // given a process with one element of every kind
    const [model] = await parseBpmn(EVERY_ELEMENT);
    const produced = new Set<BpmnElementType>();
    for (const el of model.elements.values()) {
      produced.add(el.type);
      if (el.mi) produced.add('MULTI_INSTANCE_BODY'); // execution wraps a multi-instance element in its body
    }
    expect([...produced].sort()).toEqual(Object.keys(EXECUTABLE).sort());

    // then the registry has a behaviour for each, and the engine core hands out exactly that one
    const core = new EngineCore(systemClock, behaviorFor);
    for (const type of produced) {
      const behavior = behaviorFor(type);
      expect({ type, activate: typeof behavior.activate }).toEqual({ type, activate: 'function' });
      expect(core.behaviorFor(type)).toBe(behavior);
    }
    expect(() => behaviorFor('SEQUENCE_FLOW')).toThrow(
      "Expected a behavior for element type 'SEQUENCE_FLOW', but none is registered",
    );
  });
});
