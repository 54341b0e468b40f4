/**
 * Chinese first, English on request. The choice is kept in localStorage ('om.lang') and applies to
 * every page. Text nodes made with T()/bi() carry data attributes, so switching the language
 * updates the page in place (form inputs keep what was typed); pages re-render what they draw
 * themselves (charts, tables) through onLang().
 */
import { STRINGS } from './strings';

export type Lang = 'zh' | 'en';
const KEY = 'om.lang';
let current: Lang = readLang();
const listeners: Array<(l: Lang) => void> = [];

function readLang(): Lang {
  try {
    const v = localStorage.getItem(KEY);
    if (v === 'zh' || v === 'en') return v;
  } catch {
    /* storage disabled */
  }
  return 'zh';
}

export const lang = (): Lang => current;

export type StringKey = keyof typeof STRINGS;

/** The string of `key` in the current language, `{name}` placeholders filled from args. */
export function t(key: StringKey | string, args?: Record<string, string | number>): string {
  const entry = (STRINGS as Record<string, readonly [string, string]>)[key];
  let s = entry ? entry[current === 'zh' ? 0 : 1] : key;
  for (const [k, v] of Object.entries(args ?? {})) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/** A span holding t(key, args) that follows language switches. */
export function T(key: StringKey, args?: Record<string, string | number>): HTMLSpanElement {
  const span = document.createElement('span');
  span.dataset.i18n = key;
  if (args) span.dataset.i18nArgs = JSON.stringify(args);
  span.textContent = t(key, args);
  return span;
}

/** A span with a Chinese and an English text (names from the API: departments, scenarios). */
export function bi(zh: string, en: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.dataset.zh = zh;
  span.dataset.en = en;
  span.textContent = current === 'zh' ? zh : en;
  return span;
}

/** Marks an attribute (placeholder, aria-label, title) as translated. */
export function tAttr<E extends Element>(el: E, attr: 'placeholder' | 'aria-label' | 'title', key: StringKey): E {
  el.setAttribute(attr, t(key));
  el.setAttribute(`data-i18n-${attr}`, key);
  return el;
}

export function applyLang(root: ParentNode = document): void {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    el.textContent = t(el.dataset.i18n!, el.dataset.i18nArgs ? JSON.parse(el.dataset.i18nArgs) : undefined);
  });
  root.querySelectorAll<HTMLElement>('[data-zh]').forEach((el) => {
    el.textContent = (current === 'zh' ? el.dataset.zh : el.dataset.en) ?? '';
  });
  for (const attr of ['placeholder', 'aria-label', 'title']) {
    root
      .querySelectorAll<HTMLElement>(`[data-i18n-${attr}]`)
      .forEach((el) => el.setAttribute(attr, t(el.getAttribute(`data-i18n-${attr}`)!)));
  }
  const titleKey = document.body?.dataset.titleKey;
  if (titleKey) document.title = `${t(titleKey)} · ${t('app.name')}`;
}

export function setLang(l: Lang): void {
  current = l;
  try {
    localStorage.setItem(KEY, l);
  } catch {
    /* storage disabled */
  }
  applyLang();
  for (const fn of listeners) fn(l);
}

export function onLang(fn: (l: Lang) => void): void {
  listeners.push(fn);
}
