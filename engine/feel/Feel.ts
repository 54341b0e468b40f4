import {
  evaluate as feelEvaluate,
  parseExpression,
  FeelFunction,
  FeelDate,
  FeelDateTime,
  FeelDuration,
  FeelTime,
  dateAndTime,
  date as feelDate,
  isFunction,
  isRange,
} from 'feelin';
import crypto from 'node:crypto';
import vm from 'node:vm';
import { bigIntsSeen, bigIntsToNumbers, containsBigInt, parseJson, stringifyJson } from '../state/json';

/**
 * A property value from a model: a FEEL expression when its text starts with `=`, otherwise a
 * static value (Zeebe's rule). Compiled once at deploy.
 */
export interface Expr {
  /** The text as modelled (with the leading `=` for expressions). */
  raw: string;
  /** FEEL source without `=`, or undefined for a static value. */
  feel?: string;
}

export function expr(raw: string | undefined | null): Expr | undefined {
  if (raw === undefined || raw === null) return undefined;
  const trimmed = raw.trim();
  if (trimmed.startsWith('=')) return { raw, feel: trimmed.slice(1).trim() };
  return { raw };
}

/** Names with spaces must be known to the parser; these are ours plus the built-ins feelin has. */
const PARSE_CONTEXT = { 'is defined': true, 'get or else': true, 'from json': true, 'to json': true };

/** Syntax check at deploy; returns a message or null. */
export function feelSyntaxError(source: string): string | null {
  if (source.trim() === '') return 'expression is empty';
  let tree;
  try {
    tree = parseExpression(source, PARSE_CONTEXT, undefined);
  } catch (e) {
    return (e as Error).message;
  }
  let error: string | null = null;
  tree.iterate({
    enter(node) {
      if (error) return false;
      if (node.type.isError) {
        error = `failed to parse expression '${source}': syntax error at position ${node.from}`;
        return false;
      }
      return undefined;
    },
  });
  return error;
}

export type EvalResult =
  { ok: true; value: unknown; warnings: { type: string; message: string }[] } | { ok: false; message: string };

/** A function that turns an epoch-ms engine time into the `now()` of FEEL. */
function clockFunctions(nowMs: number) {
  const iso = new Date(nowMs).toISOString();
  return {
    now: new FeelFunction(() => dateAndTime(iso.replace('Z', '@UTC')), []),
    today: new FeelFunction(() => feelDate(iso.slice(0, 10)), []),
  };
}

const BUILTINS: Record<string, unknown> = {
  'is defined': new FeelFunction((value: unknown) => value !== undefined && value !== null, ['value']),
  'get or else': new FeelFunction(
    (value: unknown, def: unknown) => (value === null || value === undefined ? def : value),
    ['value', 'default'],
  ),
  uuid: new FeelFunction(() => crypto.randomUUID(), []),
  'from json': new FeelFunction(
    (value: string) => {
      try {
        return parseJson(value);
      } catch {
        return null;
      }
    },
    ['value'],
  ),
  'to json': new FeelFunction((value: unknown) => stringifyJson(toJsonValue(value)), ['value']),
  cycle: new FeelFunction(
    (a: unknown, b?: unknown) => {
      // Zeebe: cycle(duration) → "R/<d>", cycle(n, duration) → "R<n>/<d>"
      if (b === undefined) return `R/${toJsonValue(a)}`;
      return `R${a}/${toJsonValue(b)}`;
    },
    ['repetitions', 'interval'],
  ),
};

/** The evaluation context of FEEL: the variables, the engine's built-ins and its clock (also for DMN). */
export function feelContext(variables: Record<string, unknown>, nowMs: number): Record<string, unknown> {
  // feelin computes with JavaScript numbers: bigints (exact int64 variables) enter as doubles
  const vars =
    bigIntsSeen() && containsBigInt(variables) ? (bigIntsToNumbers(variables) as Record<string, unknown>) : variables;
  return { ...vars, ...BUILTINS, ...clockFunctions(nowMs) };
}

/** The default of {@link setFeelBudget}: how long one FEEL evaluation that can loop may run. */
export const DEFAULT_FEEL_BUDGET_MS = 100;
let budgetMs = DEFAULT_FEEL_BUDGET_MS;

/**
 * Sets the FEEL evaluation budget (ms) of this process (engine option `feelBudgetMs`,
 * `ENGINE_FEEL_BUDGET_MS`). One value per process: the engines of one process share it.
 */
export function setFeelBudget(ms: number): void {
  if (!(ms > 0)) throw new Error(`Expected a FEEL evaluation budget above 0 ms, but it was '${ms}'`);
  budgetMs = ms;
}

/**
 * Expressions whose cost is not bounded by their input's size: iteration (`for`, `some`, `every`),
 * ranges (`1..100000000` builds its elements) and function definitions (recursion). Only these run
 * under the budget, because the guard costs ≈0.7 ms per evaluation (a watchdog thread per run;
 * measured 155 µs plain vs 840–900 µs guarded for `a + b > 3`), while an expression without them
 * does work linear in its text and its variables, both of which are bounded at deploy and per
 * variable.
 */
const UNBOUNDED = /\b(for|some|every|function)\b|\.\./;

// feelin is synchronous and has no step hook; node:vm's timeout stops whatever JavaScript runs on
// the thread when the watchdog fires (V8 TerminateExecution), feelin's loops included, and throws.
const guard = vm.createContext({ run: undefined as undefined | (() => unknown), out: undefined as unknown });
const guardScript = new vm.Script('out = run()');

/** feelin's `evaluate` under the FEEL evaluation budget (see {@link UNBOUNDED}); DMN uses it too. */
export function evaluateGuarded(source: string, context: Record<string, unknown>) {
  if (!UNBOUNDED.test(source)) return feelEvaluate(source, context);
  guard.run = () => feelEvaluate(source, context);
  try {
    guardScript.runInContext(guard, { timeout: budgetMs });
    return guard.out as ReturnType<typeof feelEvaluate>;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
      throw new Error(`the evaluation exceeded the FEEL evaluation budget of ${budgetMs} ms (ENGINE_FEEL_BUDGET_MS)`, {
        cause: e,
      });
    throw e;
  } finally {
    guard.run = undefined;
    guard.out = undefined;
  }
}

/**
 * Evaluates FEEL against a variables context. `now()`/`today()` read the engine clock.
 * Temporal results come back as ISO-8601 strings (what Zeebe stores in variables).
 */
export function evaluateFeel(source: string, variables: Record<string, unknown>, nowMs: number): EvalResult {
  // 64-bit integers beyond ±2^53 are bigints: a path (`=id`, `=order.id`) passes them on exactly;
  // any other expression computes with them as doubles (feelin's numbers), see engine/README.md.
  const context =
    pathRoot(source) !== undefined
      ? { ...variables, ...BUILTINS, ...clockFunctions(nowMs) }
      : feelContext(variables, nowMs);
  let result;
  try {
    result = evaluateGuarded(source, context);
  } catch (e) {
    return { ok: false, message: `failed to evaluate expression '${source}': ${(e as Error).message}` };
  }
  return {
    ok: true,
    value: toJsonValue(result.value),
    warnings: result.warnings.map((w) => ({ type: w.type, message: w.message })),
  };
}

/**
 * The variable a FEEL expression only reads (`result` or `result.total` → `result`), like Zeebe's
 * `Expression.getVariableName`; undefined for any other expression.
 */
export function pathRoot(source: string): string | undefined {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*\s*$/.exec(source);
  return m && !['true', 'false', 'null'].includes(m[1]) ? m[1] : undefined;
}

/** Deep-converts FEEL values to JSON-able values. */
export function toJsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'function') return null;
    if (typeof v === 'number' && !Number.isFinite(v)) return null;
    return v;
  }
  if (v instanceof FeelDateTime || v instanceof FeelDate || v instanceof FeelTime || v instanceof FeelDuration) {
    return v.toString();
  }
  if (isFunction(v) || isRange(v)) return null;
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (typeof (v as any).toJSON === 'function' && Object.getPrototypeOf(v) !== Object.prototype)
    return (v as any).toJSON();
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = toJsonValue(val);
  return out;
}

/** Zeebe-style type name of a value for error messages ('NULL', 'BOOLEAN', 'STRING', …). */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return 'BOOLEAN';
  if (typeof v === 'number' || typeof v === 'bigint') return 'NUMBER';
  if (typeof v === 'string') return 'STRING';
  if (Array.isArray(v)) return 'ARRAY';
  return 'OBJECT';
}
