/** Shared pieces of a case: the 12345-style progress line, status/light badges, the timeline. */
import { h } from './dom';
import { fmtTime } from './dom';
import { bi, T, t, type StringKey } from './i18n';
import type { Department } from './api';

export const STEPS = ['accepted', 'dispatched', 'handling', 'replied', 'closed', 'rated'] as const;

/** How far a case got on 受理 → 分拨 → 处置 → 反馈 → 办结 → 回访. */
export function stepsDone(c: {
  status: string;
  timeline?: Array<{ type: string }>;
  rating?: unknown;
  reply?: string | null;
  classification?: unknown;
}): number {
  const types = new Set((c.timeline ?? []).map((e) => e.type));
  const s = c.status;
  if (c.rating && s === 'closed') return 6;
  if (s === 'closed' || s === 'merged') return 5;
  if (s === 'replied' || types.has('replied')) return s === 'handling' ? 2 : 4;
  if (s === 'handling' || s === 'suspended' || types.has('dispatched') || c.classification) return 2;
  if (s === 'dispatching' || types.has('accepted')) return 1;
  return 0;
}

export function progressLine(c: Parameters<typeof stepsDone>[0]): HTMLOListElement {
  const done = stepsDone(c);
  return h(
    'ol',
    { class: 'progress', 'aria-label': t('progress.aria'), 'data-i18n-aria-label': 'progress.aria' },
    STEPS.map((s, i) =>
      h(
        'li',
        {
          class: i < done ? 'done' : i === done ? 'current' : '',
          'aria-current': i === done ? 'step' : null,
          'data-step': s,
        },
        T(`step.${s}` as StringKey),
      ),
    ),
  );
}

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: 'badge prio', 'data-status': status }, T(`status.${status}` as StringKey));
}

export function lightBadge(light: string | null | undefined): HTMLElement | null {
  if (!light || !['green', 'yellow', 'red'].includes(light)) return null;
  return h('span', { class: `badge light-${light}`, 'data-light': light }, T(`light.${light}` as StringKey));
}

export function deptName(code: string | null | undefined, departments: Department[]): Node {
  if (!code) return document.createTextNode('—');
  const d = departments.find((x) => x.code === code);
  return d ? bi(d.nameZh, d.nameEn) : document.createTextNode(code);
}

export function scenarioName(code: string | null | undefined): Node {
  if (!code) return document.createTextNode('—');
  const key = `scenario.${code}` as StringKey;
  return t(key) === key ? document.createTextNode(code) : T(key);
}

export function eventLabel(type: string): Node {
  const key = `event.${type}` as StringKey;
  return t(key) === key ? document.createTextNode(type) : T(key);
}

export interface TimelineEntry {
  at: string;
  type: string;
  actor?: string;
  department?: string | null;
  data?: Record<string, unknown>;
}

/** The case history, oldest first; `detail` renders an entry's data (staff views). */
export function timeline(
  entries: TimelineEntry[],
  departments: Department[],
  detail?: (e: TimelineEntry) => Node | null,
): HTMLElement {
  if (!entries.length) return h('p', { class: 'muted' }, T('common.none'));
  return h(
    'ol',
    { class: 'timeline' },
    entries.map((e) =>
      h(
        'li',
        { 'data-type': e.type },
        h('time', { datetime: e.at }, fmtTime(e.at)),
        h('strong', null, eventLabel(e.type)),
        e.department ? [' · ', deptName(e.department, departments)] : null,
        e.actor && !['system', 'reporter', 'staff', 'device'].includes(e.actor)
          ? h('span', { class: 'muted' }, ` · ${e.actor}`)
          : null,
        detail?.(e) ?? null,
      ),
    ),
  );
}
