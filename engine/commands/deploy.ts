import crypto from 'node:crypto';
import type { ProcessModel } from '../model/types';
import { createTimer, evaluateTimer, cancelTimer } from '../bpmn/behaviors/events';
import type { EngineCore } from '../processing/EngineCore';
import { TENANT } from '../processing/EngineCore';
import type { Key, ResourceRow } from '../state/types';
import { Rejection } from '../processing/Rejection';
import { deployDrg, type DeployedDecision, type DeployedDrg } from '../dmn/decisions';
import type { DrgModel } from '../dmn/parse';

/** A resource after the (asynchronous) parse step: BPMN with its models, or a form with its id. */
export type ParsedResource =
  | { kind: 'bpmn'; name: string; content: string; models: ProcessModel[] }
  | { kind: 'form'; name: string; content: string; formId: string }
  | { kind: 'dmn'; name: string; content: string; drg: DrgModel };

export type DeployedEntry =
  | {
      process: {
        bpmnProcessId: string;
        version: number;
        processDefinitionKey: Key;
        resourceName: string;
        tenantId: string;
      };
    }
  | { form: { formId: string; version: number; formKey: Key; resourceName: string; tenantId: string } }
  | { decision: DeployedDecision }
  | { decisionRequirements: DeployedDrg };

/** Zeebe's DeployResourceResponse lists processes, then decisions, then DRGs, then forms. */
const ENTRY_ORDER = ['process', 'decision', 'decisionRequirements', 'form'];
const entryRank = (e: DeployedEntry) => ENTRY_ORDER.indexOf(Object.keys(e)[0]);

export function checksum(content: string): string {
  return crypto.createHash('sha256').update(content).digest('hex');
}

/**
 * Deploys parsed resources atomically. A resource equal (name and checksum) to the latest
 * version of everything it defines is a duplicate: no new version, the existing keys are returned.
 * A new process version replaces the previous version's timer start events.
 */
export function deploy(core: EngineCore, resources: ParsedResource[]): { key: Key; deployments: DeployedEntry[] } {
  const deploymentKey = core.store.nextKey();
  const deployments: DeployedEntry[] = [];
  const now = core.now();
  checkUniqueDecisionIds(resources);
  for (const res of resources) {
    const sum = checksum(res.content);
    if (res.kind === 'dmn') {
      const r = deployDrg(core, { name: res.name, content: res.content, checksum: sum, drg: res.drg }, deploymentKey);
      for (const decision of r.decisions) deployments.push({ decision });
      deployments.push({ decisionRequirements: r.drg });
      continue;
    }
    if (res.kind === 'form') {
      const latest = core.store.latestForm(res.formId);
      let row = latest;
      if (!latest || latest.checksum !== sum || latest.resourceName !== res.name) {
        row = addResource(
          core,
          'form',
          res.formId,
          (latest?.version ?? 0) + 1,
          res.name,
          sum,
          deploymentKey,
          res.content,
          now,
        );
        core.record('FORM', 'CREATED', row.key, {
          formId: row.resourceId,
          version: row.version,
          formKey: row.key,
          resourceName: row.resourceName,
          checksum: sum,
          tenantId: TENANT,
        });
      }
      deployments.push({
        form: {
          formId: row!.resourceId,
          version: row!.version,
          formKey: row!.key,
          resourceName: row!.resourceName,
          tenantId: TENANT,
        },
      });
      continue;
    }
    const latest = res.models.map((m) => core.store.latestProcess(m.bpmnProcessId));
    const duplicate = latest.every((l) => l && l.checksum === sum && l.resourceName === res.name);
    res.models.forEach((model, i) => {
      let row = latest[i];
      if (!duplicate) {
        row = addResource(
          core,
          'process',
          model.bpmnProcessId,
          (latest[i]?.version ?? 0) + 1,
          res.name,
          sum,
          deploymentKey,
          res.content,
          now,
        );
        core.models.set(row.key, model);
        core.record('PROCESS', 'CREATED', row.key, {
          bpmnProcessId: row.resourceId,
          version: row.version,
          processDefinitionKey: row.key,
          resourceName: row.resourceName,
          checksum: sum,
          tenantId: TENANT,
        });
        replaceStartTimers(core, latest[i], row, model);
      }
      deployments.push({
        process: {
          bpmnProcessId: row!.resourceId,
          version: row!.version,
          processDefinitionKey: row!.key,
          resourceName: row!.resourceName,
          tenantId: TENANT,
        },
      });
    });
  }
  core.record('DEPLOYMENT', 'CREATED', deploymentKey, { resources: resources.map((r) => r.name), tenantId: TENANT });
  deployments.sort((a, b) => entryRank(a) - entryRank(b)); // stable: resource order within a kind
  return { key: deploymentKey, deployments };
}

/** DRG and decision ids must be unique within one deployment (Zeebe's DmnResourceTransformer). */
function checkUniqueDecisionIds(resources: ParsedResource[]): void {
  const drgs = new Map<string, string>();
  const decisions = new Map<string, string>();
  const fail = (what: string, id: string, first: string, second: string) => {
    throw new Rejection(
      'INVALID_ARGUMENT',
      'CREATE',
      `Expected to deploy new resources, but encountered the following errors:\nExpected the ${what} ids to be unique within a deployment but found a duplicated id '${id}' in the resources '${first}' and '${second}'.`,
    );
  };
  for (const res of resources) {
    if (res.kind !== 'dmn') continue;
    if (drgs.has(res.drg.id)) fail('decision requirements', res.drg.id, drgs.get(res.drg.id)!, res.name);
    drgs.set(res.drg.id, res.name);
    for (const d of res.drg.decisions) {
      if (decisions.has(d.id)) fail('decision', d.id, decisions.get(d.id)!, res.name);
      decisions.set(d.id, res.name);
    }
  }
}

function addResource(
  core: EngineCore,
  kind: 'process' | 'form',
  id: string,
  version: number,
  name: string,
  sum: string,
  deploymentKey: Key,
  content: string,
  now: number,
): ResourceRow {
  const key = core.store.nextKey();
  const row: ResourceRow = {
    key,
    kind,
    resourceId: id,
    version,
    resourceName: name,
    checksum: sum,
    deploymentKey,
    content,
    deployedAt: now,
  };
  core.store.resources.put(key, row);
  return row;
}

/** Cancels the previous version's timer start events and schedules the new version's (also after a deletion: DeleteResource). */
export function replaceStartTimers(
  core: EngineCore,
  previous: ResourceRow | undefined,
  def: ResourceRow,
  model: ProcessModel,
): void {
  if (previous) {
    for (const id of [...core.store.dueByDefinition.get(previous.key)]) cancelTimer(core, core.store.due.get(id)!);
  }
  for (const startId of model.timerStartIds) {
    const el = model.elements.get(startId)!;
    const t = evaluateTimer(core, el.timer!, null);
    if (!t.ok) continue; // validated at deploy for static values; FEEL without variables that fails is skipped
    createTimer(
      core,
      {
        elementInstanceKey: null,
        processInstanceKey: null,
        processDefinitionKey: def.key,
        targetElementId: startId,
        interrupting: true,
        repetitions: t.value.repetitions,
        cycle: t.value.cycle,
      },
      t.value.dueAt,
    );
  }
}
