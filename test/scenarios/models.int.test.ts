import fs from 'node:fs';
import path from 'node:path';
import { startTestEngine } from '../../engine/testing';
import { deployProcesses, listProcessResources } from '../../domain/processes/deploy';

/* eslint-disable @typescript-eslint/no-require-imports */
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');

const PROCESS_IDS = [
  'case-intake',
  'housing-quality',
  'hazmat-transport',
  'pollution-source',
  'new-product-rd',
  'fire-lane',
];
const MODELER_NS = {
  name: 'Modeler',
  prefix: 'modeler',
  uri: 'http://camunda.org/schema/modeler/1.0',
  types: [
    {
      name: 'Definitions',
      isAbstract: true,
      extends: ['bpmn:Definitions'],
      properties: [
        { name: 'executionPlatform', isAttr: true, type: 'String' },
        { name: 'executionPlatformVersion', isAttr: true, type: 'String' },
      ],
    },
  ],
};

describe('scenario models (processes/)', () => {
  const models = listProcessResources().filter((r) => r.kind === 'bpmn');

  test('the six fixed process ids ship, each user task links a shipped form', () => {
    const ids = models.map((m) => /<bpmn:process id="([^"]+)"/.exec(fs.readFileSync(m.file, 'utf8'))![1]);
    expect(ids).toEqual(expect.arrayContaining(PROCESS_IDS));
    const forms = new Set(
      listProcessResources()
        .filter((r) => r.kind === 'form')
        .map((r) => JSON.parse(fs.readFileSync(r.file, 'utf8')).id),
    );
    for (const m of models) {
      const xml = fs.readFileSync(m.file, 'utf8');
      const userTasks = xml.match(/<bpmn:userTask [\s\S]*?<\/bpmn:userTask>/g) ?? [];
      for (const t of userTasks) {
        const formId = /formId="([^"]+)"/.exec(t)?.[1];
        expect(formId && forms.has(formId)).toBe(true);
        expect(t).toMatch(/candidateGroups="=/);
        expect(t).toMatch(/zeebe:taskSchedule dueDate="=/);
      }
    }
  });

  test.each(models.map((m) => [m.name, m.file]))(
    '%s passes bpmnlint camunda-compat for Camunda 8.8 without errors and has a layout',
    async (_name, file) => {
      const { BpmnModdle } = await import('bpmn-moddle');
      const moddle = new BpmnModdle({ zeebe: require('zeebe-bpmn-moddle/resources/zeebe.json'), modeler: MODELER_NS });
      const xml = fs.readFileSync(file, 'utf8');
      const { rootElement, warnings } = await moddle.fromXML(xml);
      expect(warnings).toEqual([]);
      const linter = new Linter({
        config: { extends: 'plugin:camunda-compat/camunda-cloud-8-8' },
        resolver: new NodeResolver(),
      });
      const reports = await linter.lint(rootElement);
      const errors = Object.entries(reports).flatMap(([rule, list]) =>
        (list as { category: string; id: string; message: string }[])
          .filter((r) => r.category === 'error')
          .map((r) => `${rule} ${r.id}: ${r.message}`),
      );
      expect(errors).toEqual([]);
      // every flow node and flow has DI, and no two shapes of one container overlap
      const ids = [
        ...xml.matchAll(
          /<bpmn:(?!definitions|process|message|documentation|extensionElements|conditionExpression|timerEventDefinition|messageEventDefinition|terminateEventDefinition|multiInstanceLoopCharacteristics|timeDate|timeCycle|timeDuration)\w+ id="([^"]+)"/g,
        ),
      ].map((m) => m[1]);
      const di = new Set([...xml.matchAll(/bpmnElement="([^"]+)"/g)].map((m) => m[1]));
      expect(ids.filter((id) => !di.has(id))).toEqual([]);
      const shapes = [
        ...xml.matchAll(
          /<bpmndi:BPMNShape id="[^"]+" bpmnElement="([^"]+)"[^>]*>\s*<dc:Bounds x="(-?\d+)" y="(-?\d+)" width="(\d+)" height="(\d+)"/g,
        ),
      ].map((m) => ({ id: m[1], x: +m[2], y: +m[3], w: +m[4], h: +m[5] }));
      // the container of every element, from the parsed tree (nested subprocesses included)
      const container = new Map<string, string>();
      const boundary = new Set<string>();
      const walk = (
        elements: { id: string; $type: string; flowElements?: unknown[] }[] | undefined,
        parent: string,
      ) => {
        for (const e of elements ?? []) {
          container.set(e.id, parent);
          if (e.$type === 'bpmn:BoundaryEvent') boundary.add(e.id);
          if (e.flowElements) walk(e.flowElements as never, e.id);
        }
      };
      for (const root of (
        rootElement as unknown as { rootElements: { $type: string; id: string; flowElements?: unknown[] }[] }
      ).rootElements) {
        if (root.$type === 'bpmn:Process') walk(root.flowElements as never, root.id);
      }
      const overlaps: string[] = [];
      for (let i = 0; i < shapes.length; i++) {
        for (let j = i + 1; j < shapes.length; j++) {
          const a = shapes[i];
          const b = shapes[j];
          if (boundary.has(a.id) || boundary.has(b.id)) continue;
          if (container.get(a.id) !== container.get(b.id)) continue;
          if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
            overlaps.push(`${a.id}/${b.id}`);
        }
      }
      expect(overlaps).toEqual([]);
    },
  );

  test('deploying twice keeps every model and form at version 1 (duplicates are not re-versioned)', async () => {
    const te = await startTestEngine();
    try {
      const zbc = te.client();
      const first = await deployProcesses(zbc);
      const again = await deployProcesses(zbc);
      expect(first.processes.map((p) => p.bpmnProcessId)).toEqual(expect.arrayContaining(PROCESS_IDS));
      expect(again.processes.every((p) => p.version === 1)).toBe(true);
      expect(again.forms.every((f) => f.version === 1)).toBe(true);
      expect(again.forms).toHaveLength(fs.readdirSync(path.join(__dirname, '../../processes/forms')).length);
    } finally {
      await te.stop();
    }
  });
});
