/** `/admin` → 操作日志: who changed what and when (GET /api/admin/audit), filtered, paged, exported as CSV. */
import { api } from '../lib/api';
import { fmtTime, h, mount } from '../lib/dom';
import { field, select } from '../lib/forms';
import { bi, T, t } from '../lib/i18n';
import { errorText } from '../lib/shell';

interface AuditItem {
  id: string;
  at: string;
  actor: string;
  action: string;
  summary: string;
  target?: string | null;
  detail: unknown;
  status: number;
}

/** What each audited operation means, in words (unknown ones show their English summary). */
const ACTIONS: Record<string, [string, string]> = {
  'POST /api/admin/users': ['新建用户', 'Created a user'],
  'PATCH /api/admin/users/:id': ['修改用户', 'Changed a user'],
  'POST /api/admin/api-keys': ['新建接入密钥', 'Created an access key'],
  'DELETE /api/admin/api-keys/:id': ['吊销接入密钥', 'Revoked an access key'],
  'PUT /api/admin/departments/:code/contacts': ['修改部门短信联系人', 'Changed department SMS contacts'],
  'POST /api/departments': ['新建部门', 'Created a department'],
  'POST /api/admin/incidents/:key/resolve': ['重试流程异常', 'Retried an incident'],
  'PUT /api/admin/calendar/years/:year': ['录入节假日', 'Entered holidays'],
  'DELETE /api/admin/calendar/years/:year': ['删除节假日年份', 'Deleted a holiday year'],
  'POST /api/admin/calendar/import': ['导入节假日', 'Imported holidays'],
  'POST /api/catalog/import': ['导入事项目录', 'Imported the catalog'],
  'POST /api/processes': ['部署流程或表单', 'Deployed a process or form'],
  'POST /api/cases/:id/merge': ['合并重复案件', 'Merged a duplicate case'],
  'POST /api/cases/:id/redispatch': ['重新分拨案件', 'Re-dispatched a case'],
  'POST /api/cases/:id/return': ['退回案件', 'Returned a case'],
  'POST /api/cases/:id/suspend': ['挂起案件', 'Suspended a case'],
  'POST /api/cases/:id/resume': ['恢复案件', 'Resumed a case'],
  'POST /api/me/password': ['修改本人密码', 'Changed own password'],
  'POST /api/auth/logout': ['退出登录', 'Signed out'],
  'VIEW personal-data': ['查看未脱敏的个人信息', 'Viewed unmasked personal data'],
  'POST /api/admin/privacy/purge': ['手动运行个人信息清理', 'Ran the personal-data purge'],
};

function outcome(status: number): HTMLElement {
  if (status < 400) return h('span', { class: 'badge light-green' }, T('admin.audit.done'));
  const why =
    status === 401 || status === 403
      ? T('admin.audit.forbidden')
      : status === 404
        ? T('admin.audit.missing')
        : status === 409
          ? T('admin.audit.conflict')
          : status === 429
            ? T('admin.audit.limited')
            : status >= 500
              ? T('admin.audit.failed')
              : T('admin.audit.invalid');
  return h('span', { class: 'badge light-yellow' }, T('admin.audit.refused'), ' · ', why);
}

/** The request body as "field: value" lines (never raw JSON on a screen). */
function detailList(detail: unknown): HTMLElement | null {
  if (!detail || typeof detail !== 'object') return null;
  const entries = Object.entries(detail as Record<string, unknown>);
  if (!entries.length) return null;
  const text = (v: unknown): string =>
    v === '[redacted]'
      ? t('admin.audit.hidden')
      : Array.isArray(v)
        ? v.map(text).join('、')
        : v && typeof v === 'object'
          ? Object.entries(v)
              .map(([k, x]) => `${k}: ${text(x)}`)
              .join('; ')
          : String(v);
  return h(
    'details',
    null,
    h('summary', null, T('admin.audit.content')),
    h(
      'dl',
      { class: 'kv' },
      entries.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, text(v))]),
    ),
  );
}

export async function renderAudit(el: HTMLElement): Promise<void> {
  const actor = field('admin.audit.actor', { name: 'actor' });
  const from = field('admin.audit.from', { name: 'from', type: 'date' });
  const to = field('admin.audit.to', { name: 'to', type: 'date' });
  const result = select('admin.audit.outcome', 'outcome', [
    { value: '', label: T('admin.audit.all') },
    { value: 'done', label: T('admin.audit.done') },
    { value: 'refused', label: T('admin.audit.refused') },
  ]);
  const total = h('p', { id: 'audit-total', 'aria-live': 'polite' });
  const body = h('tbody');
  const more = h('button', { type: 'button', hidden: true, id: 'audit-more' }, T('admin.audit.more'));
  const exportLink = h(
    'a',
    { class: 'button', id: 'audit-export', download: 'audit-log.csv' },
    T('admin.audit.export'),
  );
  const status = h('div', { 'aria-live': 'polite' });
  const purge = h('p', { id: 'audit-purge', class: 'muted' });
  let last: string | undefined;
  // the retention purge's last report (GET /api/admin/privacy/purge-reports), one line
  void api<{ reports: Array<{ ranAt: string; counts: Record<string, number> }> }>('/api/admin/privacy/purge-reports')
    .then(({ reports }) => {
      const r = reports[0];
      mount(
        purge,
        r
          ? T('admin.audit.purge.last', {
              at: fmtTime(r.ranAt),
              contact: r.counts.reporterContact,
              sms: r.counts.sms,
              camera: r.counts.camera,
              sessions: r.counts.sessions,
            })
          : T('admin.audit.purge.never'),
      );
    })
    .catch(() => mount(purge));

  // a day picked on the page is a Beijing day: from its 00:00 to the next day's 00:00
  const params = () => {
    const p = new URLSearchParams();
    if (actor.input.value.trim()) p.set('actor', actor.input.value.trim());
    if (from.input.value) p.set('from', `${from.input.value}T00:00:00+08:00`);
    if (to.input.value) {
      const next = new Date(`${to.input.value}T00:00:00+08:00`);
      next.setUTCDate(next.getUTCDate() + 1);
      p.set('to', next.toISOString());
    }
    if (result.input.value) p.set('outcome', result.input.value);
    return p;
  };

  const row = (r: AuditItem) => {
    const label = ACTIONS[r.action];
    return h(
      'tr',
      { 'data-audit': r.id },
      h('td', null, fmtTime(r.at)),
      h('td', null, r.actor),
      h('td', null, label ? bi(label[0], label[1]) : r.summary, detailList(r.detail)),
      h('td', null, outcome(r.status)),
    );
  };

  async function load(reset: boolean): Promise<void> {
    const p = params();
    exportLink.setAttribute('href', `/api/admin/audit/export?${p}`);
    if (!reset && last) p.set('before', last);
    p.set('limit', '50');
    try {
      const page = await api<{ items: AuditItem[]; total: number }>(`/api/admin/audit?${p}`);
      if (reset) mount(body);
      body.append(...page.items.map(row));
      if (!body.children.length)
        mount(body, h('tr', null, h('td', { colspan: 4, id: 'audit-empty' }, T('admin.audit.none'))));
      last = page.items.at(-1)?.id;
      const shown = body.querySelectorAll('tr[data-audit]').length;
      mount(total, T('admin.audit.count', { shown, total: page.total }));
      more.hidden = shown >= page.total;
      mount(status);
    } catch (err) {
      mount(status, h('div', { class: 'alert error', role: 'alert' }, errorText(err)));
    }
  }

  more.addEventListener('click', () => void load(false));
  mount(
    el,
    h(
      'form',
      {
        class: 'card filters',
        id: 'audit-filters',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void load(true);
        },
      },
      actor.wrap,
      from.wrap,
      to.wrap,
      result.wrap,
      h('button', { type: 'submit', class: 'primary' }, T('admin.audit.search')),
      exportLink,
    ),
    purge,
    status,
    total,
    h(
      'div',
      { class: 'card table-wrap' },
      h(
        'table',
        { id: 'audit-log' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, T('admin.audit.at')),
            h('th', null, T('admin.audit.who')),
            h('th', null, T('admin.audit.what')),
            h('th', null, T('admin.audit.result')),
          ),
        ),
        body,
      ),
    ),
    more,
  );
  await load(true);
}
