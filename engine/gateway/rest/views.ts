/**
 * Camunda 8.8 entities (process definitions and instances, element instances, variables,
 * incidents) built from what the engine has: live state in memory for what is running, and the
 * record log (the engine's exporter stream) for what has finished. Keys stay decimal strings.
 */
import type { EngineAdmin } from '../../index';
import type { EngineRuntime } from '../../Engine';
import { TENANT } from '../../processing/EngineCore';
import type { EngineRecord, Key } from '../../state/types';

const iso = (ms: number) => new Date(ms).toISOString();
const key = (k: unknown): string | undefined => (k === undefined || k === null || k === '-1' ? undefined : String(k));

export interface ProcessDefinitionRow extends Record<string, unknown> {
  processDefinitionKey: string;
  processDefinitionId: string;
  name?: string;
  resourceName: string;
  version: number;
  versionTag?: string;
  tenantId: string;
  hasStartForm: boolean;
  state: 'ACTIVE';
  isLatestVersion: boolean;
}

export function processDefinitions(rt: EngineRuntime): ProcessDefinitionRow[] {
  const out: ProcessDefinitionRow[] = [];
  for (const r of rt.core.store.resources.values()) {
    if (r.kind !== 'process') continue;
    const model = rt.core.models.get(r.key);
    out.push({
      processDefinitionKey: r.key,
      processDefinitionId: r.resourceId,
      ...(model?.name ? { name: model.name } : {}),
      resourceName: r.resourceName,
      version: r.version,
      tenantId: TENANT,
      hasStartForm: false,
      state: 'ACTIVE',
      isLatestVersion: rt.core.store.latestProcess(r.resourceId)?.key === r.key,
    });
  }
  return out;
}

type State = 'ACTIVE' | 'COMPLETED' | 'TERMINATED';

export interface ElementInstanceRow extends Record<string, unknown> {
  elementInstanceKey: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  processDefinitionId: string;
  processDefinitionVersion: number;
  elementId: string;
  elementName: string;
  type: string;
  state: State;
  startDate: string;
  endDate?: string;
  hasIncident: boolean;
  incidentKey?: string;
  tenantId: string;
  /** Not part of the entity: the flow scope, for the `elementInstanceScopeKey` filter. */
  flowScopeKey?: string;
  parentProcessInstanceKey?: string;
  parentElementInstanceKey?: string;
}

/** Element instances (the process instance itself included), newest state first-wins per key. */
export async function elementInstances(
  rt: EngineRuntime,
  admin: EngineAdmin,
  filter: { processInstanceKey?: string } = {},
): Promise<ElementInstanceRow[]> {
  const store = rt.core.store;
  const rows = new Map<Key, ElementInstanceRow>();
  const records = await admin.records({
    valueType: 'PROCESS_INSTANCE',
    processInstanceKey: filter.processInstanceKey,
    limit: 1_000_000,
  });
  for (const rec of records) fold(rows, rec, rt);
  for (const inst of store.elements.values()) {
    if (filter.processInstanceKey && inst.processInstanceKey !== filter.processInstanceKey) continue;
    const prev = rows.get(inst.key);
    rows.set(inst.key, {
      ...(prev ??
        base(
          rt,
          inst.key,
          inst.bpmnProcessId,
          inst.version,
          inst.processDefinitionKey,
          inst.processInstanceKey,
          inst.elementId,
          inst.type,
          inst.createdAt,
        )),
      state: 'ACTIVE',
      endDate: undefined,
      flowScopeKey: key(inst.flowScopeKey),
      parentProcessInstanceKey: key(inst.parentProcessInstanceKey),
      parentElementInstanceKey: key(inst.parentElementInstanceKey),
    });
  }
  const incidentsByElement = new Map<Key, Key>();
  for (const i of store.incidents.values()) incidentsByElement.set(i.elementInstanceKey, i.key);
  const incidentsByInstance = new Set([...store.incidents.values()].map((i) => i.processInstanceKey));
  for (const row of rows.values()) {
    const ik = incidentsByElement.get(row.elementInstanceKey);
    row.incidentKey = ik;
    row.hasIncident = row.type === 'PROCESS' ? incidentsByInstance.has(row.processInstanceKey) : !!ik;
    if (row.endDate === undefined) delete row.endDate;
    if (row.incidentKey === undefined) delete row.incidentKey;
  }
  return [...rows.values()];
}

function base(
  rt: EngineRuntime,
  k: Key,
  bpmnProcessId: string,
  version: number,
  processDefinitionKey: Key,
  processInstanceKey: Key,
  elementId: string,
  type: string,
  at: number,
): ElementInstanceRow {
  const model = rt.core.models.get(processDefinitionKey);
  const name = type === 'PROCESS' ? model?.name : model?.elements.get(elementId)?.name;
  return {
    elementInstanceKey: k,
    processInstanceKey,
    processDefinitionKey,
    processDefinitionId: bpmnProcessId,
    processDefinitionVersion: version,
    elementId,
    elementName: name || elementId,
    type,
    state: 'ACTIVE',
    startDate: iso(at),
    hasIncident: false,
    tenantId: TENANT,
  };
}

function fold(rows: Map<Key, ElementInstanceRow>, rec: EngineRecord, rt: EngineRuntime): void {
  const v = rec.value as Record<string, any>;
  if (v.bpmnElementType === 'SEQUENCE_FLOW') return;
  let row = rows.get(rec.key);
  if (!row) {
    row = {
      ...base(
        rt,
        rec.key,
        v.bpmnProcessId,
        Number(v.version),
        String(v.processDefinitionKey),
        String(v.processInstanceKey),
        v.elementId,
        v.bpmnElementType,
        rec.timestamp,
      ),
      flowScopeKey: key(v.flowScopeKey),
      parentProcessInstanceKey: key(v.parentProcessInstanceKey),
      parentElementInstanceKey: key(v.parentElementInstanceKey),
    };
    rows.set(rec.key, row);
  }
  if (rec.intent === 'ELEMENT_COMPLETED') {
    row.state = 'COMPLETED';
    row.endDate = iso(rec.timestamp);
  } else if (rec.intent === 'ELEMENT_TERMINATED') {
    row.state = 'TERMINATED';
    row.endDate = iso(rec.timestamp);
  }
}

export interface ProcessInstanceRow extends Record<string, unknown> {
  processInstanceKey: string;
  processDefinitionKey: string;
  processDefinitionId: string;
  processDefinitionName: string;
  processDefinitionVersion: number;
  startDate: string;
  endDate?: string;
  state: State;
  hasIncident: boolean;
  tenantId: string;
  parentProcessInstanceKey?: string;
  parentElementInstanceKey?: string;
}

export async function processInstances(
  rt: EngineRuntime,
  admin: EngineAdmin,
  filter: { processInstanceKey?: string } = {},
): Promise<ProcessInstanceRow[]> {
  const all = await elementInstances(rt, admin, filter);
  return all
    .filter((e) => e.type === 'PROCESS')
    .map((e) => ({
      processInstanceKey: e.processInstanceKey,
      processDefinitionKey: e.processDefinitionKey,
      processDefinitionId: e.processDefinitionId,
      processDefinitionName: e.elementName,
      processDefinitionVersion: e.processDefinitionVersion,
      startDate: e.startDate,
      ...(e.endDate ? { endDate: e.endDate } : {}),
      state: e.state,
      hasIncident: e.hasIncident,
      tenantId: TENANT,
      ...(e.parentProcessInstanceKey ? { parentProcessInstanceKey: e.parentProcessInstanceKey } : {}),
      ...(e.parentElementInstanceKey ? { parentElementInstanceKey: e.parentElementInstanceKey } : {}),
    }));
}

export interface VariableRow extends Record<string, unknown> {
  variableKey: string;
  name: string;
  value: string;
  fullValue: string;
  isTruncated: boolean;
  scopeKey: string;
  processInstanceKey: string;
  tenantId: string;
}

export async function variables(
  rt: EngineRuntime,
  admin: EngineAdmin,
  filter: { processInstanceKey?: string } = {},
): Promise<VariableRow[]> {
  const rows = new Map<Key, VariableRow>();
  const row = (k: Key, name: string, value: string, scopeKey: Key, pi: Key): VariableRow => ({
    variableKey: k,
    name,
    value,
    fullValue: value,
    isTruncated: false,
    scopeKey,
    processInstanceKey: pi,
    tenantId: TENANT,
  });
  const records = await admin.records({
    valueType: 'VARIABLE',
    processInstanceKey: filter.processInstanceKey,
    limit: 1_000_000,
  });
  for (const rec of records) {
    const v = rec.value as Record<string, any>;
    rows.set(rec.key, row(rec.key, v.name, String(v.value), String(v.scopeKey), String(v.processInstanceKey)));
  }
  for (const v of rt.core.store.variables.values()) {
    if (filter.processInstanceKey && v.processInstanceKey !== filter.processInstanceKey) continue;
    rows.set(v.key, row(v.key, v.name, JSON.stringify(v.value) ?? 'null', v.scopeKey, v.processInstanceKey));
  }
  return [...rows.values()];
}

export interface IncidentRow extends Record<string, unknown> {
  incidentKey: string;
  processDefinitionKey: string;
  processDefinitionId: string;
  processInstanceKey: string;
  errorType: string;
  errorMessage: string;
  elementId: string;
  elementInstanceKey: string;
  creationTime: string;
  state: 'ACTIVE' | 'RESOLVED';
  jobKey?: string;
  tenantId: string;
}

export async function incidents(
  rt: EngineRuntime,
  admin: EngineAdmin,
  filter: { processInstanceKey?: string } = {},
): Promise<IncidentRow[]> {
  const rows = new Map<Key, IncidentRow>();
  const records = await admin.records({
    valueType: 'INCIDENT',
    processInstanceKey: filter.processInstanceKey,
    limit: 1_000_000,
  });
  for (const rec of records) {
    const v = rec.value as Record<string, any>;
    const prev = rows.get(rec.key);
    rows.set(rec.key, {
      incidentKey: rec.key,
      processDefinitionKey: String(v.processDefinitionKey),
      processDefinitionId: v.bpmnProcessId,
      processInstanceKey: String(v.processInstanceKey),
      errorType: v.errorType,
      errorMessage: v.errorMessage,
      elementId: v.elementId,
      elementInstanceKey: String(v.elementInstanceKey),
      creationTime: prev?.creationTime ?? iso(rec.timestamp),
      state: rec.intent === 'RESOLVED' ? 'RESOLVED' : 'ACTIVE',
      ...(key(v.jobKey) ? { jobKey: String(v.jobKey) } : {}),
      tenantId: TENANT,
    });
  }
  for (const i of rt.core.store.incidents.values()) {
    if (filter.processInstanceKey && i.processInstanceKey !== filter.processInstanceKey) continue;
    rows.set(i.key, {
      incidentKey: i.key,
      processDefinitionKey: i.processDefinitionKey,
      processDefinitionId: i.bpmnProcessId,
      processInstanceKey: i.processInstanceKey,
      errorType: i.errorType,
      errorMessage: i.errorMessage,
      elementId: i.elementId,
      elementInstanceKey: i.elementInstanceKey,
      creationTime: iso(i.createdAt),
      state: 'ACTIVE',
      ...(key(i.jobKey) ? { jobKey: i.jobKey } : {}),
      tenantId: TENANT,
    });
  }
  return [...rows.values()];
}
