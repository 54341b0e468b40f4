import { evaluateFeel, typeName, type Expr } from '../../feel/Feel';
import type { Mapping } from '../../model/types';
import type { EngineCore } from '../../processing/EngineCore';
import { TENANT } from '../../processing/EngineCore';
import type { ElementInstance, Key } from '../../state/types';
import { stringifyJson } from '../../state/json';

/** The scope chain of an element instance: itself, its flow scopes, up to its process instance. */
export function* scopeChain(core: EngineCore, scopeKey: Key): Generator<ElementInstance> {
  let inst = core.store.elements.get(scopeKey);
  while (inst) {
    yield inst;
    inst = inst.flowScopeKey ? core.store.elements.get(inst.flowScopeKey) : undefined;
  }
}

/** Every variable visible from a scope; inner scopes shadow outer ones. */
export function visibleVariables(core: EngineCore, scopeKey: Key, only?: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const scope of scopeChain(core, scopeKey)) {
    const vars = core.store.varsByScope.get(scope.key);
    if (!vars) continue;
    for (const [name, vk] of vars) {
      if (name in out) continue;
      if (only && only.length && !only.includes(name)) continue;
      out[name] = core.store.variables.get(vk)!.value;
    }
  }
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || stringifyJson(a) === stringifyJson(b);
}

/** Creates or updates a variable in exactly this scope (Zeebe: local merge). */
export function setLocalVariable(core: EngineCore, scopeKey: Key, name: string, value: unknown): void {
  const scope = core.store.elements.get(scopeKey)!;
  const existing = core.store.variable(scopeKey, name);
  if (existing) {
    if (sameValue(existing.value, value)) return;
    core.store.variables.put(existing.key, { ...existing, value });
    core.record('VARIABLE', 'UPDATED', existing.key, varRecord(scope, name, value), scope.processInstanceKey);
    return;
  }
  const key = core.store.nextKey();
  core.store.variables.put(key, { key, scopeKey, processInstanceKey: scope.processInstanceKey, name, value });
  core.record('VARIABLE', 'CREATED', key, varRecord(scope, name, value), scope.processInstanceKey);
}

function varRecord(scope: ElementInstance, name: string, value: unknown) {
  return {
    name,
    value: stringifyJson(value),
    scopeKey: scope.key,
    processInstanceKey: scope.processInstanceKey,
    processDefinitionKey: scope.processDefinitionKey,
    bpmnProcessId: scope.bpmnProcessId,
    tenantId: TENANT,
  };
}

export function setLocalVariables(core: EngineCore, scopeKey: Key, doc: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(doc)) setLocalVariable(core, scopeKey, name, value);
}

/**
 * Merge with propagation: each variable updates the first scope (from `scopeKey` upward) that
 * already has it; the rest are created in the process instance scope.
 */
export function mergeVariables(core: EngineCore, scopeKey: Key, doc: Record<string, unknown>): void {
  const chain = [...scopeChain(core, scopeKey)];
  const root = chain[chain.length - 1];
  for (const [name, value] of Object.entries(doc)) {
    const owner = chain.find((s) => core.store.variable(s.key, name));
    setLocalVariable(core, (owner ?? root).key, name, value);
  }
}

export function deleteScopeVariables(core: EngineCore, scopeKey: Key): void {
  const vars = core.store.varsByScope.get(scopeKey);
  if (!vars) return;
  for (const vk of [...vars.values()]) core.store.variables.delete(vk);
}

export type FeelWarning = { type: string; message: string };
export type Evaluated = { ok: true; value: unknown; warnings?: FeelWarning[] } | { ok: false; message: string };

/** Evaluates a static-or-FEEL property in a scope. */
export function evaluate(core: EngineCore, e: Expr, scopeKey: Key | null, extra?: Record<string, unknown>): Evaluated {
  if (e.feel === undefined) return { ok: true, value: e.raw };
  return evaluateSource(core, e.feel, scopeKey, extra);
}

export function evaluateSource(
  core: EngineCore,
  source: string,
  scopeKey: Key | null,
  extra?: Record<string, unknown>,
): Evaluated {
  const vars = scopeKey ? visibleVariables(core, scopeKey) : {};
  const r = evaluateFeel(source, extra ? { ...vars, ...extra } : vars, core.now());
  if (!r.ok) return r;
  return { ok: true, value: r.value, warnings: r.warnings };
}

/** Zeebe appends FEEL's warnings to the incident message: they usually name the missing variable. */
function warningsText(warnings: FeelWarning[] | undefined): string {
  if (!warnings?.length) return '';
  return ` The evaluation reported the following warnings:\n${warnings.map((x) => `[${x.type}] ${x.message}`).join('\n')}`;
}

/** Evaluates and checks the result type; failures are messages for an EXTRACT_VALUE_ERROR incident. */
export function evaluateTyped(
  core: EngineCore,
  e: Expr,
  scopeKey: Key | null,
  expected: 'STRING' | 'NUMBER' | 'BOOLEAN' | 'ARRAY' | 'STRING_OR_NUMBER' | 'ANY',
): Evaluated {
  const r = evaluate(core, e, scopeKey);
  if (!r.ok) return r;
  let v = r.value;
  if (e.feel === undefined && expected === 'NUMBER') v = Number(e.raw);
  const t = typeName(v);
  const ok =
    expected === 'ANY' || t === expected || (expected === 'STRING_OR_NUMBER' && (t === 'STRING' || t === 'NUMBER'));
  if (!ok || (expected === 'NUMBER' && Number.isNaN(v))) {
    const exp = expected === 'STRING_OR_NUMBER' ? "'STRING' or 'NUMBER'" : `'${expected}'`;
    return {
      ok: false,
      message: `Expected result of the expression '${e.feel ?? e.raw}' to be ${exp}, but was '${t}'.${warningsText(r.warnings)}`,
    };
  }
  return { ok: true, value: v };
}

/** Sets `a.b.c = value` inside `doc` (Zeebe's nested mapping targets). */
function setPath(doc: Record<string, unknown>, path: string[], value: unknown, base?: unknown): void {
  if (path.length === 1) {
    doc[path[0]] = value;
    return;
  }
  const [head, ...rest] = path;
  const current = doc[head] ?? base;
  const next =
    current && typeof current === 'object' && !Array.isArray(current)
      ? { ...(current as Record<string, unknown>) }
      : {};
  doc[head] = next;
  setPath(next, rest, value);
}

/**
 * Evaluates mappings in order, each seeing the targets before it. Returns the document of
 * targets, or an error message (IO_MAPPING_ERROR / EXTRACT_VALUE_ERROR territory).
 */
export function evaluateMappings(
  core: EngineCore,
  mappings: Mapping[],
  scopeKey: Key | null,
  extra: Record<string, unknown> = {},
  existing?: (name: string) => unknown,
): { ok: true; doc: Record<string, unknown> } | { ok: false; message: string } {
  const doc: Record<string, unknown> = {};
  for (const m of mappings) {
    let value: unknown = null;
    if (m.source) {
      const r = evaluate(core, m.source, scopeKey, { ...extra, ...doc });
      if (!r.ok) return { ok: false, message: r.message };
      value = m.source.feel === undefined ? m.source.raw : r.value;
    }
    const path = m.target.split('.');
    const base = path.length > 1 && !(path[0] in doc) && existing ? existing(path[0]) : undefined;
    setPath(doc, path, value, base);
  }
  return { ok: true, doc };
}
