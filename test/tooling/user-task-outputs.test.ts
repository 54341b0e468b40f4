/* eslint-disable @typescript-eslint/no-require-imports */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Every user task of every model in processes/ maps out exactly its form's fields (plus
 * `completedBy`, which the platform adds): with output mappings a completion's variables stay local
 * to the task, so a person can never set a variable the workflow owns (`caseId`, departments, SLA,
 * routing) — issue 18, H1. A new task without mappings, or a mapping of anything but a form field,
 * fails here naming the model, the task and the variable.
 */
const PROCESSES = path.resolve(__dirname, '../../processes');
const PLATFORM_FIELDS = ['completedBy'];
const MODELER_NS = {
  name: 'Modeler',
  prefix: 'modeler',
  uri: 'http://camunda.org/schema/modeler/1.0',
  xml: { tagAlias: 'lowerCase' },
  types: [],
};

interface Found {
  model: string;
  task: string;
  formId: string | null;
  outputs: { source: string; target: string }[] | null;
}

function formKeys(formId: string): string[] {
  const schema = JSON.parse(fs.readFileSync(path.join(PROCESSES, 'forms', `${formId}.form`), 'utf8'));
  const out: string[] = [];
  const walk = (list: any[] | undefined) => {
    for (const c of list ?? []) {
      if (c.key) out.push(c.key);
      walk(c.components);
    }
  };
  walk(schema.components);
  return out;
}

async function userTasks(file: string): Promise<Found[]> {
  const { BpmnModdle } = await import('bpmn-moddle');
  const moddle = new BpmnModdle({ zeebe: require('zeebe-bpmn-moddle/resources/zeebe.json'), modeler: MODELER_NS });
  const { rootElement } = await moddle.fromXML(fs.readFileSync(file, 'utf8'));
  const found: Found[] = [];
  const walk = (el: any) => {
    if (el.$type === 'bpmn:UserTask') {
      const ext: any[] = el.extensionElements?.values ?? [];
      const form = ext.find((e) => e.$type === 'zeebe:FormDefinition');
      const io = ext.find((e) => e.$type === 'zeebe:IoMapping');
      found.push({
        model: path.basename(file),
        task: el.id,
        formId: form?.formId ?? null,
        outputs: io?.outputParameters?.map((o: any) => ({ source: o.source, target: o.target })) ?? null,
      });
    }
    for (const child of [...(el.rootElements ?? []), ...(el.flowElements ?? [])]) walk(child);
  };
  walk(rootElement);
  return found;
}

/** What is wrong with one task's mappings, or null. */
function problem(t: Found): string | null {
  if (!t.formId) return `${t.model} ${t.task}: has no form`;
  if (!t.outputs?.length) return `${t.model} ${t.task}: has no output mappings`;
  const expected = [...formKeys(t.formId), ...PLATFORM_FIELDS];
  const extra = t.outputs.filter((o) => !expected.includes(o.target)).map((o) => o.target);
  const missing = expected.filter((k) => !t.outputs!.some((o) => o.target === k));
  const renamed = t.outputs.filter((o) => o.source.replace(/^=\s*/, '').trim() !== o.target).map((o) => o.target);
  const parts = [
    extra.length ? `maps ${extra.join(', ')}, which form ${t.formId} does not have` : '',
    missing.length ? `does not map form field(s) ${missing.join(', ')}` : '',
    renamed.length ? `maps ${renamed.join(', ')} from something other than the field itself` : '',
  ].filter(Boolean);
  return parts.length ? `${t.model} ${t.task}: ${parts.join('; ')}` : null;
}

describe('user tasks map out exactly their form fields', () => {
  const models = fs
    .readdirSync(PROCESSES)
    .filter((f) => f.endsWith('.bpmn'))
    .map((f) => path.join(PROCESSES, f));

  it('finds the user tasks of every model (so the check can fail)', async () => {
    // given every model in processes/
    const tasks = (await Promise.all(models.map(userTasks))).flat();

    // then there are user tasks to check, in most models
    expect(models.length).toBeGreaterThanOrEqual(8);
    expect(tasks.length).toBeGreaterThanOrEqual(20);
  });

  it('a task without mappings or mapping a workflow variable is reported', () => {
    // given tasks as an attacker would want them
    const bare: Found = { model: 'm.bpmn', task: 'reply', formId: 'case-reply', outputs: null };
    const leaky: Found = {
      model: 'm.bpmn',
      task: 'reply',
      formId: 'case-reply',
      outputs: [
        { source: '=replyText', target: 'replyText' },
        { source: '=completedBy', target: 'completedBy' },
        { source: '=caseId', target: 'caseId' },
      ],
    };

    // then both are named
    expect(problem(bare)).toBe('m.bpmn reply: has no output mappings');
    expect(problem(leaky)).toBe('m.bpmn reply: maps caseId, which form case-reply does not have');
  });

  it('every user task in processes/*.bpmn maps exactly its form fields', async () => {
    // given every user task of every model
    const tasks = (await Promise.all(models.map(userTasks))).flat();

    // then none lacks mappings or maps anything but its form's fields
    expect(tasks.map(problem).filter(Boolean)).toEqual([]);
  });
});
