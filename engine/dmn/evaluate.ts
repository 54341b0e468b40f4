import { unaryTest } from 'feelin';
import { evaluateGuarded, feelContext, toJsonValue } from '../feel/Feel';
import type { DecisionModel, DecisionTable, DrgModel } from './parse';

/** One evaluated decision of a DRG evaluation (Zeebe's EvaluatedDecision; values are JSON). */
export interface EvaluatedDecision {
  decisionId: string;
  decisionName: string;
  decisionType: 'DECISION_TABLE' | 'LITERAL_EXPRESSION';
  decisionOutput: unknown;
  evaluatedInputs: { inputId: string; inputName: string; inputValue: unknown }[];
  matchedRules: {
    ruleId: string;
    ruleIndex: number;
    evaluatedOutputs: { outputId: string; outputName: string; outputValue: unknown }[];
  }[];
}

export type DecisionResult =
  | { ok: true; output: unknown; evaluatedDecisions: EvaluatedDecision[] }
  | { ok: false; failedDecisionId: string; failureMessage: string; evaluatedDecisions: EvaluatedDecision[] };

class EvalFailure extends Error {}

/**
 * Evaluates a decision of a DRG: its required decisions first (depth first, each once, in
 * dependency order), their results bound under their variable names; then the decision itself.
 * Like Zeebe (dmn-scala), a failure names the decision that failed, and the message reads
 * `Expected to evaluate decision '<requested id>', but <reason>`.
 */
export function evaluateDecision(
  drg: DrgModel,
  decisionId: string,
  variables: Record<string, unknown>,
  nowMs: number,
): DecisionResult {
  const byId = new Map(drg.decisions.map((d) => [d.id, d]));
  const evaluated: EvaluatedDecision[] = [];
  const results = new Map<string, unknown>();
  const target = byId.get(decisionId);
  if (!target)
    return {
      ok: false,
      failedDecisionId: decisionId,
      failureMessage: `Expected to evaluate decision '${decisionId}', but no decision found for id '${decisionId}'`,
      evaluatedDecisions: [],
    };
  let current = target;
  const run = (d: DecisionModel): unknown => {
    if (results.has(d.id)) return results.get(d.id);
    const context: Record<string, unknown> = { ...variables };
    for (const r of d.required) {
      const req = byId.get(r)!;
      context[req.resultName] = run(req);
    }
    current = d;
    const entry: EvaluatedDecision = {
      decisionId: d.id,
      decisionName: d.name,
      decisionType: d.logic.kind,
      decisionOutput: null,
      evaluatedInputs: [],
      matchedRules: [],
    };
    evaluated.push(entry);
    const ctx = feelContext(context, nowMs);
    const value =
      d.logic.kind === 'LITERAL_EXPRESSION' ? expression(d.logic.expression, ctx) : table(d.logic, ctx, entry);
    const json = toJsonValue(value);
    entry.decisionOutput = json;
    results.set(d.id, json);
    return json;
  };
  try {
    const output = run(target);
    return { ok: true, output, evaluatedDecisions: evaluated };
  } catch (e) {
    if (!(e instanceof EvalFailure)) throw e;
    return {
      ok: false,
      failedDecisionId: current.id,
      failureMessage: `Expected to evaluate decision '${decisionId}', but ${e.message}`,
      evaluatedDecisions: evaluated,
    };
  }
}

function expression(text: string, ctx: Record<string, unknown>): unknown {
  try {
    return evaluateGuarded(text, ctx).value;
  } catch (e) {
    throw new EvalFailure(`failed to evaluate expression '${text}': ${(e as Error).message}`);
  }
}

function test(text: string, input: unknown, ctx: Record<string, unknown>): boolean {
  if (text === '' || text === '-') return true;
  try {
    return unaryTest(text, { ...ctx, '?': input }).value === true;
  } catch (e) {
    throw new EvalFailure(`failed to evaluate unary-tests '${text}': ${(e as Error).message}`);
  }
}

interface Match {
  index: number;
  ruleId: string;
  values: Record<string, unknown>;
}

function table(t: DecisionTable, ctx: Record<string, unknown>, entry: EvaluatedDecision): unknown {
  const inputs = t.inputs.map((i) => {
    const value = expression(i.expression, ctx);
    entry.evaluatedInputs.push({ inputId: i.id, inputName: i.name ?? i.id, inputValue: toJsonValue(value) });
    return value;
  });
  const matches: Match[] = [];
  for (const [index, rule] of t.rules.entries()) {
    if (!rule.inputEntries.every((text, i) => test(text, inputs[i], ctx))) continue;
    if (t.hitPolicy === 'FIRST' && matches.length) break;
    const values: Record<string, unknown> = {};
    t.outputs.forEach(
      (o, i) => (values[o.name] = rule.outputEntries[i] ? expression(rule.outputEntries[i], ctx) : null),
    );
    matches.push({ index, ruleId: rule.id, values });
  }
  const single = t.outputs.length === 1;
  const outputOf = (m: Match) => (single ? m.values[t.outputs[0].name] : m.values);
  const report = (ms: Match[]) => {
    for (const m of ms)
      entry.matchedRules.push({
        ruleId: m.ruleId,
        ruleIndex: m.index + 1,
        evaluatedOutputs: t.outputs.map((o) => ({
          outputId: o.id,
          outputName: o.name,
          outputValue: toJsonValue(m.values[o.name]),
        })),
      });
  };
  switch (t.hitPolicy) {
    case 'UNIQUE':
      if (matches.length > 1)
        throw new EvalFailure(
          `multiple values aren't allowed for UNIQUE hit policy. found: '${JSON.stringify(matches.map((m) => toJsonValue(outputOf(m))))}'`,
        );
      report(matches);
      return matches.length ? outputOf(matches[0]) : null;
    case 'FIRST':
      report(matches.slice(0, 1));
      return matches.length ? outputOf(matches[0]) : null;
    case 'ANY': {
      const distinct = new Set(matches.map((m) => JSON.stringify(toJsonValue(outputOf(m)))));
      if (distinct.size > 1)
        throw new EvalFailure(
          `different values aren't allowed for ANY hit policy. found: '[${[...distinct].join(',')}]'`,
        );
      report(matches.slice(0, 1));
      return matches.length ? outputOf(matches[0]) : null;
    }
    case 'PRIORITY': {
      const sorted = byPriority(t, matches, ctx);
      report(sorted.slice(0, 1));
      return sorted.length ? outputOf(sorted[0]) : null;
    }
    case 'OUTPUT ORDER': {
      const sorted = byPriority(t, matches, ctx);
      report(sorted);
      return sorted.map(outputOf);
    }
    case 'RULE ORDER':
      report(matches);
      return matches.map(outputOf);
    case 'COLLECT': {
      report(matches);
      const values = matches.map(outputOf);
      switch (t.aggregation) {
        case undefined:
          return values;
        case 'COUNT':
          return values.length;
        case 'SUM':
        case 'MIN':
        case 'MAX': {
          if (!values.length) return null;
          if (!values.every((v) => typeof v === 'number'))
            throw new EvalFailure(
              `failed to aggregate the values '${JSON.stringify(values.map(toJsonValue))}' with '${t.aggregation}': expected numbers`,
            );
          const nums = values as number[];
          if (t.aggregation === 'SUM') return nums.reduce((a, b) => a + b, 0);
          return t.aggregation === 'MIN' ? Math.min(...nums) : Math.max(...nums);
        }
      }
    }
  }
}

/** Sorts matches by the position of their output values in the outputs' `outputValues` lists. */
function byPriority(t: DecisionTable, matches: Match[], ctx: Record<string, unknown>): Match[] {
  const ranked = t.outputs.filter((o) => o.values);
  const rank = (m: Match) =>
    ranked.map((o) => {
      const tests = splitUnaryTests(o.values!);
      const value = m.values[o.name];
      const i = tests.findIndex((text) => test(text, value, ctx));
      return i < 0 ? tests.length : i;
    });
  const keyed = matches.map((m) => ({ m, r: rank(m) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.r.length; i++) if (a.r[i] !== b.r[i]) return a.r[i] - b.r[i];
    return a.m.index - b.m.index;
  });
  return keyed.map((k) => k.m);
}

/** Splits a list of unary tests at top-level commas (not inside strings, brackets or parentheses). */
export function splitUnaryTests(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p !== '');
}
