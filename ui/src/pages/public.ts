/** `/`: citizens report a problem, see the case number and promised time, track and rate a case. */
import '../styles.css';
import { api, ApiError, loadDepartments, type Department } from '../lib/api';
import { deptName, lightBadge, progressLine, scenarioName, statusBadge, timeline } from '../lib/case-view';
import { fmtTime, h, mount } from '../lib/dom';
import { field } from '../lib/forms';
import { T, t } from '../lib/i18n';
import { errorText, shell } from '../lib/shell';

const main = shell({ current: '/', titleKey: 'public.title' });
let departments: Department[] = [];
loadDepartments().then(
  (d) => (departments = d),
  () => {},
);

/** Clock bookkeeping the reporter does not need to see. */
const INTERNAL_EVENTS = new Set(['sla.started', 'sla.stopped', 'task.created']);
const PHONE = /^\+?[0-9][0-9\s-]{4,19}$/;

// ---- report ---------------------------------------------------------------------------------------
const desc = field('public.description', {
  name: 'description',
  required: true,
  multiline: true,
  hint: 'public.description.hint',
  attrs: { maxlength: 2000 },
});
const address = field('public.address', {
  name: 'address',
  placeholder: 'public.address.hint',
  autocomplete: 'street-address',
});
const photo = field('public.photo', { name: 'photo', type: 'url', attrs: { placeholder: 'https://' } });
const name = field('public.name', { name: 'name', autocomplete: 'name' });
// 举报人保密: the reporter's name and phone are then shown only to a few authorised staff.
const confidential = h('input', {
  type: 'checkbox',
  id: 'report-confidential',
  name: 'confidential',
}) as HTMLInputElement;
const phone = field('public.phone', {
  name: 'phone',
  type: 'tel',
  required: true,
  hint: 'public.phone.hint',
  autocomplete: 'tel',
});
const reportStatus = h('div', { 'aria-live': 'polite' });
const reportButton = h('button', { type: 'submit', class: 'primary', id: 'report-submit' }, T('public.submit'));

const reportForm = h(
  'form',
  { class: 'card', id: 'report', novalidate: true, onsubmit: (e: Event) => (e.preventDefault(), void submitReport()) },
  h('h2', null, T('public.report')),
  desc.wrap,
  address.wrap,
  h('div', { class: 'grid-2' }, name.wrap, phone.wrap),
  h('label', { for: 'report-confidential', class: 'check' }, confidential, ' ', T('public.confidential')),
  photo.wrap,
  h('div', { class: 'row', style: { marginTop: '12px' } }, reportButton),
  reportStatus,
);

async function submitReport(): Promise<void> {
  const errors: Array<[ReturnType<typeof field>, string]> = [];
  for (const f of [desc, address, photo, name, phone]) f.setError();
  const d = desc.input.value.trim();
  const p = phone.input.value.trim();
  const photoUrl = photo.input.value.trim();
  if (d.length < 5) errors.push([desc, t('common.required')]);
  if (!PHONE.test(p)) errors.push([phone, t('common.required')]);
  if (photoUrl && !/^https?:\/\/\S+$/.test(photoUrl)) errors.push([photo, 'https://…']);
  if (errors.length) {
    for (const [f, msg] of errors) f.setError(msg);
    errors[0][0].input.focus();
    return;
  }
  reportButton.disabled = true;
  mount(reportStatus, h('p', { class: 'muted' }, T('common.loading')));
  try {
    const created = await api<{
      id: string;
      caseNo: string;
      status: string;
      dispatch?: 'started' | 'pending';
      trackingUrl?: string;
    }>('/api/cases', {
      anonymous: true,
      json: {
        description: d,
        channel: 'web',
        reporter: { name: name.input.value.trim() || undefined, phone: p },
        confidential: confidential.checked || undefined,
        location: address.input.value.trim() ? { address: address.input.value.trim() } : undefined,
        attachments: photoUrl ? [{ url: photoUrl }] : undefined,
      },
    });
    const promised = h('dd', { id: 'promised' }, T('public.promised.pending'));
    mount(
      reportStatus,
      h(
        'div',
        { class: 'alert ok', role: 'status' },
        h('p', null, h('strong', null, T('public.submitted'))),
        h(
          'dl',
          { class: 'kv' },
          h('dt', null, T('public.caseNo')),
          h('dd', null, h('span', { class: 'case-no', id: 'case-no' }, created.caseNo)),
          created.dispatch === 'pending'
            ? [
                h('dt', null, T('public.status')),
                h('dd', { id: 'dispatch-pending', 'data-dispatch': 'pending' }, T('public.dispatchPending')),
              ]
            : null,
          h('dt', null, T('public.promised')),
          promised,
        ),
        h(
          'p',
          null,
          h(
            'button',
            { type: 'button', class: 'primary', onclick: () => track(created.caseNo, p) },
            T('public.trackThis'),
          ),
        ),
      ),
    );
    reportForm.reset();
    void waitForPromise(created.caseNo, p, promised);
  } catch (err) {
    const fields = err instanceof ApiError ? err.fieldErrors : [];
    for (const fe of fields) {
      const f = fe.field.startsWith('description')
        ? desc
        : fe.field.includes('phone')
          ? phone
          : fe.field.includes('address')
            ? address
            : fe.field.includes('attachments')
              ? photo
              : null;
      f?.setError(fe.message);
    }
    mount(
      reportStatus,
      h('div', { class: 'alert error', role: 'alert' }, t('common.error', { detail: errorText(err) })),
    );
  } finally {
    reportButton.disabled = false;
  }
}

/** The promised time appears once the case is classified and its SLA clock runs. */
async function waitForPromise(caseNo: string, phoneNo: string, target: HTMLElement): Promise<void> {
  for (let i = 0; i < 20; i++) {
    try {
      const c = await fetchCase(caseNo, phoneNo);
      if (c.sla?.dueAt) {
        mount(target, h('strong', null, fmtTime(c.sla.dueAt)));
        return;
      }
    } catch {
      /* not yet visible */
    }
    await new Promise((r) => setTimeout(r, 1000 + i * 250));
  }
}

// ---- track ----------------------------------------------------------------------------------------
const params = new URLSearchParams(location.search);
const trackNo = field('public.track.caseNo', {
  name: 'caseNo',
  required: true,
  value: params.get('case') ?? params.get('caseNo') ?? '',
  attrs: { autocapitalize: 'characters' },
});
const trackPhone = field('public.track.phone', {
  name: 'trackPhone',
  type: 'tel',
  required: true,
  autocomplete: 'tel',
});
const trackResult = h('div', { id: 'track-result', 'aria-live': 'polite' });
const trackForm = h(
  'form',
  {
    class: 'card',
    id: 'track',
    novalidate: true,
    onsubmit: (e: Event) => {
      e.preventDefault();
      void track(trackNo.input.value.trim(), trackPhone.input.value.trim());
    },
  },
  h('h2', null, T('public.track')),
  h('div', { class: 'grid-2' }, trackNo.wrap, trackPhone.wrap),
  h(
    'div',
    { class: 'row', style: { marginTop: '12px' } },
    h('button', { type: 'submit', class: 'primary', id: 'track-submit' }, T('public.track.submit')),
  ),
);

async function fetchCase(caseNo: string, phoneNo: string): Promise<any> {
  return api(`/api/cases/${encodeURIComponent(caseNo)}?phone=${encodeURIComponent(phoneNo)}`, { anonymous: true });
}

async function track(caseNo: string, phoneNo: string): Promise<void> {
  trackNo.input.value = caseNo;
  trackPhone.input.value = phoneNo;
  trackNo.setError();
  trackPhone.setError();
  if (!caseNo) return trackNo.setError(t('common.required'));
  if (!phoneNo) return trackPhone.setError(t('common.required'));
  mount(trackResult, h('p', { class: 'muted' }, T('common.loading')));
  try {
    const c = await fetchCase(caseNo, phoneNo);
    renderCase(c, phoneNo);
    trackResult.scrollIntoView({ block: 'nearest' });
  } catch (err) {
    const notFound = err instanceof ApiError && (err.status === 404 || err.status === 403);
    mount(
      trackResult,
      h(
        'div',
        { class: 'alert error', role: 'alert' },
        notFound ? T('public.track.notFound') : t('common.error', { detail: errorText(err) }),
      ),
    );
  }
}

function renderCase(c: any, phoneNo: string): void {
  const cls = c.classification;
  mount(
    trackResult,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'case-title', 'data-case-no': c.caseNo, 'data-status': c.status },
      h('h2', { id: 'case-title' }, T('public.caseNo'), ' ', h('span', { class: 'case-no' }, c.caseNo)),
      progressLine(c),
      h(
        'dl',
        { class: 'kv' },
        h('dt', null, T('public.status')),
        h(
          'dd',
          null,
          // Filed while the engine did not answer: the one window starts shortly.
          c.dispatchPending
            ? h('span', { class: 'badge prio', 'data-dispatch': 'pending' }, T('public.dispatchPending'))
            : statusBadge(c.status),
          ' ',
          lightBadge(c.sla?.light),
        ),
        h('dt', null, T('public.promised')),
        h('dd', null, c.sla?.dueAt ? fmtTime(c.sla.dueAt) : T('public.promised.pending')),
        cls?.scenario ? [h('dt', null, T('tasks.filter.scenario')), h('dd', null, scenarioName(cls.scenario))] : null,
        h('dt', null, T('public.department')),
        h('dd', null, deptName(c.leadDepartment ?? cls?.leadDepartment, departments)),
        cls?.collaborators?.length
          ? [
              h('dt', null, T('public.collaborators')),
              h(
                'dd',
                null,
                cls.collaborators.map((d: string, i: number) => [i ? '、' : '', deptName(d, departments)]),
              ),
            ]
          : null,
        h('dt', null, T('public.description')),
        h('dd', null, c.description),
      ),
      c.reply
        ? h(
            'div',
            { class: 'alert info', id: 'case-reply' },
            h('strong', null, T('public.reply')),
            h('p', { style: { margin: '4px 0 0', whiteSpace: 'pre-wrap' } }, c.reply),
          )
        : null,
      ratingBox(c, phoneNo),
      h('h3', null, T('public.timeline')),
      timeline(
        (c.timeline ?? []).filter((e: any) => !INTERNAL_EVENTS.has(e.type)),
        departments,
      ),
    ),
  );
}

function ratingBox(c: any, phoneNo: string): HTMLElement | null {
  if (c.rating)
    return h(
      'p',
      { id: 'rating-done' },
      T('public.rated', { value: t(c.rating.satisfied ? 'public.rate.yes' : 'public.rate.no') }),
    );
  if (c.status !== 'closed' || !c.reply) return null;
  const comment = field('public.rate.comment', {
    name: 'comment',
    multiline: true,
    attrs: { maxlength: 500, rows: 2 },
  });
  const status = h('div', { role: 'status' });
  const send = async (satisfied: boolean) => {
    try {
      await api(`/api/cases/${encodeURIComponent(c.id)}/rating`, {
        anonymous: true,
        json: { satisfied, phone: phoneNo, comment: comment.input.value.trim() || undefined },
      });
      mount(status, h('div', { class: 'alert ok' }, T(satisfied ? 'public.rate.thanks' : 'public.rate.reopened')));
      setTimeout(() => void track(c.caseNo, phoneNo), 800);
    } catch (err) {
      mount(status, h('div', { class: 'alert error', role: 'alert' }, t('common.error', { detail: errorText(err) })));
    }
  };
  return h(
    'fieldset',
    { id: 'rating' },
    h('legend', null, T('public.rate')),
    comment.wrap,
    h(
      'div',
      { class: 'row', style: { marginTop: '8px' } },
      h(
        'button',
        { type: 'button', class: 'primary', id: 'rate-yes', onclick: () => send(true) },
        T('public.rate.yes'),
      ),
      h('button', { type: 'button', id: 'rate-no', onclick: () => send(false) }, T('public.rate.no')),
    ),
    status,
  );
}

main.append(
  h('h1', null, T('public.title')),
  h('p', { class: 'muted' }, T('public.lead')),
  h('div', { class: 'grid-2' }, reportForm, h('div', null, trackForm, trackResult)),
);
