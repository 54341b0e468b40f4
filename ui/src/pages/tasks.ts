/**
 * `/tasks`: the clerks' inbox with the Camunda Tasklist conventions — All open / Assigned to me /
 * Unassigned / Completed, filters by scenario, light and due date, soonest due first, yellow/red
 * marks and priority; claim/unclaim; the task's Camunda Form (form-js) validated before submit; the
 * case timeline and earlier answers beside it; extension and return requests. New tasks appear
 * without a reload (the list is polled).
 */
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import '../styles.css';
import './tasks.css';
import { Form } from '@bpmn-io/form-js-viewer';
import { api, ApiError, loadDepartments, onSessionExpired, requireUser, type Department } from '../lib/api';
import { deptName, lightBadge, scenarioName, statusBadge, timeline } from '../lib/case-view';
import { fmtTime, h, mount } from '../lib/dom';
import { formI18nModule, localizeFormDom } from '../lib/form-i18n';
import { field, select } from '../lib/forms';
import { onLang, T, t, type StringKey } from '../lib/i18n';
import { errorText, shell, toast } from '../lib/shell';

const POLL_MS = 5000;
const SCENARIOS = [
  'case-intake',
  'housing-quality',
  'hazmat-transport',
  'pollution-source',
  'new-product-rd',
  'fire-lane',
];
type View = 'open' | 'mine' | 'unassigned' | 'completed';
const VIEWS: Array<{ id: View; key: StringKey }> = [
  { id: 'open', key: 'tasks.filter.open' },
  { id: 'mine', key: 'tasks.filter.mine' },
  { id: 'unassigned', key: 'tasks.filter.unassigned' },
  { id: 'completed', key: 'tasks.filter.completed' },
];

const user = await requireUser();
const main = shell({ current: '/tasks', titleKey: 'tasks.title', user, wide: true });
const departments: Department[] = await loadDepartments();

// Filters live in the URL (shareable, survive reloads) like Tasklist's saved filters on the device.
const params = new URLSearchParams(location.search);
const state = {
  view: (VIEWS.some((v) => v.id === params.get('view')) ? params.get('view') : 'open') as View,
  scenario: params.get('scenario') ?? '',
  light: params.get('light') ?? '',
  due: params.get('due') ?? '',
  selected: params.get('task') ?? '',
};
let known = new Set<string>();
let firstLoad = true;

const listEl = h('ul', { class: 'task-list', id: 'task-list', 'aria-label': t('tasks.list') });
const newBanner = h('div', { class: 'new-banner', id: 'new-tasks', role: 'status', 'aria-live': 'polite' });
const detailEl = h(
  'section',
  { class: 'task-detail', id: 'task-detail', 'aria-live': 'polite' },
  h('p', { class: 'muted' }, T('tasks.pick')),
);
const sideEl = h('aside', { class: 'task-side', id: 'task-side' });

const viewTabs = h(
  'div',
  { class: 'tabs', role: 'tablist', 'aria-label': t('tasks.filters') },
  VIEWS.map((v) =>
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        'data-view': v.id,
        'aria-selected': String(v.id === state.view),
        onclick: () => {
          state.view = v.id;
          syncTabs();
          void refresh(true);
        },
      },
      T(v.key),
    ),
  ),
);
function syncTabs(): void {
  for (const b of viewTabs.querySelectorAll<HTMLButtonElement>('button'))
    b.setAttribute('aria-selected', String(b.dataset.view === state.view));
}
const scenarioSel = select(
  'tasks.filter.scenario',
  'scenario',
  [{ value: '', label: T('common.all') }, ...SCENARIOS.map((s) => ({ value: s, label: scenarioName(s) }))],
  state.scenario,
);
const lightSel = select(
  'tasks.filter.light',
  'light',
  [
    { value: '', label: T('common.all') },
    ...['green', 'yellow', 'red'].map((l) => ({ value: l, label: T(`light.${l}` as StringKey) })),
  ],
  state.light,
);
const dueField = field('tasks.filter.due', { name: 'due', type: 'date', value: state.due });
for (const [el, key] of [
  [scenarioSel.input, 'scenario'],
  [lightSel.input, 'light'],
  [dueField.input, 'due'],
] as const) {
  el.addEventListener('change', () => {
    (state as any)[key] = el.value;
    void refresh(true);
  });
}

main.append(
  h('h1', { class: 'visually-hidden' }, T('tasks.title')),
  h(
    'div',
    { class: 'tasks-layout' },
    h(
      'div',
      { class: 'task-col' },
      viewTabs,
      h(
        'div',
        { class: 'filters', role: 'group', 'aria-label': t('tasks.filters') },
        scenarioSel.wrap,
        lightSel.wrap,
        dueField.wrap,
      ),
      newBanner,
      listEl,
    ),
    detailEl,
    sideEl,
  ),
);

function query(): string {
  const q = new URLSearchParams();
  if (state.view === 'completed') q.set('state', 'completed');
  if (state.view === 'mine') q.set('assignee', 'me');
  if (state.view === 'unassigned') q.set('unassigned', 'true');
  if (state.scenario) q.set('scenario', state.scenario);
  if (state.light) q.set('light', state.light);
  if (state.due) q.set('dueBefore', new Date(`${state.due}T23:59:59`).toISOString());
  q.set('limit', '100');
  return q.toString();
}

function syncUrl(): void {
  const q = new URLSearchParams();
  if (state.view !== 'open') q.set('view', state.view);
  for (const k of ['scenario', 'light', 'due'] as const) if (state[k]) q.set(k, state[k]);
  if (state.selected) q.set('task', state.selected);
  history.replaceState(null, '', `/tasks${q.size ? `?${q}` : ''}`);
}

const prioKey = (p: number): StringKey =>
  p > 75 ? 'tasks.prio.critical' : p > 50 ? 'tasks.prio.high' : p > 25 ? 'tasks.prio.medium' : 'tasks.prio.low';
const prioClass = (p: number) => (p > 75 ? 'prio prio-critical' : p > 50 ? 'prio prio-high' : 'prio');

async function refresh(reset = false): Promise<void> {
  syncUrl();
  let body: { tasks: any[]; total: number };
  try {
    body = await api(`/api/tasks?${query()}`);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401))
      mount(listEl, h('li', { class: 'alert error' }, t('common.error', { detail: errorText(err) })));
    return;
  }
  const fresh = reset || firstLoad ? [] : body.tasks.filter((x) => !known.has(x.id));
  known = new Set(body.tasks.map((x) => x.id));
  firstLoad = false;
  if (fresh.length) mount(newBanner, T('tasks.new', { n: fresh.length }));
  else if (reset) mount(newBanner);
  const freshIds = new Set(fresh.map((x) => x.id));
  if (!body.tasks.length) return mount(listEl, h('li', { class: 'muted empty' }, T('tasks.empty')));
  mount(
    listEl,
    body.tasks.map((task) => {
      const sel = task.id === state.selected;
      return h(
        'li',
        {
          class: `task-item light-edge-${task.light}${sel ? ' selected' : ''}${freshIds.has(task.id) ? ' fresh' : ''}`,
          'data-task-id': task.id,
          'data-light': task.light,
        },
        h(
          'button',
          {
            type: 'button',
            class: 'task-open',
            'aria-current': sel ? 'true' : null,
            onclick: () => void openTask(task.id),
          },
          h('span', { class: 'task-name' }, task.name),
          h(
            'span',
            { class: 'task-meta' },
            task.caseNo ? h('span', { class: 'mono' }, task.caseNo) : null,
            ' ',
            task.scenario || task.bpmnProcessId ? scenarioName(task.scenario ?? task.bpmnProcessId) : null,
          ),
          task.summary ? h('span', { class: 'task-summary' }, task.summary) : null,
          h(
            'span',
            { class: 'task-meta' },
            lightBadge(task.light),
            ' ',
            h(
              'span',
              { class: `badge ${prioClass(task.priority)}`, title: `${t('tasks.priority')} ${task.priority}` },
              T(prioKey(task.priority)),
            ),
            ' ',
            task.dueAt ? T('tasks.due', { time: fmtTime(task.dueAt) }) : null,
            ' ',
            h('span', { class: 'muted' }, task.assignee ?? t('tasks.unassignedLabel')),
          ),
        ),
      );
    }),
  );
}

// ---- drafts ---------------------------------------------------------------------------------------
// What the clerk typed into an open task is kept in sessionStorage until it is submitted, so a
// session that expires (or a reload) loses nothing: the task reopens with the draft restored.
interface Draft {
  form?: Record<string, unknown>;
  inputs?: Record<string, string>;
}
const draftKey = (taskId: string) => `om.draft.task.${taskId}`;
function readDraft(taskId: string): Draft {
  try {
    return JSON.parse(sessionStorage.getItem(draftKey(taskId)) ?? '{}') as Draft;
  } catch {
    return {};
  }
}
function writeDraft(taskId: string, patch: Draft): void {
  try {
    sessionStorage.setItem(draftKey(taskId), JSON.stringify({ ...readDraft(taskId), ...patch }));
  } catch {
    /* storage full or disabled: nothing to keep */
  }
}
function clearDraft(taskId: string): void {
  try {
    sessionStorage.removeItem(draftKey(taskId));
  } catch {
    /* storage disabled */
  }
}
/** The open task's unsaved state, written on every change and once more when the session expires. */
let saveOpenDraft: (() => void) | null = null;
onSessionExpired(() => saveOpenDraft?.());

// ---- one task -------------------------------------------------------------------------------------
let currentForm: Form | null = null;
/** After claiming, the keyboard focus goes to the form's first field (the re-render would drop it). */
let focusFormNext = false;
let stopFormI18n: (() => void) | null = null;

async function openTask(id: string): Promise<void> {
  state.selected = id;
  syncUrl();
  for (const li of listEl.querySelectorAll<HTMLElement>('li[data-task-id]')) {
    li.classList.toggle('selected', li.dataset.taskId === id);
    li.querySelector('button')?.setAttribute('aria-current', String(li.dataset.taskId === id));
  }
  mount(detailEl, h('p', { class: 'muted' }, T('common.loading')));
  mount(sideEl);
  let task: any;
  try {
    task = await api(`/api/tasks/${id}`);
  } catch (err) {
    return mount(
      detailEl,
      h('div', { class: 'alert error', role: 'alert' }, t('common.error', { detail: errorText(err) })),
    );
  }
  renderTask(task);
  renderSide(task);
}

function renderTask(task: any): void {
  currentForm?.destroy();
  currentForm = null;
  stopFormI18n?.();
  stopFormI18n = null;
  saveOpenDraft = null;
  const open = task.state === 'created';
  const mine = task.assignee === user.username;
  const draft: Draft = open && mine ? readDraft(task.id) : {};
  const restoredNote = h('div', { id: 'draft-note' });
  const status = h('div', { id: 'task-status', role: 'status' });
  const act = async (path: string, okMsg?: string) => {
    try {
      await api(`/api/tasks/${task.id}/${path}`, { method: 'POST' });
      focusFormNext = path === 'claim';
      if (okMsg) toast(okMsg);
      await Promise.all([openTask(task.id), refresh()]);
    } catch (err) {
      mount(status, h('div', { class: 'alert error', role: 'alert' }, errorText(err)));
    }
  };
  const formBox = h('div', { class: 'task-form', id: 'task-form' });
  const submit = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      id: 'complete',
      disabled: !mine,
      onclick: () => void complete(task, submit, status),
    },
    T('tasks.complete'),
  );
  mount(
    detailEl,
    h(
      'header',
      { class: 'task-head' },
      h('h2', { id: 'task-title' }, task.name),
      h(
        'div',
        { class: 'task-meta' },
        lightBadge(task.light),
        ' ',
        h('span', { class: `badge ${prioClass(task.priority)}` }, T('tasks.priority'), ' ', T(prioKey(task.priority))),
        ' ',
        task.dueAt ? T('tasks.due', { time: fmtTime(task.dueAt) }) : null,
        ' · ',
        deptName(task.department, departments),
      ),
      h(
        'div',
        { class: 'row' },
        h(
          'span',
          null,
          T('tasks.assignee'),
          '：',
          h('strong', { id: 'assignee' }, task.assignee ?? t('tasks.unassignedLabel')),
        ),
        h('span', { class: 'spacer' }),
        open && !task.assignee
          ? h(
              'button',
              { type: 'button', class: 'primary', id: 'claim', onclick: () => act('claim') },
              T('tasks.claim'),
            )
          : null,
        open && mine
          ? h('button', { type: 'button', id: 'unclaim', onclick: () => act('unclaim') }, T('tasks.unclaim'))
          : null,
      ),
    ),
    status,
    restoredNote,
    open && !mine ? h('p', { class: 'alert info' }, T('tasks.claimFirst')) : null,
    h('h3', null, T('tasks.form')),
    formBox,
    open ? h('div', { class: 'row', style: { marginTop: '10px' } }, submit) : null,
    open && mine ? requestsBox(task, draft) : null,
  );
  const inputs = () =>
    Object.fromEntries(
      [...detailEl.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('.requests [name]')].map((el) => [
        el.name,
        el.value,
      ]),
    );
  if (open && mine) {
    detailEl.querySelector('.requests')?.addEventListener('input', () => writeDraft(task.id, { inputs: inputs() }));
    saveOpenDraft = () =>
      writeDraft(task.id, { ...(currentForm ? { form: currentForm._getState().data } : {}), inputs: inputs() });
  }
  if (task.formSchema) {
    // No debounce: every keystroke is committed (and kept in the draft) at once.
    const form = new Form({ container: formBox, additionalModules: [formI18nModule], debounce: false } as any);
    currentForm = form;
    stopFormI18n = localizeFormDom(formBox);
    // Null variables are left out so the form's default values apply (form-js keeps a null as the value).
    const data: Record<string, unknown> = Object.fromEntries(
      Object.entries({
        ...(task.case ? { caseNo: task.case.caseNo, description: task.case.description } : {}),
        ...task.variables,
        ...(task.result ?? {}),
      }).filter(([, v]) => v != null),
    );
    const restored =
      draft.form &&
      Object.entries(draft.form).some(
        ([k, v]) => v != null && v !== '' && JSON.stringify(v) !== JSON.stringify(data[k]),
      );
    form.importSchema(task.formSchema, { ...data, ...(draft.form ?? {}) }).then(
      () => {
        form.setProperty(open ? 'disabled' : 'readOnly', !open || !mine ? true : false);
        if (open && mine)
          form.on('changed', (e: { data: Record<string, unknown> }) => writeDraft(task.id, { form: e.data }));
        if (focusFormNext && open && mine)
          formBox.querySelector<HTMLElement>('.fjs-form-field :is(input, textarea, select):not([disabled])')?.focus();
        focusFormNext = false;
      },
      (err: unknown) => mount(formBox, h('div', { class: 'alert error' }, errorText(err))),
    );
    if (restored) mount(restoredNote, h('p', { class: 'alert info', role: 'status' }, T('tasks.draftRestored')));
  } else {
    mount(formBox, h('p', { class: 'muted' }, T('tasks.noForm')));
  }
}

async function complete(task: any, button: HTMLButtonElement, status: HTMLElement): Promise<void> {
  let variables: Record<string, unknown> = {};
  if (currentForm) {
    // Blur the focused field first: form-js debounces typing, and submit() reads the committed data.
    (document.activeElement as HTMLElement | null)?.blur?.();
    await new Promise((r) => setTimeout(r, 50));
    const { data, errors } = currentForm.submit();
    if (Object.keys(errors).length) {
      mount(status, h('div', { class: 'alert error', role: 'alert' }, T('tasks.formInvalid')));
      detailEl
        .querySelector<HTMLElement>('.fjs-has-errors input, .fjs-has-errors textarea, .fjs-has-errors select')
        ?.focus();
      return;
    }
    variables = data;
  }
  button.disabled = true;
  try {
    await api(`/api/tasks/${task.id}/complete`, { json: { variables } });
    clearDraft(task.id);
    saveOpenDraft = null;
    toast(t('tasks.completed'));
    state.selected = '';
    mount(detailEl, h('div', { class: 'alert ok', role: 'status', id: 'completed-msg' }, T('tasks.completed')));
    await refresh();
  } catch (err) {
    const fields = err instanceof ApiError ? err.fieldErrors : [];
    mount(
      status,
      h(
        'div',
        { class: 'alert error', role: 'alert' },
        errorText(err),
        fields.length
          ? h(
              'ul',
              null,
              fields.map((f) => h('li', null, `${f.field}: ${f.message}`)),
            )
          : null,
      ),
    );
    button.disabled = false;
  }
}

/** Extension (延期申请) and return (退单) requests from the task. */
function requestsBox(task: any, draft: Draft): HTMLElement {
  const kept = draft.inputs ?? {};
  const hours = field('tasks.extension.hours', {
    name: 'hours',
    type: 'number',
    required: true,
    value: kept.hours || '8',
    attrs: { min: 1, max: 240, step: 1 },
  });
  const reason = field('tasks.extension.reason', {
    name: 'extReason',
    required: true,
    multiline: true,
    value: kept.extReason,
    attrs: { rows: 2, maxlength: 2000 },
  });
  const retReason = field('tasks.return.reason', {
    name: 'retReason',
    required: true,
    multiline: true,
    value: kept.retReason,
    attrs: { rows: 2, maxlength: 2000 },
  });
  const out = h('div', { role: 'status' });
  return h(
    'div',
    { class: 'requests' },
    h(
      'details',
      { id: 'extension', open: Boolean(kept.extReason) },
      h('summary', null, T('tasks.extension')),
      h(
        'form',
        {
          onsubmit: async (e: Event) => {
            e.preventDefault();
            if (!reason.input.value.trim()) return reason.setError(t('common.required'));
            try {
              await api(`/api/tasks/${task.id}/extension`, {
                json: { hours: Number(hours.input.value), reason: reason.input.value.trim() },
              });
              reason.input.value = '';
              writeDraft(task.id, { inputs: { ...(readDraft(task.id).inputs ?? {}), extReason: '' } });
              mount(out, h('div', { class: 'alert ok', id: 'extension-sent' }, T('tasks.extension.sent')));
            } catch (err) {
              mount(out, h('div', { class: 'alert error', role: 'alert' }, errorText(err)));
            }
          },
        },
        hours.wrap,
        reason.wrap,
        h('button', { type: 'submit' }, T('tasks.extension.send')),
      ),
    ),
    task.caseId
      ? h(
          'details',
          { id: 'return', open: Boolean(kept.retReason) },
          h('summary', null, T('tasks.return')),
          h(
            'form',
            {
              onsubmit: async (e: Event) => {
                e.preventDefault();
                if (!retReason.input.value.trim()) return retReason.setError(t('common.required'));
                try {
                  await api(`/api/cases/${task.caseId}/return`, { json: { reason: retReason.input.value.trim() } });
                  mount(out, h('div', { class: 'alert ok' }, T('tasks.return.sent')));
                  await refresh();
                } catch (err) {
                  mount(out, h('div', { class: 'alert error', role: 'alert' }, errorText(err)));
                }
              },
            },
            retReason.wrap,
            h('button', { type: 'submit', class: 'danger' }, T('tasks.return.send')),
          ),
        )
      : null,
    out,
  );
}

/** The case beside the task: summary, timeline, earlier answers, SMS. */
async function renderSide(task: any): Promise<void> {
  const c = task.case;
  const answers = (task.earlierAnswers ?? []) as any[];
  let notifications: any[] = [];
  if (task.caseId) {
    try {
      notifications =
        (await api<any>(`/api/notifications?caseId=${encodeURIComponent(task.caseId)}`)).notifications ?? [];
    } catch {
      /* shown without SMS */
    }
  }
  mount(
    sideEl,
    c
      ? h(
          'section',
          { class: 'card', id: 'case-card', 'data-case-no': c.caseNo },
          h('h2', null, T('tasks.case'), ' ', h('span', { class: 'mono' }, c.caseNo)),
          h(
            'dl',
            { class: 'kv' },
            h('dt', null, T('public.status')),
            h('dd', null, statusBadge(c.status), ' ', lightBadge(c.sla?.light)),
            h('dt', null, T('public.promised')),
            h('dd', null, fmtTime(c.sla?.dueAt)),
            h('dt', null, T('public.department')),
            h('dd', null, deptName(c.leadDepartment, departments)),
            c.reporter ? [h('dt', null, T('public.name')), reporterCell(c)] : null,
            h('dt', null, T('public.description')),
            h('dd', null, c.description),
          ),
        )
      : null,
    answers.length
      ? h(
          'section',
          { class: 'card', id: 'earlier-answers' },
          h('h2', null, T('tasks.earlier')),
          answers.map((a) =>
            h(
              'div',
              { class: 'answer' },
              h('strong', null, a.name),
              ' ',
              h(
                'span',
                { class: 'muted small' },
                deptName(a.department, departments),
                ` · ${a.completedBy ?? ''} · ${fmtTime(a.completedAt)}`,
              ),
              h(
                'dl',
                { class: 'kv small' },
                Object.entries(a.answer).map(([k, v]) => [
                  h('dt', null, k),
                  h(
                    'dd',
                    null,
                    Array.isArray(v)
                      ? v
                          .map((d) =>
                            typeof d === 'string' && departments.some((x) => x.code === d)
                              ? deptName(d, departments)
                              : String(d),
                          )
                          .flatMap((n, i) => (i ? ['、', n] : [n]))
                      : String(v ?? ''),
                  ),
                ]),
              ),
            ),
          ),
        )
      : null,
    notifications.length
      ? h(
          'section',
          { class: 'card', id: 'case-sms' },
          h('h2', null, T('tasks.notifications')),
          h(
            'ul',
            { class: 'plain' },
            notifications.map((n) =>
              h(
                'li',
                null,
                h('span', { class: 'muted small' }, `${fmtTime(n.sentAt ?? n.queuedAt)} · ${n.to} · ${n.status}`),
                h('div', null, n.text),
              ),
            ),
          ),
        )
      : null,
    h('section', { class: 'card' }, h('h2', null, T('public.timeline')), timeline(task.timeline ?? [], departments)),
  );
}

onLang(() => void refresh());
await refresh(true);
if (state.selected) void openTask(state.selected);
setInterval(() => {
  if (document.visibilityState === 'visible') void refresh();
}, POLL_MS);

/**
 * The reporter, masked; "show full contact" asks for a reason and fetches the unmasked contact
 * (GET /api/cases/:id/reporter, recorded in the audit log). A confidential report shows 保密.
 */
function reporterCell(c: {
  caseNo: string;
  reporter: { name: string | null; phone: string | null; confidential?: boolean };
}) {
  const text = h(
    'span',
    { id: 'reporter-contact' },
    [c.reporter.name, c.reporter.phone].filter(Boolean).join(' · ') || '—',
  );
  const dd = h('dd', null, text);
  const reveal = h('button', { type: 'button', class: 'link', id: 'reporter-reveal' }, T('tasks.reporter.reveal'));
  reveal.addEventListener('click', () => {
    const reason = field('tasks.reporter.reason', { name: 'reason', required: true });
    const form = h(
      'form',
      {
        id: 'reporter-reveal-form',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const why = reason.input.value.trim();
          if (why.length < 2) return reason.setError(t('common.required'));
          try {
            const r = await api<{ name: string | null; phone: string | null }>(
              `/api/cases/${encodeURIComponent(c.caseNo)}/reporter?reason=${encodeURIComponent(why)}`,
            );
            mount(text, [r.name, r.phone].filter(Boolean).join(' · ') || '—');
            form.remove();
          } catch (err) {
            reason.setError(errorText(err));
          }
        },
      },
      reason.wrap,
      h('button', { type: 'submit' }, T('tasks.reporter.show')),
    );
    reveal.replaceWith(form);
    reason.input.focus();
  });
  dd.append(' ', reveal);
  return dd;
}
