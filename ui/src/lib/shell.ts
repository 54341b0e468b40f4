/** The frame of every page: skip link, header with navigation, language switch, user and logout. */
import { logout, type Me } from './api';
import { h, mount } from './dom';
import { applyLang, lang, setLang, T, t, type StringKey } from './i18n';

interface NavItem {
  href: string;
  key: StringKey;
  roles?: Me['roles'];
}
const NAV: NavItem[] = [
  { href: '/', key: 'nav.public' },
  { href: '/tasks', key: 'nav.tasks', roles: ['clerk', 'supervisor'] },
  { href: '/dashboard', key: 'nav.dashboard', roles: ['supervisor', 'admin'] },
  { href: '/designer', key: 'nav.designer', roles: ['designer', 'admin'] },
  { href: '/admin', key: 'nav.admin', roles: ['admin'] },
];

export interface ShellOptions {
  /** Which nav entry is current. */
  current: string;
  /** Page title key (document.title follows the language). */
  titleKey: StringKey;
  user?: Me | null;
  /** Wide pages (designer, dashboard) use the full width. */
  wide?: boolean;
}

/** Builds the frame and returns the <main> element to fill. */
export function shell(opts: ShellOptions): HTMLElement {
  document.body.dataset.titleKey = opts.titleKey;
  const main = h('main', { id: 'main', tabindex: '-1', class: opts.wide ? 'wide' : '' });
  const items = NAV.filter((n) => !n.roles || (opts.user && n.roles.some((r) => opts.user!.roles.includes(r))));
  const langBtn = h(
    'button',
    {
      type: 'button',
      class: 'lang-switch',
      id: 'lang-switch',
      onclick: () => setLang(lang() === 'zh' ? 'en' : 'zh'),
    },
    T('lang.switch'),
  );
  langBtn.setAttribute('aria-label', t('lang.switch.aria'));
  langBtn.dataset.i18nAriaLabel = 'lang.switch.aria';
  const userBox = opts.user
    ? h(
        'div',
        { class: 'user' },
        h('span', { class: 'user-name', title: opts.user.username }, opts.user.displayName),
        h(
          'button',
          {
            type: 'button',
            id: 'logout',
            onclick: async () => {
              await logout();
              location.assign('/login?reason=loggedout');
            },
          },
          T('nav.logout'),
        ),
      )
    : opts.current === '/login'
      ? null
      : h('a', { class: 'login-link', href: `/login?next=${encodeURIComponent(location.pathname)}` }, T('nav.login'));
  const header = h(
    'header',
    { class: 'topbar' },
    h(
      'a',
      { class: 'brand', href: '/' },
      h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '一'),
      T('app.name'),
    ),
    h(
      'nav',
      { 'aria-label': t('nav.aria'), 'data-i18n-aria-label': 'nav.aria' },
      h(
        'ul',
        null,
        items.map((n) =>
          h('li', null, h('a', { href: n.href, 'aria-current': n.href === opts.current ? 'page' : null }, T(n.key))),
        ),
      ),
    ),
    h('div', { class: 'topbar-right' }, langBtn, userBox),
  );
  mount(
    document.body,
    h('a', { class: 'skip-link', href: '#main' }, T('nav.skip')),
    header,
    main,
    h('div', { id: 'toasts', role: 'status', 'aria-live': 'polite' }),
  );
  applyLang();
  return main;
}

/** A short message at the bottom of the screen (also read by screen readers). */
export function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  const box = document.getElementById('toasts');
  if (!box) return;
  const el = h('div', { class: `toast ${kind}` }, message);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

/** A visible error line for a failed action (problem+json detail). */
export function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'detail' in err) return String((err as any).detail);
  return err instanceof Error ? err.message : String(err);
}
