/**
 * What a virtual clerk types into a task's Camunda Form: every visible field gets a plausible value
 * (selects take their default or first option, dynamic options their first candidate, numbers a
 * small value, text a short Chinese sentence). The result is checked with the same validation the
 * task API applies, so the demo never completes a task a real clerk could not.
 */
import { evaluateFeel } from '../../engine';
import { validateFormSubmission } from '../../domain/tasks/form-validation';

interface Component {
  key?: string;
  type?: string;
  label?: string;
  defaultValue?: unknown;
  values?: { value: unknown }[];
  valuesKey?: string;
  validate?: { min?: number; max?: number };
  conditional?: { hide?: string };
  components?: Component[];
}

/** Overrides that keep the demo on the main path (handled, rectified …) with some variety. */
function preset(key: string, random: () => number): unknown {
  switch (key) {
    case 'handlingOutcome':
      return 'handled';
    case 'dispatchAction':
      return 'dispatch';
    case 'violationFound':
      return random() < 0.6;
    case 'hazardFound':
      return random() < 0.3;
    case 'rectified':
      return random() < 0.75;
    case 'satisfied':
      return random() < 0.85;
    default:
      return undefined;
  }
}

export function fillForm(
  schema: unknown,
  taskVariables: Record<string, unknown>,
  random: () => number = Math.random,
): { variables: Record<string, unknown>; errors: string[] } {
  const out: Record<string, unknown> = {};
  const hidden = (c: Component) => {
    const hide = c.conditional?.hide?.trim();
    if (!hide) return false;
    const r = evaluateFeel(hide.startsWith('=') ? hide.slice(1) : hide, { ...taskVariables, ...out }, Date.now());
    return r.ok && r.value === true;
  };
  const options = (c: Component): unknown[] => {
    if (Array.isArray(c.values)) return c.values.map((v) => v.value);
    const dyn = c.valuesKey ? taskVariables[c.valuesKey] : undefined;
    return Array.isArray(dyn)
      ? dyn.map((v) => (v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v))
      : [];
  };
  const walk = (list: Component[] | undefined) => {
    for (const c of list ?? []) {
      if (hidden(c)) continue;
      if (c.components) walk(c.components);
      if (!c.key) continue;
      const p = preset(c.key, random);
      if (p !== undefined && (c.type === 'checkbox' || options(c).includes(p) || !options(c).length)) {
        out[c.key] = p;
        continue;
      }
      const opts = options(c);
      switch (c.type) {
        case 'select':
        case 'radio':
          if (c.defaultValue !== undefined) out[c.key] = c.defaultValue;
          else if (opts.length) out[c.key] = opts[Math.floor(random() * opts.length)];
          break;
        case 'checklist':
        case 'taglist':
          if (opts.length) out[c.key] = opts.slice(0, 1 + Math.floor(random() * Math.min(2, opts.length)));
          break;
        case 'checkbox':
          out[c.key] = c.defaultValue ?? false;
          break;
        case 'number':
          out[c.key] = Math.max(c.validate?.min ?? 1, Math.min(c.validate?.max ?? 5, 3));
          break;
        case 'textfield':
        case 'textarea':
          out[c.key] = `【演示】${c.label ?? c.key}：已核实并按规定处理。`;
          break;
        default:
          break;
      }
    }
  };
  walk((schema as { components?: Component[] } | null)?.components);
  const errors = validateFormSubmission(schema, out, taskVariables).map((e) => `${e.field}: ${e.message}`);
  return { variables: out, errors };
}
