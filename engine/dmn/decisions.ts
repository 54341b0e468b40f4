import type { EngineCore } from '../processing/EngineCore';
import { TENANT } from '../processing/EngineCore';
import { Rejection } from '../processing/Rejection';
import type { ElementInstance, Key, ResourceRow } from '../state/types';
import { evaluateDecision, type DecisionResult, type EvaluatedDecision } from './evaluate';
import type { DrgModel } from './parse';

/** What a `decision` resource row keeps in its `content` column (it has no XML of its own). */
export interface DecisionMeta {
  name: string;
  versionTag?: string;
  decisionRequirementsId: string;
  decisionRequirementsKey: Key;
}

export function decisionMeta(row: ResourceRow): DecisionMeta {
  return JSON.parse(row.content) as DecisionMeta;
}

export interface DeployedDecision {
  dmnDecisionId: string;
  dmnDecisionName: string;
  version: number;
  decisionKey: Key;
  dmnDecisionRequirementsId: string;
  decisionRequirementsKey: Key;
  tenantId: string;
}

export interface DeployedDrg {
  dmnDecisionRequirementsId: string;
  dmnDecisionRequirementsName: string;
  version: number;
  decisionRequirementsKey: Key;
  resourceName: string;
  tenantId: string;
}

/**
 * Deploys one DMN resource (Zeebe's DmnResourceTransformer): the DRG is a duplicate when its
 * latest version has the same resource name and checksum and every decision's latest version
 * belongs to it; then nothing new is written and the existing keys are returned. Otherwise the
 * DRG gets the next version of its id, and each decision the next version of *its* id.
 */
export function deployDrg(
  core: EngineCore,
  res: { name: string; content: string; checksum: string; drg: DrgModel },
  deploymentKey: Key,
): { decisions: DeployedDecision[]; drg: DeployedDrg } {
  const { drg } = res;
  const latestDrg = core.store.latestOf('drg', drg.id);
  const latestDecisions = drg.decisions.map((d) => core.store.latestOf('decision', d.id));
  const duplicate =
    !!latestDrg &&
    latestDrg.resourceName === res.name &&
    latestDrg.checksum === res.checksum &&
    latestDecisions.every((l) => l && decisionMeta(l).decisionRequirementsKey === latestDrg.key);
  let drgRow = latestDrg!;
  let decisionRows = latestDecisions as ResourceRow[];
  if (!duplicate) {
    const now = core.now();
    drgRow = {
      key: core.store.nextKey(),
      kind: 'drg',
      resourceId: drg.id,
      version: (latestDrg?.version ?? 0) + 1,
      resourceName: res.name,
      checksum: res.checksum,
      deploymentKey,
      content: res.content,
      deployedAt: now,
    };
    core.store.resources.put(drgRow.key, drgRow);
    core.drgs.set(drgRow.key, drg);
    core.record('DECISION_REQUIREMENTS', 'CREATED', drgRow.key, {
      decisionRequirementsId: drg.id,
      decisionRequirementsName: drg.name,
      decisionRequirementsVersion: drgRow.version,
      decisionRequirementsKey: drgRow.key,
      namespace: drg.namespace,
      resourceName: res.name,
      checksum: res.checksum,
      duplicate: false,
      tenantId: TENANT,
      deploymentKey,
    });
    decisionRows = drg.decisions.map((d, i) => {
      const meta: DecisionMeta = {
        name: d.name,
        versionTag: d.versionTag,
        decisionRequirementsId: drg.id,
        decisionRequirementsKey: drgRow.key,
      };
      const row: ResourceRow = {
        key: core.store.nextKey(),
        kind: 'decision',
        resourceId: d.id,
        version: (latestDecisions[i]?.version ?? 0) + 1,
        resourceName: res.name,
        checksum: res.checksum,
        deploymentKey,
        content: JSON.stringify(meta),
        deployedAt: now,
      };
      core.store.resources.put(row.key, row);
      core.record('DECISION', 'CREATED', row.key, decisionRecord(row));
      return row;
    });
  }
  return {
    decisions: decisionRows.map((row) => ({
      dmnDecisionId: row.resourceId,
      dmnDecisionName: decisionMeta(row).name,
      version: row.version,
      decisionKey: row.key,
      dmnDecisionRequirementsId: drg.id,
      decisionRequirementsKey: drgRow.key,
      tenantId: TENANT,
    })),
    drg: {
      dmnDecisionRequirementsId: drg.id,
      dmnDecisionRequirementsName: drg.name,
      version: drgRow.version,
      decisionRequirementsKey: drgRow.key,
      resourceName: drgRow.resourceName,
      tenantId: TENANT,
    },
  };
}

function decisionRecord(row: ResourceRow): Record<string, unknown> {
  const meta = decisionMeta(row);
  return {
    decisionId: row.resourceId,
    decisionName: meta.name,
    version: row.version,
    versionTag: meta.versionTag ?? '',
    decisionKey: row.key,
    decisionRequirementsId: meta.decisionRequirementsId,
    decisionRequirementsKey: meta.decisionRequirementsKey,
    duplicate: false,
    tenantId: TENANT,
    deploymentKey: row.deploymentKey,
  };
}

/** Where a decision evaluation happened, for its record (a business rule task), if anywhere. */
interface EvaluationSite {
  inst: ElementInstance;
}

/** The outcome of evaluating a deployed decision, with its DECISION_EVALUATION record written. */
export interface Evaluation {
  key: Key;
  decision: ResourceRow;
  meta: DecisionMeta;
  result: DecisionResult;
  /** The evaluated decisions with the keys and versions of their deployed rows. */
  evaluatedDecisions: (EvaluatedDecision & { decisionKey: Key; decisionVersion: number })[];
}

/** Evaluates a deployed decision in its DRG and writes the DECISION_EVALUATION event (Zeebe's DecisionBehavior). */
export function evaluateDeployed(
  core: EngineCore,
  decision: ResourceRow,
  variables: Record<string, unknown>,
  site?: EvaluationSite,
): Evaluation {
  const meta = decisionMeta(decision);
  const drg = core.drgs.get(meta.decisionRequirementsKey);
  if (!drg) throw new Error(`Expected a parsed DRG for key '${meta.decisionRequirementsKey}'`);
  const result = evaluateDecision(drg, decision.resourceId, variables, core.now());
  const key = core.store.nextKey();
  // Keys and versions of the evaluated decisions: the rows that belong to the same DRG version.
  const rows = new Map<string, ResourceRow>();
  for (const d of drg.decisions) {
    for (const k of core.store.decisionVersions.get(d.id)?.values() ?? []) {
      const row = core.store.resources.get(k)!;
      if (decisionMeta(row).decisionRequirementsKey === meta.decisionRequirementsKey) rows.set(d.id, row);
    }
  }
  const evaluatedDecisions = result.evaluatedDecisions.map((e) => ({
    ...e,
    decisionKey: rows.get(e.decisionId)?.key ?? '-1',
    decisionVersion: rows.get(e.decisionId)?.version ?? -1,
  }));
  const value: Record<string, unknown> = {
    decisionKey: decision.key,
    decisionId: decision.resourceId,
    decisionName: meta.name,
    decisionVersion: decision.version,
    decisionRequirementsId: meta.decisionRequirementsId,
    decisionRequirementsKey: meta.decisionRequirementsKey,
    decisionOutput: result.ok ? JSON.stringify(result.output ?? null) : 'null',
    variables,
    evaluatedDecisions: evaluatedDecisions.map((e, i) => ({
      decisionId: e.decisionId,
      decisionName: e.decisionName,
      decisionKey: e.decisionKey,
      decisionVersion: e.decisionVersion,
      decisionType: e.decisionType,
      decisionOutput: JSON.stringify(e.decisionOutput ?? null),
      decisionEvaluationInstanceKey: `${key}-${i + 1}`,
      evaluatedInputs: e.evaluatedInputs.map((x) => ({ ...x, inputValue: JSON.stringify(x.inputValue ?? null) })),
      matchedRules: e.matchedRules.map((m) => ({
        ...m,
        evaluatedOutputs: m.evaluatedOutputs.map((o) => ({ ...o, outputValue: JSON.stringify(o.outputValue ?? null) })),
      })),
      tenantId: TENANT,
    })),
    evaluationFailureMessage: result.ok ? '' : result.failureMessage,
    failedDecisionId: result.ok ? '' : result.failedDecisionId,
    processDefinitionKey: site?.inst.processDefinitionKey ?? '-1',
    bpmnProcessId: site?.inst.bpmnProcessId ?? '',
    processInstanceKey: site?.inst.processInstanceKey ?? '-1',
    elementInstanceKey: site?.inst.key ?? '-1',
    elementId: site?.inst.elementId ?? '',
    tenantId: TENANT,
  };
  core.record(
    'DECISION_EVALUATION',
    result.ok ? 'EVALUATED' : 'FAILED',
    key,
    value,
    site?.inst.processInstanceKey ?? null,
  );
  return { key, decision, meta, result, evaluatedDecisions };
}

/** The EvaluateDecision RPC (Zeebe's DecisionEvaluationEvaluateProcessor). */
export function evaluateDecisionCommand(
  core: EngineCore,
  req: { decisionId: string; decisionKey: string; variables: Record<string, unknown> },
) {
  const intent = 'EVALUATE';
  let decision: ResourceRow | undefined;
  if (req.decisionId) {
    decision = core.store.latestOf('decision', req.decisionId);
    if (!decision)
      throw new Rejection(
        'NOT_FOUND',
        intent,
        `Expected to evaluate decision '${req.decisionId}', but no decision found for id '${req.decisionId}'`,
      );
  } else if (req.decisionKey && !req.decisionKey.startsWith('-')) {
    const row = core.store.resources.get(req.decisionKey);
    decision = row?.kind === 'decision' ? row : undefined;
    if (!decision)
      throw new Rejection(
        'NOT_FOUND',
        intent,
        `Expected to evaluate decision '${req.decisionKey}', but no decision found for key '${req.decisionKey}'`,
      );
  } else {
    throw new Rejection(
      'INVALID_ARGUMENT',
      intent,
      'Expected either a decision id or a valid decision key, but none provided',
    );
  }
  const ev = evaluateDeployed(core, decision, req.variables);
  return {
    decisionKey: decision.key,
    decisionId: decision.resourceId,
    decisionName: ev.meta.name,
    decisionVersion: decision.version,
    decisionRequirementsId: ev.meta.decisionRequirementsId,
    decisionRequirementsKey: ev.meta.decisionRequirementsKey,
    decisionOutput: ev.result.ok ? JSON.stringify(ev.result.output ?? null) : 'null',
    evaluatedDecisions: ev.evaluatedDecisions.map((e) => ({
      decisionKey: e.decisionKey,
      decisionId: e.decisionId,
      decisionName: e.decisionName,
      decisionVersion: e.decisionVersion,
      decisionType: e.decisionType,
      decisionOutput: JSON.stringify(e.decisionOutput ?? null),
      matchedRules: e.matchedRules.map((m) => ({
        ruleId: m.ruleId,
        ruleIndex: m.ruleIndex,
        evaluatedOutputs: m.evaluatedOutputs.map((o) => ({
          outputId: o.outputId,
          outputName: o.outputName,
          outputValue: JSON.stringify(o.outputValue ?? null),
        })),
      })),
      evaluatedInputs: e.evaluatedInputs.map((x) => ({
        inputId: x.inputId,
        inputName: x.inputName,
        inputValue: JSON.stringify(x.inputValue ?? null),
      })),
      tenantId: TENANT,
    })),
    failedDecisionId: ev.result.ok ? '' : ev.result.failedDecisionId,
    failureMessage: ev.result.ok ? '' : ev.result.failureMessage,
    tenantId: TENANT,
    decisionInstanceKey: ev.key,
  };
}

/**
 * The decision a business rule task calls (Zeebe's BpmnDecisionBehavior#findCalledDecision):
 * `latest`, `deployment` (the one deployed with the process) or `versionTag` (the latest with it).
 */
export function findCalledDecision(
  core: EngineCore,
  inst: ElementInstance,
  decisionId: string,
  bindingType: 'latest' | 'deployment' | 'versionTag',
  versionTag: string | undefined,
): { ok: true; decision: ResourceRow } | { ok: false; message: string } {
  const versions = [...(core.store.decisionVersions.get(decisionId)?.entries() ?? [])]
    .sort((a, b) => b[0] - a[0])
    .map(([, k]) => core.store.resources.get(k)!);
  if (bindingType === 'deployment') {
    const deploymentKey = core.store.resources.get(inst.processDefinitionKey)?.deploymentKey;
    const found = versions.find((r) => r.deploymentKey === deploymentKey);
    return found
      ? { ok: true, decision: found }
      : {
          ok: false,
          message:
            `Expected to evaluate decision '${decisionId}' with binding type 'deployment', but no such decision found in the deployment with key ${deploymentKey} which contained the current process. ` +
            'To resolve this incident, migrate the process instance to a process definition that is deployed together with the intended decision to evaluate.',
        };
  }
  if (bindingType === 'versionTag') {
    const found = versions.find((r) => decisionMeta(r).versionTag === versionTag);
    return found
      ? { ok: true, decision: found }
      : {
          ok: false,
          message: `Expected to evaluate decision with id '${decisionId}' and version tag '${versionTag}', but no such decision found. To resolve this incident, deploy a decision with the given id and version tag.`,
        };
  }
  return versions[0]
    ? { ok: true, decision: versions[0] }
    : {
        ok: false,
        message: `Expected to evaluate decision '${decisionId}', but no decision found for id '${decisionId}'`,
      };
}

/** Removes a DRG and its decisions (DeleteResource of a DRG key), writing Zeebe's DELETED events. */
export function deleteDrg(core: EngineCore, drgRow: ResourceRow): void {
  for (const versions of core.store.decisionVersions.values()) {
    for (const k of [...versions.values()]) {
      const row = core.store.resources.get(k)!;
      if (decisionMeta(row).decisionRequirementsKey !== drgRow.key) continue;
      core.record('DECISION', 'DELETED', core.store.nextKey(), decisionRecord(row));
      core.store.resources.delete(row.key);
    }
  }
  const drg = core.drgs.get(drgRow.key);
  core.record('DECISION_REQUIREMENTS', 'DELETED', core.store.nextKey(), {
    decisionRequirementsId: drgRow.resourceId,
    decisionRequirementsName: drg?.name ?? drgRow.resourceId,
    decisionRequirementsVersion: drgRow.version,
    decisionRequirementsKey: drgRow.key,
    resourceName: drgRow.resourceName,
    checksum: drgRow.checksum,
    tenantId: TENANT,
  });
  // The parsed DRG stays in core.drgs (a failed commit rolls the row back, not the map).
  core.store.resources.delete(drgRow.key);
}
