/**
 * Deploys every scenario model (processes/*.bpmn) and form (processes/forms/*.form) through the SDK.
 * Unchanged files are duplicates to the engine (and to Zeebe), so a restart does not create new
 * versions. Forms are deployed first, in the same deployment as the models, so a user task never
 * activates before its linked form exists.
 *
 * When a database is given, the deployed forms (key → id, schema) and the user tasks' names are
 * recorded: the user-task bridge resolves the `io.camunda.zeebe:formKey` header (a form key) to
 * the schema it stores with the task.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import { recordProcessVersion } from './process-version-queries';

type ZeebeGrpcClient = Zeebe.ZeebeGrpcClient;

export const PROCESSES_DIR = path.resolve(__dirname, '../../processes');

export interface ProcessResource {
  name: string;
  file: string;
  kind: 'bpmn' | 'form';
}

/** The resources to deploy: processes/*.bpmn and processes/forms/*.form, sorted by name. */
export function listProcessResources(dir: string = PROCESSES_DIR): ProcessResource[] {
  const out: ProcessResource[] = [];
  for (const f of fs.readdirSync(dir).sort())
    if (f.endsWith('.bpmn')) out.push({ name: f, file: path.join(dir, f), kind: 'bpmn' });
  const formsDir = path.join(dir, 'forms');
  if (fs.existsSync(formsDir)) {
    for (const f of fs.readdirSync(formsDir).sort())
      if (f.endsWith('.form')) out.push({ name: f, file: path.join(formsDir, f), kind: 'form' });
  }
  return out;
}

export interface DeployedSummary {
  processes: { bpmnProcessId: string; version: number; processDefinitionKey: string; resourceName: string }[];
  forms: { formId: string; version: number; formKey: string; resourceName: string }[];
}

interface DeploymentEntry {
  process?: { bpmnProcessId: string; version: number; processDefinitionKey: string | number; resourceName: string };
  form?: { formId: string; version: number; formKey: string | number; resourceName: string };
}

/** Deploys all models and forms in one deployment and (optionally) records forms and task names. */
export async function deployProcesses(
  zbc: ZeebeGrpcClient,
  options: { db?: Knex; dir?: string } = {},
): Promise<DeployedSummary> {
  const resources = listProcessResources(options.dir);
  const forms = resources.filter((r) => r.kind === 'form');
  const models = resources.filter((r) => r.kind === 'bpmn');
  const result = await zbc.deployResources([
    ...forms.map((r) => ({ form: fs.readFileSync(r.file), name: r.name })),
    ...models.map((r) => ({ process: fs.readFileSync(r.file), name: r.name })),
  ]);
  const summary: DeployedSummary = { processes: [], forms: [] };
  for (const d of result.deployments as DeploymentEntry[]) {
    if (d.process) {
      summary.processes.push({
        bpmnProcessId: d.process.bpmnProcessId,
        version: d.process.version,
        processDefinitionKey: String(d.process.processDefinitionKey),
        resourceName: d.process.resourceName,
      });
    } else if (d.form) {
      summary.forms.push({
        formId: d.form.formId,
        version: d.form.version,
        formKey: String(d.form.formKey),
        resourceName: d.form.resourceName,
      });
    }
  }
  if (options.db) await recordDeployment(options.db, summary, resources);
  return summary;
}

/** Records deployed forms (key → schema) and user-task names per process version. */
export async function recordDeployment(
  db: Knex,
  summary: DeployedSummary,
  resources: ProcessResource[],
): Promise<void> {
  const byName = new Map(resources.map((r) => [r.name, r]));
  for (const f of summary.forms) {
    const file = byName.get(f.resourceName);
    if (!file) continue;
    const schema = fs.readFileSync(file.file, 'utf8');
    await db('deployed_form')
      .insert({ form_key: f.formKey, form_id: f.formId, version: f.version, resource_name: f.resourceName, schema })
      .onConflict('form_key')
      .ignore();
    await recordProcessVersion(db, {
      kind: 'form',
      resourceId: f.formId,
      version: f.version,
      definitionKey: f.formKey,
      resourceName: f.resourceName,
      source: schema,
    });
  }
  for (const p of summary.processes) {
    const file = byName.get(p.resourceName);
    if (!file) continue;
    const xml = fs.readFileSync(file.file, 'utf8');
    await recordProcessVersion(db, {
      kind: 'bpmn',
      resourceId: p.bpmnProcessId,
      version: p.version,
      definitionKey: p.processDefinitionKey,
      resourceName: p.resourceName,
      name: processName(xml, p.bpmnProcessId),
      source: xml,
    });
    const rows = userTaskNames(xml).map((t) => ({
      bpmn_process_id: p.bpmnProcessId,
      version: p.version,
      element_id: t.elementId,
      name: t.name,
    }));
    if (rows.length)
      await db('deployed_user_task').insert(rows).onConflict(['bpmn_process_id', 'version', 'element_id']).ignore();
  }
}

/** The `name` of `<bpmn:process id="…">` (XML-unescaped), if it has one. */
export function processName(xml: string, processId: string): string | null {
  for (const m of xml.matchAll(/<(?:bpmn:)?process\b([^>]*)>/g)) {
    if (/\bid="([^"]*)"/.exec(m[1])?.[1] !== processId) continue;
    const name = /\bname="([^"]*)"/.exec(m[1])?.[1];
    return name
      ? name
          .replace(/&quot;/g, '"')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&amp;/g, '&')
      : null;
  }
  return null;
}

/** `<bpmn:userTask id="…" name="…"` pairs of a model (names are XML-escaped in the file). */
export function userTaskNames(xml: string): { elementId: string; name: string }[] {
  const out: { elementId: string; name: string }[] = [];
  const unescape = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  for (const m of xml.matchAll(/<(?:bpmn:)?userTask\b([^>]*)>/g)) {
    const id = /\bid="([^"]*)"/.exec(m[1])?.[1];
    const name = /\bname="([^"]*)"/.exec(m[1])?.[1];
    if (id) out.push({ elementId: id, name: unescape(name ?? id) });
  }
  return out;
}
