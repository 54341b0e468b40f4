/** Labelled form controls (every input has a visible <label for>). */
import { h, uid } from './dom';
import { T, tAttr, type StringKey } from './i18n';

export interface FieldOptions {
  type?: string;
  name: string;
  required?: boolean;
  hint?: StringKey;
  placeholder?: StringKey;
  multiline?: boolean;
  value?: string;
  autocomplete?: string;
  attrs?: Record<string, unknown>;
}

/** A label + input (+ hint + error line); returns the wrapper and the control. */
export function field(
  labelKey: StringKey,
  o: FieldOptions,
): { wrap: HTMLDivElement; input: HTMLInputElement | HTMLTextAreaElement; setError(msg?: string): void } {
  const id = uid(o.name);
  const hintId = o.hint ? `${id}-hint` : undefined;
  const errId = `${id}-err`;
  const attrs = {
    id,
    name: o.name,
    required: o.required,
    'aria-describedby': [hintId, errId].filter(Boolean).join(' '),
    autocomplete: o.autocomplete,
    value: o.value,
    ...o.attrs,
  };
  const input = o.multiline ? h('textarea', attrs) : h('input', { type: o.type ?? 'text', ...attrs });
  if (o.placeholder) tAttr(input, 'placeholder', o.placeholder);
  const err = h('div', { class: 'field-error', id: errId });
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, T(labelKey), ' ', o.required ? h('span', { class: 'hint' }, T('common.required')) : null),
    o.hint ? h('div', { class: 'hint', id: hintId }, T(o.hint)) : null,
    input,
    err,
  );
  return {
    wrap,
    input,
    setError(msg?: string) {
      err.textContent = msg ?? '';
      input.setAttribute('aria-invalid', msg ? 'true' : 'false');
    },
  };
}

export function select(
  labelKey: StringKey,
  name: string,
  options: Array<{ value: string; label: Node | string }>,
  value = '',
): { wrap: HTMLDivElement; input: HTMLSelectElement } {
  const id = uid(name);
  const input = h(
    'select',
    { id, name },
    options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)),
  );
  return { wrap: h('div', { class: 'field' }, h('label', { for: id }, T(labelKey)), input), input };
}
