/**
 * Validates a task completion against the task's Camunda Form (the schema the user-task bridge
 * stored with the task): required fields, value types per component kind, the options of selects,
 * radios and checklists, and the form's own `validate` rules (min/max, length, pattern).
 *
 * A field hidden by its `conditional.hide` FEEL expression (evaluated on the task's variables plus
 * the submitted ones, as the form viewer does) is not checked: `returnReason` is required only when
 * the clerk chose to return the case.
 */
import { evaluateFeel } from '../../engine';
import type { FieldError } from '../errors';

interface FormComponent {
  key?: string;
  type?: string;
  label?: string;
  values?: { value: unknown; label?: string }[];
  valuesKey?: string;
  validate?: {
    required?: boolean;
    min?: number;
    max?: number;
    minLength?: number;
    maxLength?: number;
    pattern?: string;
  };
  conditional?: { hide?: string };
  components?: FormComponent[];
}

const STRING_KINDS = new Set(['textfield', 'textarea', 'select', 'radio', 'datetime', 'password']);
const LIST_KINDS = new Set(['checklist', 'taglist']);

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

function hidden(c: FormComponent, context: Record<string, unknown>): boolean {
  const hide = c.conditional?.hide?.trim();
  if (!hide) return false;
  const r = evaluateFeel(hide.startsWith('=') ? hide.slice(1) : hide, context, Date.now());
  // An expression the viewer cannot evaluate shows the field (form-js does the same).
  return r.ok && r.value === true;
}

function allowedValues(c: FormComponent, context: Record<string, unknown>): unknown[] | undefined {
  if (Array.isArray(c.values)) return c.values.map((v) => v.value);
  if (c.valuesKey) {
    const dyn = context[c.valuesKey];
    if (Array.isArray(dyn))
      return dyn.map((v) => (v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v));
  }
  return undefined;
}

function checkValue(c: FormComponent, value: unknown, context: Record<string, unknown>): string | null {
  const kind = c.type ?? 'textfield';
  const v = c.validate ?? {};
  if (STRING_KINDS.has(kind)) {
    if (typeof value !== 'string') return `expected text, but got ${Array.isArray(value) ? 'a list' : typeof value}`;
    if (v.minLength !== undefined && value.length < v.minLength) return `expected at least ${v.minLength} characters`;
    if (v.maxLength !== undefined && value.length > v.maxLength) return `expected at most ${v.maxLength} characters`;
    if (v.pattern && !new RegExp(v.pattern).test(value)) return `expected to match ${v.pattern}`;
    if (kind === 'select' || kind === 'radio') {
      const allowed = allowedValues(c, context);
      if (allowed && !allowed.includes(value))
        return `expected one of ${allowed.map(String).join(', ')}, but got '${value}'`;
    }
    if (kind === 'datetime' && Number.isNaN(Date.parse(value))) return 'expected an ISO-8601 date or time';
    return null;
  }
  if (kind === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return `expected a number, but got ${typeof value}`;
    if (v.min !== undefined && value < v.min) return `expected at least ${v.min}`;
    if (v.max !== undefined && value > v.max) return `expected at most ${v.max}`;
    return null;
  }
  if (kind === 'checkbox') return typeof value === 'boolean' ? null : `expected true or false, but got ${typeof value}`;
  if (LIST_KINDS.has(kind)) {
    if (!Array.isArray(value)) return `expected a list, but got ${typeof value}`;
    const allowed = allowedValues(c, context);
    const bad = allowed ? value.filter((x) => !allowed.includes(x)) : [];
    return bad.length
      ? `expected values among ${allowed!.map(String).join(', ')}, but got ${bad.map(String).join(', ')}`
      : null;
  }
  return null; // other kinds (text, spacer, group, …) carry no value or are not typed here
}

/**
 * The keys of every field the form declares (nested groups included, conditionally hidden ones
 * too). A completion may set these and nothing else: every other variable of the process is the
 * workflow's (`caseId`, departments, SLA, routing) and no person sets it (issue 18, H1).
 */
export function declaredFields(schema: unknown): string[] {
  const out: string[] = [];
  const walk = (list: FormComponent[] | undefined) => {
    for (const c of list ?? []) {
      if (c.key) out.push(c.key);
      walk(c.components);
    }
  };
  walk((schema as { components?: FormComponent[] } | null)?.components);
  return [...new Set(out)];
}

/** The keys of `variables` the form does not declare (all of them when the task has no form). */
export function undeclaredFields(schema: unknown, variables: Record<string, unknown>): string[] {
  const declared = new Set(declaredFields(schema));
  return Object.keys(variables).filter((k) => !declared.has(k));
}

/**
 * The fields of `variables` that do not satisfy `schema` (empty when they do, or when the task has
 * no form). `taskVariables` are the task's process variables (for conditions and dynamic options).
 */
export function validateFormSubmission(
  schema: unknown,
  variables: Record<string, unknown>,
  taskVariables: Record<string, unknown> = {},
): FieldError[] {
  const errors: FieldError[] = [];
  const context = { ...taskVariables, ...variables };
  const walk = (list: FormComponent[] | undefined) => {
    for (const c of list ?? []) {
      if (hidden(c, context)) continue;
      if (c.components) walk(c.components);
      if (!c.key) continue;
      const value = variables[c.key];
      const field = `variables.${c.key}`;
      if (isEmpty(value)) {
        if (c.validate?.required) errors.push({ field, message: `required (${c.label ?? c.key})` });
        continue;
      }
      const problem = checkValue(c, value, context);
      if (problem) errors.push({ field, message: problem });
    }
  };
  walk((schema as { components?: FormComponent[] } | null)?.components);
  return errors;
}
