/**
 * Process models and forms for designers: upload (BPMN linted server-side, forms checked), deploy
 * through the SDK (embedded engine or Zeebe alike), and the version history from `process_version`.
 */
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import type { ModelLimits } from '../../engine';
import { processName, userTaskNames } from '../../domain/processes/deploy';
import { HttpProblem } from '../http/problem';
import { lintBpmn, LINT_CONFIG, type LintResult } from '../../domain/processes/lint-bpmn';
import {
  findVersion,
  listLatest,
  listVersions,
  recordProcessVersion,
  type ProcessVersionRow,
} from '../../domain/processes/process-version-queries';
import type { Upload } from './read-upload';

export interface VersionView {
  kind: 'bpmn' | 'form';
  id: string;
  name: string | null;
  version: number;
  definitionKey: string;
  resourceName: string;
  deployedBy: string;
  deployedAt: string;
}

export interface UploadResult {
  kind: 'bpmn' | 'form';
  deployed: VersionView[];
  /** True when the engine found the resource unchanged and kept its version. */
  duplicate: boolean;
  warnings: LintResult[];
}

const view = (r: ProcessVersionRow): VersionView => ({
  kind: r.kind,
  id: r.resource_id,
  name: r.name,
  version: Number(r.version),
  definitionKey: String(r.definition_key),
  resourceName: r.resource_name,
  deployedBy: r.deployed_by,
  deployedAt: new Date(r.deployed_at).toISOString(),
});

interface DeploymentEntry {
  process?: { bpmnProcessId: string; version: number; processDefinitionKey: string | number; resourceName: string };
  form?: { formId: string; version: number; formKey: string | number; resourceName: string };
}

export class ProcessService {
  constructor(
    private readonly deps: {
      db: Knex;
      zbc?: Zeebe.ZeebeGrpcClient;
      now?: () => Date;
      /** The engine's model structure limits (ENGINE_MAX_*), applied before the lint. */
      modelLimits?: Partial<ModelLimits>;
    },
  ) {}

  async list(kind: 'bpmn' | 'form' = 'bpmn') {
    return (await listLatest(this.deps.db, kind)).map((r) => ({
      ...view(r),
      latestVersion: Number(r.version),
      versions: r.versions,
    }));
  }

  async versions(id: string, kind: 'bpmn' | 'form' = 'bpmn'): Promise<VersionView[]> {
    const rows = await listVersions(this.deps.db, kind, id);
    if (rows.length === 0) throw HttpProblem.notFound(`No ${kind === 'bpmn' ? 'process' : 'form'} ${id} was deployed.`);
    return rows.map(view);
  }

  async source(
    id: string,
    version: number | 'latest',
    kind: 'bpmn' | 'form' = 'bpmn',
  ): Promise<{ source: string; version: number }> {
    const row = await findVersion(this.deps.db, kind, id, version);
    if (!row) throw HttpProblem.notFound(`${kind === 'bpmn' ? 'Process' : 'Form'} ${id} has no version ${version}.`);
    return { source: row.xml, version: Number(row.version) };
  }

  /** Lints (BPMN) or checks (form), deploys through the SDK and records the version. */
  async upload(upload: Upload, by: string): Promise<UploadResult> {
    const text = upload.data.toString('utf8');
    const isForm =
      /\.form$/i.test(upload.filename) || (/json/i.test(upload.contentType) && !/\.bpmn$/i.test(upload.filename));
    return isForm ? this.uploadForm(upload, text, by) : this.uploadBpmn(upload, text, by);
  }

  private zbc(): Zeebe.ZeebeGrpcClient {
    if (!this.deps.zbc)
      throw new HttpProblem(503, 'Service Unavailable', 'The process engine is not connected; try again shortly.');
    return this.deps.zbc;
  }

  private async deploy(
    resource: { process: Buffer; name: string } | { form: Buffer; name: string },
  ): Promise<DeploymentEntry[]> {
    try {
      const r = await this.zbc().deployResource(resource as Parameters<Zeebe.ZeebeGrpcClient['deployResource']>[0]);
      return r.deployments as DeploymentEntry[];
    } catch (err) {
      const e = err as { code?: number; details?: string; message?: string };
      // INVALID_ARGUMENT: the engine's own validation refused the resource (Zeebe words it per element).
      if (e.code === 3)
        throw HttpProblem.badRequest(`The engine refused the deployment: ${e.details ?? e.message}`, [
          { field: 'file', message: String(e.details ?? e.message) },
        ]);
      throw err;
    }
  }

  private async uploadBpmn(upload: Upload, xml: string, by: string): Promise<UploadResult> {
    const name = /\.bpmn$/i.test(upload.filename)
      ? upload.filename
      : `${upload.filename.replace(/\.[^.]*$/, '') || 'model'}.bpmn`;
    const report = await lintBpmn(xml, this.deps.modelLimits);
    if (report.limitError)
      throw HttpProblem.badRequest(
        `The model is over a limit, nothing was parsed or deployed: ${report.limitError.message}`,
        [{ field: 'file', message: report.limitError.message }],
      );
    if (report.parseError)
      throw HttpProblem.badRequest(`The file is not a BPMN 2.0 model: ${report.parseError}`, [
        { field: 'file', message: report.parseError },
      ]);
    if (report.errors.length) {
      throw new HttpProblem(
        400,
        'Bad Request',
        `The model has ${report.errors.length} lint error(s) (${LINT_CONFIG}); nothing was deployed.`,
        {
          errors: report.errors.map((e) => ({
            field: e.elementId || 'definitions',
            message: `${e.rule}: ${e.message}`,
          })),
          lint: { config: LINT_CONFIG, errors: report.errors, warnings: report.warnings },
        },
      );
    }
    if (report.processIds.length === 0)
      throw HttpProblem.badRequest('The model has no process to deploy.', [{ field: 'file', message: 'no <process>' }]);
    const entries = await this.deploy({ process: Buffer.from(xml), name });
    const now = this.deps.now?.() ?? new Date();
    let duplicate = true;
    const deployed: VersionView[] = [];
    for (const d of entries) {
      if (!d.process) continue;
      const p = d.process;
      const fresh = await recordProcessVersion(this.deps.db, {
        kind: 'bpmn',
        resourceId: p.bpmnProcessId,
        version: p.version,
        definitionKey: String(p.processDefinitionKey),
        resourceName: p.resourceName,
        name: processName(xml, p.bpmnProcessId),
        source: xml,
        deployedBy: by,
        at: now,
      });
      duplicate &&= !fresh;
      const tasks = userTaskNames(xml).map((t) => ({
        bpmn_process_id: p.bpmnProcessId,
        version: p.version,
        element_id: t.elementId,
        name: t.name,
      }));
      if (tasks.length)
        await this.deps
          .db('deployed_user_task')
          .insert(tasks)
          .onConflict(['bpmn_process_id', 'version', 'element_id'])
          .ignore();
      deployed.push(view((await findVersion(this.deps.db, 'bpmn', p.bpmnProcessId, p.version))!));
    }
    return { kind: 'bpmn', deployed, duplicate, warnings: report.warnings };
  }

  private async uploadForm(upload: Upload, text: string, by: string): Promise<UploadResult> {
    let schema: { id?: unknown; components?: unknown };
    try {
      schema = JSON.parse(text);
    } catch (err) {
      throw HttpProblem.badRequest(`The form is not JSON: ${(err as Error).message}`, [
        { field: 'file', message: 'not JSON' },
      ]);
    }
    const errors = [];
    if (typeof schema?.id !== 'string' || !schema.id)
      errors.push({ field: 'id', message: 'a form needs an id (the formId user tasks link)' });
    if (!Array.isArray(schema?.components))
      errors.push({ field: 'components', message: 'a form needs a components array' });
    if (errors.length) throw HttpProblem.badRequest('The file is not a Camunda Form.', errors);
    const name = /\.form$/i.test(upload.filename) ? upload.filename : `${schema.id}.form`;
    const entries = await this.deploy({ form: Buffer.from(text), name });
    const now = this.deps.now?.() ?? new Date();
    let duplicate = true;
    const deployed: VersionView[] = [];
    for (const d of entries) {
      if (!d.form) continue;
      const f = d.form;
      await this.deps
        .db('deployed_form')
        .insert({
          form_key: String(f.formKey),
          form_id: f.formId,
          version: f.version,
          resource_name: f.resourceName,
          schema: text,
        })
        .onConflict('form_key')
        .ignore();
      const fresh = await recordProcessVersion(this.deps.db, {
        kind: 'form',
        resourceId: f.formId,
        version: f.version,
        definitionKey: String(f.formKey),
        resourceName: f.resourceName,
        source: text,
        deployedBy: by,
        at: now,
      });
      duplicate &&= !fresh;
      deployed.push(view((await findVersion(this.deps.db, 'form', f.formId, f.version))!));
    }
    return { kind: 'form', deployed, duplicate, warnings: [] };
  }
}
