import '../styles.css';
import { ApiError, login } from '../lib/api';
import { h } from '../lib/dom';
import { field } from '../lib/forms';
import { T, t } from '../lib/i18n';
import { shell } from '../lib/shell';
import { safeNextPath } from '../../../domain/security/safe-next';

const main = shell({ current: '/login', titleKey: 'login.title' });
const params = new URLSearchParams(location.search);
const reason = params.get('reason');
// Only a path on this site (domain/security/safe-next.ts): `/\\host`, `/<TAB>/host`, `//host`, `https:…` go home instead.
const safeNext = safeNextPath(params.get('next'), location.origin);

const user = field('login.username', { name: 'username', required: true, autocomplete: 'username' });
const pass = field('login.password', {
  name: 'password',
  type: 'password',
  required: true,
  autocomplete: 'current-password',
});
const status = h('div', { role: 'alert' });
const button = h('button', { type: 'submit', class: 'primary' }, T('login.submit'));

const form = h(
  'form',
  {
    class: 'card login-card',
    novalidate: true,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      status.replaceChildren();
      if (!user.input.value.trim() || !pass.input.value) {
        if (!user.input.value.trim()) user.setError(t('common.required'));
        if (!pass.input.value) pass.setError(t('common.required'));
        return;
      }
      button.disabled = true;
      try {
        const me = await login(user.input.value.trim(), pass.input.value);
        location.assign(safeNext ?? homeOf(me.roles));
      } catch (err) {
        const detail = err instanceof ApiError ? err.detail : String(err);
        status.replaceChildren(h('div', { class: 'alert error' }, t('login.failed', { detail })));
        button.disabled = false;
        pass.input.focus();
      }
    },
  },
  h('h1', null, T('login.title')),
  reason === 'expired' ? h('div', { class: 'alert info', role: 'status' }, T('login.expired')) : null,
  reason === 'loggedout' ? h('div', { class: 'alert ok', role: 'status' }, T('login.loggedout')) : null,
  user.wrap,
  pass.wrap,
  status,
  h('div', { class: 'row', style: { marginTop: '12px' } }, button),
  h('p', { class: 'hint' }, T('login.public'), h('a', { href: '/' }, T('nav.public'))),
);
main.append(form);
user.input.focus();

function homeOf(roles: string[]): string {
  if (roles.includes('clerk')) return '/tasks';
  if (roles.includes('supervisor')) return '/dashboard';
  if (roles.includes('designer')) return '/designer';
  if (roles.includes('admin')) return '/admin';
  return '/';
}
