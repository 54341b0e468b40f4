/** `/admin`: users, departments, roles, device and Open311 keys, catalog import/export, holidays, incidents, audit log. */
import '../styles.css';
import { api, ApiError, loadDepartments, requireUser, type Department } from '../lib/api';
import { deptName } from '../lib/case-view';
import { fmtTime, h, mount, uid } from '../lib/dom';
import { field, select } from '../lib/forms';
import { bi, T, t, type StringKey } from '../lib/i18n';
import { errorText, shell, toast } from '../lib/shell';
import { renderAudit } from './admin-audit';
import { mountCalendarBanner, renderCalendar } from './admin-calendar';

const ROLES = ['admin', 'designer', 'supervisor', 'clerk', 'confidential-reader'] as const;
const user = await requireUser();
const main = shell({ current: '/admin', titleKey: 'admin.title', user });
const departments: Department[] = await loadDepartments();

const sections: Array<{ id: string; key: StringKey; render: (el: HTMLElement) => Promise<void> }> = [
  { id: 'users', key: 'admin.users', render: renderUsers },
  { id: 'departments', key: 'admin.departments', render: renderDepartments },
  { id: 'keys', key: 'admin.keys', render: renderKeys },
  { id: 'catalog', key: 'admin.catalog', render: renderCatalog },
  { id: 'calendar', key: 'admin.calendar', render: renderCalendar },
  { id: 'incidents', key: 'admin.incidents', render: renderIncidents },
  { id: 'audit', key: 'admin.audit', render: renderAudit },
];
const panel = h('div', { role: 'tabpanel', id: 'admin-panel', tabindex: '0' });
const tabs = h(
  'div',
  { class: 'tabs', role: 'tablist', 'aria-label': t('admin.title') },
  sections.map((s) =>
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${s.id}`,
        'aria-controls': 'admin-panel',
        'aria-selected': 'false',
        onclick: () => void show(s.id),
        onkeydown: tabKeys,
      },
      T(s.key),
    ),
  ),
);
// Years without holidays entered (time limits count plain weekdays there): shown on every tab.
const calendarBanner = h('div', { id: 'calendar-banner' });
main.append(h('h1', null, T('admin.title')), calendarBanner, tabs, panel);

function tabKeys(e: KeyboardEvent): void {
  const list = [...tabs.querySelectorAll<HTMLButtonElement>('[role=tab]')];
  const i = list.indexOf(e.currentTarget as HTMLButtonElement);
  const next =
    e.key === 'ArrowRight'
      ? list[(i + 1) % list.length]
      : e.key === 'ArrowLeft'
        ? list[(i - 1 + list.length) % list.length]
        : null;
  if (next) {
    e.preventDefault();
    next.focus();
    next.click();
  }
}

async function show(id: string): Promise<void> {
  const s = sections.find((x) => x.id === id) ?? sections[0];
  for (const b of tabs.querySelectorAll<HTMLButtonElement>('[role=tab]')) {
    const on = b.id === `tab-${s.id}`;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
  }
  panel.setAttribute('aria-labelledby', `tab-${s.id}`);
  history.replaceState(null, '', `#${s.id}`);
  mount(panel, h('p', { class: 'muted' }, T('common.loading')));
  try {
    await s.render(panel);
  } catch (err) {
    mount(panel, h('div', { class: 'alert error', role: 'alert' }, t('common.error', { detail: errorText(err) })));
  }
}

const roleName = (r: string) => T(`admin.role.${r}` as StringKey);
const secret = (text: string) =>
  h('div', { class: 'alert ok', role: 'status' }, h('code', { class: 'secret', style: { userSelect: 'all' } }, text));

// ---- users ----------------------------------------------------------------------------------------
function roleChecks(name: string, selected: string[]): HTMLFieldSetElement {
  return h(
    'fieldset',
    null,
    h('legend', null, T('admin.user.roles')),
    h(
      'div',
      { class: 'checks' },
      ROLES.map((r) => {
        const id = uid(name);
        return h(
          'label',
          { for: id },
          h('input', { type: 'checkbox', id, name, value: r, checked: selected.includes(r) }),
          roleName(r),
        );
      }),
    ),
  );
}
function deptSelect(name: string, selected: string[]): HTMLElement {
  const id = uid(name);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, T('admin.user.departments')),
    h(
      'select',
      { id, name, multiple: true, size: 6 },
      departments.map((d) =>
        h('option', { value: d.code, selected: selected.includes(d.code) }, `${d.code} · `, bi(d.nameZh, d.nameEn)),
      ),
    ),
  );
}
const checked = (form: HTMLElement, name: string) =>
  [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((i) => i.value);
const selectedOptions = (form: HTMLElement, name: string) =>
  [...(form.querySelector<HTMLSelectElement>(`select[name="${name}"]`)?.selectedOptions ?? [])].map((o) => o.value);

async function renderUsers(el: HTMLElement): Promise<void> {
  const { users } = await api<{ users: any[] }>('/api/admin/users');
  const username = field('admin.user.username', {
    name: 'username',
    required: true,
    attrs: { pattern: '[a-z0-9._-]+' },
  });
  const displayName = field('admin.user.displayName', { name: 'displayName', required: true });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'card',
      id: 'user-create',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          const body = await api<any>('/api/admin/users', {
            json: {
              username: username.input.value.trim(),
              displayName: displayName.input.value.trim(),
              roles: checked(form, 'new-roles'),
              departments: selectedOptions(form, 'new-depts'),
            },
          });
          await renderUsers(el);
          el.prepend(
            h(
              'div',
              null,
              T('admin.user.created', { username: body.user.username, password: '' }),
              secret(body.password),
            ),
          );
        } catch (err) {
          mount(out, h('div', { class: 'alert error', role: 'alert' }, errorText(err)));
        }
      },
    },
    h('h2', null, T('admin.user.create')),
    h('div', { class: 'grid-2' }, username.wrap, displayName.wrap),
    h('div', { class: 'grid-2' }, roleChecks('new-roles', []), deptSelect('new-depts', [])),
    h('button', { type: 'submit', class: 'primary' }, T('admin.user.create')),
    out,
  );
  mount(
    el,
    h(
      'div',
      { class: 'card table-wrap' },
      h(
        'table',
        { id: 'users' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            [
              'admin.user.username',
              'admin.user.displayName',
              'admin.user.roles',
              'admin.user.departments',
              'admin.user.active',
              'admin.key.lastUsed',
              '',
            ].map((k) => h('th', { scope: 'col' }, k ? T(k as StringKey) : '')),
          ),
        ),
        h(
          'tbody',
          null,
          users.map((u) => userRow(u, el)),
        ),
      ),
    ),
    form,
  );
}

function userRow(u: any, el: HTMLElement): HTMLTableRowElement {
  const patch = async (body: Record<string, unknown>) => {
    try {
      const res = await api<any>(`/api/admin/users/${u.id}`, { method: 'PATCH', json: body });
      await renderUsers(el);
      if (res.password)
        el.prepend(
          h('div', null, T('admin.user.resetDone', { username: u.username, password: '' }), secret(res.password)),
        );
    } catch (err) {
      toast(errorText(err), 'error');
    }
  };
  const edit = () => {
    const form = h(
      'form',
      {
        class: 'card',
        onsubmit: (e: Event) => (
          e.preventDefault(),
          void patch({ roles: checked(form, 'edit-roles'), departments: selectedOptions(form, 'edit-depts') })
        ),
      },
      h('h2', null, u.username),
      h('div', { class: 'grid-2' }, roleChecks('edit-roles', u.roles), deptSelect('edit-depts', u.departments)),
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'submit', class: 'primary' }, T('common.save')),
        h('button', { type: 'button', onclick: () => form.remove() }, T('common.cancel')),
      ),
    );
    el.prepend(form);
    form.querySelector('input')?.focus();
  };
  return h(
    'tr',
    { 'data-username': u.username },
    h('td', null, u.username),
    h('td', null, u.displayName),
    h(
      'td',
      null,
      u.roles.map((r: string, i: number) => [i ? '、' : '', roleName(r)]),
    ),
    h(
      'td',
      { class: 'small' },
      u.departments.map((d: string, i: number) => [i ? '、' : '', deptName(d, departments)]),
    ),
    h('td', null, T(u.active ? 'common.yes' : 'common.no')),
    h('td', { class: 'small' }, fmtTime(u.lastLoginAt)),
    h(
      'td',
      null,
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'button', onclick: edit }, T('admin.user.edit')),
        h('button', { type: 'button', onclick: () => void patch({ resetPassword: true }) }, T('admin.user.reset')),
        h(
          'button',
          { type: 'button', class: u.active ? 'danger' : '', onclick: () => void patch({ active: !u.active }) },
          T(u.active ? 'admin.user.deactivate' : 'admin.user.activate'),
        ),
      ),
    ),
  );
}

// ---- departments ----------------------------------------------------------------------------------
async function renderDepartments(el: HTMLElement): Promise<void> {
  const { users } = await api<{ users: any[] }>('/api/admin/users');
  mount(
    el,
    h(
      'div',
      { class: 'card table-wrap' },
      h(
        'table',
        { id: 'departments' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'code'),
            h('th', { scope: 'col' }, '中文'),
            h('th', { scope: 'col' }, 'English'),
            h('th', { scope: 'col' }, T('admin.users')),
          ),
        ),
        h(
          'tbody',
          null,
          departments.map((d) =>
            h(
              'tr',
              null,
              h('td', null, h('code', null, d.code)),
              h('td', null, d.nameZh),
              h('td', null, d.nameEn),
              h(
                'td',
                { class: 'small' },
                users
                  .filter((u) => u.departments.includes(d.code))
                  .map((u) => u.username)
                  .join(', ') || '—',
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

// ---- API keys -------------------------------------------------------------------------------------
async function renderKeys(el: HTMLElement): Promise<void> {
  const { apiKeys } = await api<{ apiKeys: any[] }>('/api/admin/api-keys');
  const kind = select('admin.key.kind', 'kind', [
    { value: 'device', label: 'device' },
    { value: 'open311', label: 'open311' },
  ]);
  const name = field('admin.key.name', { name: 'name', required: true });
  const device = field('admin.key.device', { name: 'deviceId' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'card',
      id: 'key-create',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          const body = await api<any>('/api/admin/api-keys', {
            json: {
              kind: kind.input.value,
              name: name.input.value.trim(),
              deviceId: device.input.value.trim() || undefined,
            },
          });
          await renderKeys(el);
          el.prepend(h('div', null, T('admin.key.created', { key: '' }), secret(body.key)));
        } catch (err) {
          mount(out, h('div', { class: 'alert error', role: 'alert' }, errorText(err)));
        }
      },
    },
    h('h2', null, T('admin.key.create')),
    h('div', { class: 'grid-2' }, kind.wrap, name.wrap),
    device.wrap,
    h('button', { type: 'submit', class: 'primary' }, T('admin.key.create')),
    out,
  );
  mount(
    el,
    h(
      'div',
      { class: 'card table-wrap' },
      h(
        'table',
        { id: 'keys' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            [
              'admin.key.kind',
              'admin.key.name',
              'admin.key.device',
              'admin.key.createdAt',
              'admin.key.lastUsed',
              '',
            ].map((k) => h('th', { scope: 'col' }, k ? T(k as StringKey) : '')),
          ),
        ),
        h(
          'tbody',
          null,
          apiKeys.map((k) =>
            h(
              'tr',
              null,
              h('td', null, k.kind),
              h('td', null, k.name),
              h('td', null, k.deviceId ?? '—'),
              h('td', { class: 'small' }, fmtTime(k.createdAt)),
              h('td', { class: 'small' }, fmtTime(k.lastUsedAt)),
              h(
                'td',
                null,
                k.revokedAt
                  ? h('span', { class: 'muted' }, T('admin.key.revoked'))
                  : h(
                      'button',
                      {
                        type: 'button',
                        class: 'danger',
                        onclick: async () => {
                          try {
                            await api(`/api/admin/api-keys/${k.id}`, { method: 'DELETE' });
                            await renderKeys(el);
                          } catch (err) {
                            toast(errorText(err), 'error');
                          }
                        },
                      },
                      T('admin.key.revoke'),
                    ),
              ),
            ),
          ),
        ),
      ),
    ),
    form,
  );
}

// ---- catalog --------------------------------------------------------------------------------------
async function renderCatalog(el: HTMLElement): Promise<void> {
  const SHEETS = ['categories', 'matters', 'situations', 'scenario_nodes', 'one_matter_lists'];
  const fileId = uid('catalog');
  const dryId = uid('dry');
  const report = h('div', { id: 'catalog-report', 'aria-live': 'polite' });
  const format = select('admin.catalog.format', 'format', [
    { value: 'xlsx', label: 'XLSX' },
    { value: 'csv', label: 'CSV' },
  ]);
  const sheet = select(
    'admin.catalog.sheet',
    'sheet',
    SHEETS.map((x) => ({ value: x, label: x })),
    'situations',
  );
  const counts = await Promise.all([
    api<any>('/api/catalog/categories'),
    api<any>('/api/catalog/matters'),
    api<any>('/api/catalog/situations?limit=1'),
  ]);
  mount(
    el,
    h(
      'p',
      { class: 'card', id: 'catalog-counts' },
      T('admin.catalog.counts', {
        categories: counts[0].categories.length,
        matters: counts[1].matters.length,
        situations: counts[2].total,
      }),
    ),
    h(
      'div',
      { class: 'card' },
      h('h2', null, T('admin.catalog.export')),
      h(
        'div',
        { class: 'row' },
        format.wrap,
        sheet.wrap,
        h(
          'button',
          {
            type: 'button',
            id: 'catalog-export',
            onclick: async () => {
              try {
                const q = format.input.value === 'xlsx' ? 'format=xlsx' : `format=csv&sheet=${sheet.input.value}`;
                const res = await api<Response>(`/api/catalog/export?${q}`, { raw: true, headers: { accept: '*/*' } });
                const blob = await res.blob();
                const name =
                  /filename="?([^";]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1] ??
                  `catalog.${format.input.value}`;
                const a = h('a', { href: URL.createObjectURL(blob), download: name });
                document.body.append(a);
                a.click();
                a.remove();
              } catch (err) {
                toast(errorText(err), 'error');
              }
            },
          },
          T('common.download'),
        ),
      ),
    ),
    h(
      'form',
      {
        class: 'card',
        id: 'catalog-import',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const input = el.querySelector<HTMLInputElement>(`#${fileId}`)!;
          const file = input.files?.[0];
          if (!file) return;
          const data = new FormData();
          data.append('file', file, file.name);
          const dry = el.querySelector<HTMLInputElement>(`#${dryId}`)!.checked;
          try {
            const body = await api<any>(`/api/catalog/import${dry ? '?dryRun=true' : ''}`, { body: data });
            mount(
              report,
              h(
                'div',
                { class: 'alert ok', role: 'status' },
                T(body.dryRun ? 'admin.catalog.dryOk' : 'admin.catalog.imported', {
                  rows: body.rows,
                  sheets: body.sheets.join(', '),
                }),
                body.changed
                  ? h(
                      'span',
                      null,
                      ' ',
                      Object.entries(body.changed)
                        .map(([k, v]) => `${k}: ${v}`)
                        .join(' · '),
                    )
                  : null,
              ),
            );
          } catch (err) {
            const rows: any[] = err instanceof ApiError ? (err.body?.rowErrors ?? []) : [];
            mount(
              report,
              h('div', { class: 'alert error', role: 'alert' }, errorText(err)),
              rows.length
                ? h(
                    'div',
                    { class: 'table-wrap' },
                    h(
                      'table',
                      { id: 'catalog-errors' },
                      h(
                        'thead',
                        null,
                        h(
                          'tr',
                          null,
                          ['sheet', 'row', 'column', 'message'].map((c) => h('th', { scope: 'col' }, c)),
                        ),
                      ),
                      h(
                        'tbody',
                        null,
                        rows.map((r) =>
                          h(
                            'tr',
                            null,
                            h('td', null, r.sheet ?? ''),
                            h('td', { class: 'num' }, String(r.row ?? '')),
                            h('td', null, r.column ?? ''),
                            h('td', null, r.message ?? ''),
                          ),
                        ),
                      ),
                    ),
                  )
                : null,
            );
          }
        },
      },
      h('h2', null, T('admin.catalog.import')),
      h('label', { for: fileId }, T('admin.catalog.file')),
      h('input', { type: 'file', id: fileId, accept: '.csv,.xlsx', required: true }),
      h(
        'div',
        { class: 'checks', style: { marginTop: '8px' } },
        h('label', { for: dryId }, h('input', { type: 'checkbox', id: dryId, checked: true }), T('admin.catalog.dry')),
      ),
      h(
        'div',
        { class: 'row', style: { marginTop: '10px' } },
        h('button', { type: 'submit', class: 'primary' }, T('admin.catalog.import')),
      ),
      report,
    ),
  );
}

// ---- incidents ------------------------------------------------------------------------------------
async function renderIncidents(el: HTMLElement): Promise<void> {
  const { incidents } = await api<{ incidents: any[] }>('/api/admin/incidents');
  if (!incidents.length) return mount(el, h('p', { class: 'card', id: 'incidents-empty' }, T('admin.incident.none')));
  mount(
    el,
    h(
      'div',
      { id: 'incidents' },
      incidents.map((i) => {
        const vars = field('admin.incident.variables', {
          name: 'variables',
          multiline: true,
          value: '{}',
          attrs: { rows: 3, spellcheck: 'false' },
        });
        const status = h('div', { 'aria-live': 'polite' });
        return h(
          'form',
          {
            class: 'card',
            'data-incident': i.key,
            onsubmit: async (e: Event) => {
              e.preventDefault();
              let variables: Record<string, unknown> | undefined;
              try {
                const parsed = JSON.parse(vars.input.value || '{}');
                variables = Object.keys(parsed).length ? parsed : undefined;
                vars.setError();
              } catch (err) {
                return vars.setError(errorText(err));
              }
              try {
                await api(`/api/admin/incidents/${i.key}/resolve`, {
                  json: { variables, retries: i.jobKey ? 3 : undefined },
                });
                toast(t('admin.incident.retried'));
                await renderIncidents(el);
              } catch (err) {
                mount(status, h('div', { class: 'alert error', role: 'alert' }, errorText(err)));
              }
            },
          },
          h('h2', null, `${i.bpmnProcessId} · ${i.elementId}`),
          h(
            'dl',
            { class: 'kv' },
            h('dt', null, 'key'),
            h('dd', null, i.key),
            h('dt', null, 'type'),
            h('dd', null, i.errorType),
            h('dt', null, T('admin.incident.error')),
            h('dd', null, h('code', null, i.errorMessage)),
            h('dt', null, 'instance'),
            h('dd', null, i.processInstanceKey),
            h('dt', null, T('admin.key.createdAt')),
            h('dd', null, fmtTime(i.createdAt)),
          ),
          vars.wrap,
          h('button', { type: 'submit', class: 'primary' }, T('admin.incident.retry')),
          status,
        );
      }),
    ),
  );
}

await Promise.all([
  show(location.hash.slice(1) || 'users'),
  mountCalendarBanner(calendarBanner, () => void show('calendar')).catch((err) =>
    console.error('loading the calendar state failed', err),
  ),
]);
