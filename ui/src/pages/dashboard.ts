/**
 * `/dashboard`: supervisors' figures — the three rates, open/yellow/red counts per department and
 * scenario, warnings lists, department ranking, time series (uPlot), the scenario's BPMN in a
 * NavigatedViewer with per-element counts, overdue badges and heat colouring, the reform effect and
 * the fire-lane panel; CSV export; every number drills down to the cases behind it (and a case opens
 * with its timeline and SMS).
 */
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import 'uplot/dist/uPlot.min.css';
import '../styles.css';
import './dashboard.css';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import uPlot from 'uplot';
import { api, loadDepartments, requireUser, type Department } from '../lib/api';
import { deptName, lightBadge, progressLine, scenarioName, statusBadge, timeline } from '../lib/case-view';
import { fmtTime, h, mount } from '../lib/dom';
import { select } from '../lib/forms';
import { bi, onLang, T, t, type StringKey } from '../lib/i18n';
import { errorText, shell, toast } from '../lib/shell';

const SCENARIOS = [
  'housing-quality',
  'hazmat-transport',
  'pollution-source',
  'new-product-rd',
  'fire-lane',
  'case-intake',
];
const OPEN = 'received,dispatching,handling,suspended,replied';

const user = await requireUser();
const main = shell({ current: '/dashboard', titleKey: 'dash.title', user, wide: true });
const departments: Department[] = await loadDepartments();

const params = new URLSearchParams(location.search);
const state = {
  days: Number(params.get('days') ?? 30),
  department: params.get('department') ?? '',
  scenario: params.get('scenario') ?? '',
  diagram: params.get('diagram') ?? 'housing-quality',
};

function figureQuery(extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  q.set('from', new Date(Date.now() - state.days * 86_400_000).toISOString());
  if (state.department) q.set('department', state.department);
  if (state.scenario) q.set('scenario', state.scenario);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}
const fig = <T = any>(name: string, extra: Record<string, string> = {}) =>
  api<T>(`/api/dashboard/${name}?${figureQuery(extra)}`);
const csvLink = (name: string, extra: Record<string, string> = {}) =>
  h(
    'a',
    {
      class: 'button small-btn',
      href: `/api/dashboard/${name}?${figureQuery({ ...extra, format: 'csv' })}`,
      download: `dashboard-${name}.csv`,
      'data-csv': name,
    },
    T('dash.csv'),
  );
const pct = (v: number | null | undefined) => (v == null ? '—' : `${Math.round(v * 10) / 10}%`);
const rate = (r: { rate: number | null }) => pct(r.rate);

/** A number that opens the cases behind it. */
function num(value: number | string, drill: string | null, title: Node | string): HTMLElement {
  if (!drill) return h('span', null, String(value));
  return h(
    'button',
    { type: 'button', class: 'num-link', 'data-drill': drill, onclick: () => void drillDown(drill, title) },
    String(value),
  );
}

// ---- filters --------------------------------------------------------------------------------------
const daysSel = select(
  'dash.period',
  'days',
  [7, 30, 90, 365].map((n) => ({ value: String(n), label: T('dash.days', { n }) })),
  String(state.days),
);
const deptSel = select(
  'tasks.department',
  'department',
  [
    { value: '', label: T('common.all') },
    ...departments.map((d) => ({ value: d.code, label: bi(d.nameZh, d.nameEn) })),
  ],
  state.department,
);
const scenSel = select(
  'tasks.filter.scenario',
  'scenario',
  [{ value: '', label: T('common.all') }, ...SCENARIOS.map((s) => ({ value: s, label: scenarioName(s) }))],
  state.scenario,
);
const caseSearch = h('input', { type: 'search', id: 'case-search', name: 'caseNo', placeholder: 'JB…' });
for (const [sel, key] of [
  [daysSel.input, 'days'],
  [deptSel.input, 'department'],
  [scenSel.input, 'scenario'],
] as const) {
  sel.addEventListener('change', () => {
    (state as any)[key] = key === 'days' ? Number(sel.value) : sel.value;
    void render();
  });
}

const panels = {
  kpis: h('section', { class: 'kpis', id: 'kpis', 'aria-label': t('dash.rates') }),
  slaDept: h('section', { class: 'card', id: 'sla-department' }),
  slaScenario: h('section', { class: 'card', id: 'sla-scenario' }),
  warnings: h('section', { class: 'card', id: 'warnings' }),
  ranking: h('section', { class: 'card', id: 'ranking' }),
  series: h('section', { class: 'card', id: 'series' }),
  diagram: h('section', { class: 'card', id: 'diagram' }),
  reform: h('section', { class: 'card', id: 'reform' }),
  fireLane: h('section', { class: 'card', id: 'fire-lane' }),
  extensions: h('section', { class: 'card', id: 'extensions', 'aria-labelledby': 'extensions-title' }),
};
const canDecide = user.roles.includes('supervisor');
const dialog = h('dialog', { id: 'drill', 'aria-labelledby': 'drill-title' });
main.append(
  h(
    'div',
    { class: 'dash-head' },
    h('h1', null, T('dash.title')),
    h(
      'div',
      { class: 'row dash-filters' },
      daysSel.wrap,
      deptSel.wrap,
      scenSel.wrap,
      h(
        'form',
        {
          class: 'field',
          onsubmit: (e: Event) => (
            e.preventDefault(),
            caseSearch.value.trim() && void openCase(caseSearch.value.trim())
          ),
        },
        h('label', { for: 'case-search' }, T('dash.findCase')),
        caseSearch,
      ),
    ),
  ),
  panels.kpis,
  panels.extensions,
  h('div', { class: 'dash-grid' }, panels.slaDept, panels.slaScenario),
  h('div', { class: 'dash-grid' }, panels.diagram, panels.warnings),
  h('div', { class: 'dash-grid' }, panels.series, panels.ranking),
  h('div', { class: 'dash-grid' }, panels.reform, panels.fireLane),
  dialog,
);

async function panel(el: HTMLElement, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    mount(el, h('div', { class: 'alert error', role: 'alert' }, t('common.error', { detail: errorText(err) })));
  }
}

// ---- KPIs -----------------------------------------------------------------------------------------
async function renderKpis(): Promise<void> {
  const o = await fig('overview');
  const card = (key: StringKey, value: Node | string, cls = '') =>
    h(
      'div',
      { class: `kpi ${cls}` },
      h('div', { class: 'kpi-label' }, T(key)),
      h('div', { class: 'kpi-value' }, value),
    );
  const rateCard = (key: StringKey, r: any, id: string) =>
    h(
      'div',
      { class: 'kpi rate', id },
      h('div', { class: 'kpi-label' }, T(key)),
      h('div', { class: 'kpi-value' }, rate(r)),
      h('div', { class: 'kpi-sub' }, `${r.met} / ${r.total}`),
      h(
        'button',
        {
          type: 'button',
          class: 'link small',
          'data-drill-misses': id,
          onclick: () => void drillDown(r.drillDown, T(key)),
        },
        T('dash.misses'),
      ),
    );
  mount(
    panels.kpis,
    card('dash.created', num(o.created.cases, o.created.drillDown, T('dash.created'))),
    card('dash.open', num(o.open.cases, o.open.drillDown, T('dash.open'))),
    card(
      'dash.yellow',
      num(o.open.dueSoon, `/api/cases?status=${OPEN}&light=yellow${scopeQ()}`, T('dash.yellow')),
      'kpi-yellow',
    ),
    card('dash.red', num(o.open.overdue, `/api/cases?status=${OPEN}&light=red${scopeQ()}`, T('dash.red')), 'kpi-red'),
    card('dash.escalated', String(o.open.escalated)),
    // the server's closed link lists the ones closed late (the resolution rate's misses); this lists them all
    card(
      'dash.closed',
      num(
        o.closed.cases,
        `/api/cases?status=closed&dateField=closed&from=${encodeURIComponent(o.period.from)}${scopeQ()}`,
        T('dash.closed'),
      ),
    ),
    rateCard('dash.rate.response', o.rates.response, 'rate-response'),
    rateCard('dash.rate.resolution', o.rates.resolution, 'rate-resolution'),
    rateCard('dash.rate.satisfaction', o.rates.satisfaction, 'rate-satisfaction'),
  );
}
const scopeQ = () =>
  `${state.department ? `&department=${state.department}` : ''}${state.scenario ? `&scenario=${state.scenario}` : ''}`;

// ---- SLA per department / scenario ----------------------------------------------------------------
async function renderSla(el: HTMLElement, groupBy: 'department' | 'scenario'): Promise<void> {
  const { rows } = await fig<{ rows: any[] }>('sla', { groupBy });
  const label = (key: string) => (groupBy === 'department' ? deptName(key, departments) : scenarioName(key));
  const drill = (key: string, extra: string) =>
    `/api/cases?${groupBy}=${encodeURIComponent(key)}&status=${OPEN}${extra}`;
  const sorted = rows.slice().sort((a, b) => b.overdue - a.overdue || b.dueSoon - a.dueSoon || b.open - a.open);
  mount(
    el,
    h(
      'div',
      { class: 'panel-head' },
      h('h2', null, T(groupBy === 'department' ? 'dash.byDept' : 'dash.byScenario')),
      csvLink('sla', { groupBy }),
    ),
    sorted.length
      ? h(
          'div',
          { class: 'table-wrap scroll' },
          h(
            'table',
            null,
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                h('th', { scope: 'col' }, T(groupBy === 'department' ? 'tasks.department' : 'tasks.filter.scenario')),
                ...(['dash.open', 'dash.yellow', 'dash.red', 'dash.compliance'] as StringKey[]).map((k) =>
                  h('th', { scope: 'col', class: 'num' }, T(k)),
                ),
              ),
            ),
            h(
              'tbody',
              null,
              sorted.map((r) =>
                h(
                  'tr',
                  { 'data-key': r.key },
                  h('th', { scope: 'row' }, label(r.key)),
                  h('td', { class: 'num' }, num(r.open, drill(r.key, ''), label(r.key))),
                  h(
                    'td',
                    { class: 'num' },
                    r.dueSoon
                      ? h(
                          'span',
                          { class: 'badge light-yellow' },
                          num(r.dueSoon, drill(r.key, '&light=yellow'), label(r.key)),
                        )
                      : '0',
                  ),
                  h(
                    'td',
                    { class: 'num' },
                    r.overdue
                      ? h(
                          'span',
                          { class: 'badge light-red' },
                          num(r.overdue, drill(r.key, '&light=red'), label(r.key)),
                        )
                      : '0',
                  ),
                  h('td', { class: 'num' }, pct(r.compliance)),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, T('common.none')),
  );
}

// ---- warnings -------------------------------------------------------------------------------------
async function renderWarnings(): Promise<void> {
  const [yellow, red] = await Promise.all([
    fig('warnings', { light: 'yellow', limit: '50' }),
    fig('warnings', { light: 'red', limit: '50' }),
  ]);
  const list = (w: any, light: 'yellow' | 'red') =>
    h(
      'div',
      { class: 'warn-list', 'data-light': light },
      h(
        'h3',
        null,
        lightBadge(light),
        ' ',
        num(w.tasks.length, w.drillDown, T(`light.${light}` as StringKey)),
        ' ',
        csvLink('warnings', { light }),
      ),
      w.tasks.length
        ? h(
            'ul',
            { class: 'plain' },
            w.tasks
              .slice(0, 12)
              .map((x: any) =>
                h(
                  'li',
                  null,
                  x.caseNo
                    ? h(
                        'button',
                        { type: 'button', class: 'link mono', onclick: () => void openCase(x.caseNo) },
                        x.caseNo,
                      )
                    : null,
                  ' ',
                  x.name,
                  ' · ',
                  deptName(x.department, departments),
                  h(
                    'span',
                    { class: 'muted small' },
                    ` · ${fmtTime(x.dueAt)}`,
                    light === 'red' ? ` (+${Math.round(x.overdueMinutes / 60)}h)` : '',
                  ),
                ),
              ),
          )
        : h('p', { class: 'muted small' }, T('common.none')),
    );
  mount(panels.warnings, h('h2', null, T('dash.warnings')), list(red, 'red'), list(yellow, 'yellow'));
}

// ---- ranking --------------------------------------------------------------------------------------
async function renderRanking(): Promise<void> {
  const { rows } = await fig<{ rows: any[] }>('rankings', { by: 'resolutionRate' });
  mount(
    panels.ranking,
    h('div', { class: 'panel-head' }, h('h2', null, T('dash.ranking')), csvLink('rankings', { by: 'resolutionRate' })),
    rows.length
      ? h(
          'div',
          { class: 'table-wrap scroll' },
          h(
            'table',
            null,
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                [
                  '#',
                  t('tasks.department'),
                  t('dash.cases'),
                  t('dash.red'),
                  t('dash.rate.response'),
                  t('dash.rate.resolution'),
                  t('dash.rate.satisfaction'),
                ].map((c, i) => h('th', { scope: 'col', class: i > 1 ? 'num' : '' }, c)),
              ),
            ),
            h(
              'tbody',
              null,
              rows.map((r) =>
                h(
                  'tr',
                  null,
                  h('td', null, String(r.rank)),
                  h('th', { scope: 'row' }, bi(r.nameZh, r.nameEn)),
                  h('td', { class: 'num' }, num(r.cases, r.drillDown, bi(r.nameZh, r.nameEn))),
                  h('td', { class: 'num' }, String(r.overdue)),
                  h('td', { class: 'num' }, pct(r.responseRate)),
                  h('td', { class: 'num' }, pct(r.resolutionRate)),
                  h('td', { class: 'num' }, pct(r.satisfactionRate)),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, T('common.none')),
  );
}

// ---- time series ----------------------------------------------------------------------------------
let plot: uPlot | null = null;
async function renderSeries(): Promise<void> {
  const metrics = ['created', 'closed', 'overdue'] as const;
  const series = await Promise.all(
    metrics.map((m) =>
      fig<{ points: Array<{ bucket: string; value: number }> }>('timeseries', { metric: m, interval: 'day' }),
    ),
  );
  const buckets = [...new Set(series.flatMap((s) => s.points.map((p) => p.bucket)))].sort();
  const xs = buckets.map((b) => Date.parse(b.length === 10 ? `${b}T00:00:00+08:00` : b) / 1000);
  const ys = series.map((s) => buckets.map((b) => s.points.find((p) => p.bucket === b)?.value ?? 0));
  const chart = h('div', { class: 'chart', id: 'series-chart' });
  mount(
    panels.series,
    h('div', { class: 'panel-head' }, h('h2', null, T('dash.series')), csvLink('timeseries', { metric: 'created' })),
    chart,
  );
  plot?.destroy();
  const width = Math.max(300, panels.series.clientWidth - 34);
  plot = new uPlot(
    {
      width,
      height: 220,
      series: [
        {},
        ...metrics.map((m, i) => ({
          label: t(`dash.metric.${m}` as StringKey),
          stroke: ['#0b5cad', '#1a7f37', '#c62828'][i],
          width: 2,
          fill: i === 2 ? 'rgba(198,40,40,.08)' : undefined,
          points: { show: xs.length < 40 },
        })),
      ],
      axes: [{}, { size: 40 }],
      scales: {
        x: {
          time: true,
          range: () => [Math.floor(Date.now() / 1000) - state.days * 86_400, Math.floor(Date.now() / 1000)],
        },
      },
    },
    [xs, ...ys],
    chart,
  );
}

// ---- BPMN heatmap ---------------------------------------------------------------------------------
let viewer: any = null;
async function renderDiagram(): Promise<void> {
  const picker = select(
    'tasks.filter.scenario',
    'diagram',
    SCENARIOS.map((s) => ({ value: s, label: scenarioName(s) })),
    state.diagram,
  );
  picker.input.addEventListener('change', () => {
    state.diagram = picker.input.value;
    void panel(panels.diagram, renderDiagram);
  });
  const canvas = h('div', { class: 'bpmn', id: 'bpmn-canvas' });
  const legend = h('p', { class: 'muted small' }, T('dash.heat.legend'));
  mount(
    panels.diagram,
    h(
      'div',
      { class: 'panel-head' },
      h('h2', null, T('dash.diagram')),
      picker.wrap,
      csvLink('heatmap', { processId: state.diagram }),
    ),
    canvas,
    legend,
  );
  const [xmlRes, heat] = await Promise.all([
    api<Response>(`/api/processes/${state.diagram}/versions/latest/xml`, {
      raw: true,
      headers: { accept: 'application/xml' },
    }),
    fig<{ elements: any[] }>('heatmap', { processId: state.diagram }),
  ]);
  viewer?.destroy();
  viewer = new NavigatedViewer({ container: canvas });
  await viewer.importXML(await xmlRes.text());
  viewer.get('canvas').zoom('fit-viewport');
  const overlays = viewer.get('overlays');
  const registry = viewer.get('elementRegistry');
  const max = Math.max(1, ...heat.elements.map((e) => e.active + e.overdueOpen));
  for (const e of heat.elements) {
    if (!registry.get(e.elementId)) continue;
    const load = (e.active + e.overdueOpen) / max;
    if (e.active || e.overdueOpen)
      viewer.get('canvas').addMarker(e.elementId, `heat-${load > 0.66 ? 3 : load > 0.33 ? 2 : 1}`);
    overlays.add(e.elementId, {
      position: { top: -12, right: 12 },
      html: `<span class="count-badge" data-element="${e.elementId}" title="active ${e.active} · completed ${e.completed}">${e.active}</span>`,
    });
    if (e.overdue)
      overlays.add(e.elementId, {
        position: { bottom: 8, left: -8 },
        html: `<span class="overdue-badge" title="overdue ${e.overdue} (open ${e.overdueOpen})">⚠ ${e.overdue}</span>`,
      });
  }
}

// ---- reform effect & fire lane --------------------------------------------------------------------
async function renderReform(): Promise<void> {
  const { scenarios } = await fig<{ scenarios: any[] }>('reform-effect');
  const metrics = ['days', 'steps', 'handoffs', 'visits'];
  mount(
    panels.reform,
    h('div', { class: 'panel-head' }, h('h2', null, T('dash.reform')), csvLink('reform-effect')),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        null,
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, T('tasks.filter.scenario')),
            h('th', { scope: 'col', class: 'num' }, T('dash.cases')),
            ...metrics.map((m) => h('th', { scope: 'col', class: 'num' }, T(`dash.reform.${m}` as StringKey))),
          ),
        ),
        h(
          'tbody',
          null,
          scenarios.map((s) =>
            h(
              'tr',
              { 'data-scenario': s.scenario },
              h('th', { scope: 'row' }, scenarioName(s.scenario)),
              h(
                'td',
                { class: 'num' },
                num(s.cases, `/api/cases?scenario=${s.scenario}&status=closed`, scenarioName(s.scenario)),
              ),
              ...metrics.map((m) =>
                h(
                  'td',
                  { class: 'num' },
                  h('div', null, `${s.baseline[m] ?? '—'} → ${s.measured?.[m] ?? '—'}`),
                  s.reduction
                    ? h('div', { class: `reduction ${s.reduction[m] > 0 ? 'good' : ''}` }, `−${s.reduction[m]}%`)
                    : null,
                ),
              ),
            ),
          ),
        ),
      ),
    ),
    h('p', { class: 'muted small' }, T('dash.reform.note')),
  );
}

async function renderFireLane(): Promise<void> {
  const f = await fig('fire-lane');
  const secs = (ms: number | null) =>
    ms == null ? '—' : ms < 60_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 6000) / 10} min`;
  const tile = (key: StringKey, value: Node | string, id: string) =>
    h('div', { class: 'kpi', id }, h('div', { class: 'kpi-label' }, T(key)), h('div', { class: 'kpi-value' }, value));
  mount(
    panels.fireLane,
    h('div', { class: 'panel-head' }, h('h2', null, T('dash.fireLane')), csvLink('fire-lane')),
    h(
      'div',
      { class: 'kpis small-kpis' },
      tile('dash.fl.detections', String(f.detections), 'fl-detections'),
      tile('dash.fl.cases', num(f.cases, f.drillDown, T('dash.fireLane')), 'fl-cases'),
      tile('dash.fl.sms', String(f.smsSent), 'fl-sms'),
      tile('dash.fl.median', secs(f.detectionToSmsMs.p50), 'fl-median'),
      tile('dash.fl.p95', secs(f.detectionToSmsMs.p95), 'fl-p95'),
      tile('dash.fl.left', String(f.leftInGrace), 'fl-left'),
      tile('dash.fl.onsite', String(f.onSite), 'fl-onsite'),
    ),
  );
}

// ---- extension requests (延期审批) ------------------------------------------------------------------
interface Extension {
  id: string;
  taskId: string | null;
  taskName: string | null;
  department: string | null;
  caseId: string | null;
  caseNo: string | null;
  hours: number;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
  dueAt: string | null;
  requestedDueAt: string | null;
  light: string | null;
}

/** Pending extension requests with approve/reject (and a comment), then the latest decisions. */
async function renderExtensions(): Promise<void> {
  const [{ extensions: pending }, { extensions: recent }] = await Promise.all([
    api<{ extensions: Extension[] }>('/api/extensions?status=pending&limit=100'),
    api<{ extensions: Extension[] }>('/api/extensions?limit=20'),
  ]);
  const decided = recent.filter((e) => e.status !== 'pending').slice(0, 5);
  const row = (e: Extension) => {
    const commentId = `ext-comment-${e.id}`;
    const comment = h('input', { type: 'text', id: commentId, name: 'comment', maxlength: 2000, class: 'ext-comment' });
    const out = h('div', { class: 'field-error', role: 'alert' });
    const decide = async (decision: 'approve' | 'reject', btn: HTMLButtonElement) => {
      btn.disabled = true;
      try {
        await api(`/api/extensions/${e.id}/${decision}`, {
          json: comment.value.trim() ? { comment: comment.value.trim() } : {},
        });
        toast(t(decision === 'approve' ? 'ext.approved' : 'ext.rejected', { caseNo: e.caseNo ?? e.id }));
        await panel(panels.extensions, renderExtensions);
        panels.extensions.querySelector<HTMLElement>('#ext-pending button, h2')?.focus();
      } catch (err) {
        out.textContent = errorText(err);
        btn.disabled = false;
      }
    };
    const approve: HTMLButtonElement = h(
      'button',
      {
        type: 'button',
        class: 'primary small-btn',
        'data-action': 'approve',
        onclick: () => void decide('approve', approve),
      },
      T('ext.approve'),
    );
    const reject: HTMLButtonElement = h(
      'button',
      {
        type: 'button',
        class: 'danger small-btn',
        'data-action': 'reject',
        onclick: () => void decide('reject', reject),
      },
      T('ext.reject'),
    );
    return h(
      'tr',
      { 'data-extension-id': e.id, 'data-case-no': e.caseNo ?? '' },
      h(
        'td',
        null,
        e.caseNo
          ? h('button', { type: 'button', class: 'link mono', onclick: () => void openCase(e.caseNo!) }, e.caseNo)
          : '—',
      ),
      h('td', null, e.taskName ?? '—', h('div', { class: 'muted small' }, deptName(e.department, departments))),
      h(
        'td',
        { class: 'small' },
        fmtTime(e.dueAt),
        ' → ',
        h('strong', { class: 'ext-new-due' }, fmtTime(e.requestedDueAt)),
        h('div', { class: 'muted' }, T('ext.hours', { n: e.hours })),
      ),
      h('td', { class: 'small ext-reason' }, e.reason),
      h('td', { class: 'small' }, e.requestedBy, h('div', { class: 'muted' }, fmtTime(e.requestedAt))),
      h('td', null, lightBadge(e.light) ?? '—'),
      canDecide
        ? h(
            'td',
            { class: 'ext-decide' },
            h(
              'label',
              { for: commentId, class: 'visually-hidden' },
              T('ext.comment.for', { caseNo: e.caseNo ?? e.id }),
            ),
            comment,
            h('div', { class: 'row ext-buttons' }, approve, reject),
            out,
          )
        : null,
    );
  };
  const headKeys: StringKey[] = [
    'public.caseNo',
    'ext.task',
    'ext.due',
    'tasks.extension.reason',
    'ext.requestedBy',
    'tasks.filter.light',
    ...(canDecide ? ['ext.comment' as StringKey] : []),
  ];
  mount(
    panels.extensions,
    h(
      'div',
      { class: 'panel-head' },
      h(
        'h2',
        { id: 'extensions-title', tabindex: '-1' },
        T('ext.title'),
        ' ',
        h('span', { class: 'badge prio', id: 'ext-count' }, String(pending.length)),
      ),
    ),
    pending.length
      ? h(
          'div',
          { class: 'table-wrap scroll' },
          h(
            'table',
            { id: 'ext-pending' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                headKeys.map((k) => h('th', { scope: 'col' }, T(k))),
              ),
            ),
            h('tbody', null, pending.map(row)),
          ),
        )
      : h('p', { class: 'muted', id: 'ext-none' }, T('ext.none')),
    decided.length
      ? h(
          'details',
          { class: 'ext-recent' },
          h('summary', null, T('ext.recent')),
          h(
            'ul',
            { class: 'plain small', id: 'ext-decided' },
            decided.map((e) =>
              h(
                'li',
                { 'data-extension-id': e.id, 'data-status': e.status },
                h(
                  'span',
                  { class: `badge ${e.status === 'approved' ? 'light-green' : 'light-red'}` },
                  T(e.status === 'approved' ? 'ext.status.approved' : 'ext.status.rejected'),
                ),
                ' ',
                h('span', { class: 'mono' }, e.caseNo ?? '—'),
                ' · ',
                e.taskName ?? '',
                ' · ',
                T('ext.hours', { n: e.hours }),
                ' · ',
                e.decidedBy ?? '',
                ' ',
                fmtTime(e.decidedAt),
                e.comment ? h('span', { class: 'muted' }, ` · ${e.comment}`) : null,
              ),
            ),
          ),
        )
      : null,
  );
}

// ---- drill-down and the case view -----------------------------------------------------------------
async function drillDown(link: string, title: Node | string): Promise<void> {
  const url = new URL(link, location.origin);
  url.searchParams.set('limit', '100');
  const body = await api<{ cases: any[]; total: number }>(url.pathname + url.search);
  showDialog(
    h(
      'h2',
      { id: 'drill-title' },
      T('dash.drill'),
      ' · ',
      typeof title === 'string' ? title : title.cloneNode(true),
      ` (${body.total})`,
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { id: 'drill-cases' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            [
              t('public.caseNo'),
              t('public.status'),
              t('tasks.filter.scenario'),
              t('public.department'),
              t('public.promised'),
              t('public.description'),
            ].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          null,
          body.cases.map((c) =>
            h(
              'tr',
              { 'data-case-no': c.caseNo },
              h(
                'td',
                null,
                h('button', { type: 'button', class: 'link mono', onclick: () => void openCase(c.caseNo) }, c.caseNo),
              ),
              h('td', null, statusBadge(c.status), ' ', lightBadge(c.sla.light)),
              h('td', null, scenarioName(c.scenario)),
              h('td', null, deptName(c.leadDepartment, departments)),
              h('td', { class: 'small' }, fmtTime(c.sla.dueAt)),
              h('td', { class: 'small clip' }, c.description),
            ),
          ),
        ),
      ),
    ),
  );
}

async function openCase(idOrNo: string): Promise<void> {
  const c = await api<any>(`/api/cases/${encodeURIComponent(idOrNo)}`);
  showDialog(
    h('h2', { id: 'drill-title' }, T('tasks.case'), ' ', h('span', { class: 'mono', id: 'case-view-no' }, c.caseNo)),
    progressLine(c),
    h(
      'div',
      { class: 'grid-2' },
      h(
        'div',
        null,
        h(
          'dl',
          { class: 'kv' },
          h('dt', null, T('public.status')),
          h('dd', null, statusBadge(c.status), ' ', lightBadge(c.sla.light)),
          h('dt', null, T('tasks.filter.scenario')),
          h('dd', null, scenarioName(c.scenario)),
          h('dt', null, T('public.department')),
          h('dd', null, deptName(c.leadDepartment, departments)),
          h('dt', null, T('public.promised')),
          h('dd', null, fmtTime(c.sla.dueAt)),
          h('dt', null, T('public.address')),
          h('dd', null, c.location?.address ?? '—'),
          h('dt', null, T('public.description')),
          h('dd', null, c.description),
          c.reply ? [h('dt', null, T('public.reply')), h('dd', null, c.reply)] : null,
        ),
        h('h3', null, T('tasks.notifications')),
        c.notifications.length
          ? h(
              'ul',
              { class: 'plain', id: 'case-sms' },
              c.notifications.map((n: any) =>
                h(
                  'li',
                  { 'data-template': n.template },
                  h('span', { class: 'muted small' }, `${fmtTime(n.sentAt ?? n.queuedAt)} · ${n.to} · ${n.status}`),
                  h('div', null, n.text),
                ),
              ),
            )
          : h('p', { class: 'muted' }, T('common.none')),
      ),
      h(
        'div',
        null,
        h('h3', null, T('public.timeline')),
        timeline(c.timeline, departments, (e) =>
          e.data && Object.keys(e.data).length ? h('div', { class: 'muted small clip' }, JSON.stringify(e.data)) : null,
        ),
      ),
    ),
  );
}

function showDialog(...children: Node[]): void {
  mount(
    dialog,
    h(
      'div',
      { class: 'dialog-body' },
      h(
        'button',
        { type: 'button', class: 'dialog-close', onclick: () => dialog.close(), 'aria-label': t('common.close') },
        '×',
      ),
      ...children,
    ),
  );
  if (!dialog.open) dialog.showModal();
  dialog.querySelector<HTMLElement>('.dialog-close')?.focus();
}

async function render(): Promise<void> {
  const q = new URLSearchParams();
  if (state.days !== 30) q.set('days', String(state.days));
  if (state.department) q.set('department', state.department);
  if (state.scenario) q.set('scenario', state.scenario);
  history.replaceState(null, '', `/dashboard${q.size ? `?${q}` : ''}`);
  await Promise.all([
    panel(panels.kpis, renderKpis),
    panel(panels.slaDept, () => renderSla(panels.slaDept, 'department')),
    panel(panels.slaScenario, () => renderSla(panels.slaScenario, 'scenario')),
    panel(panels.warnings, renderWarnings),
    panel(panels.ranking, renderRanking),
    panel(panels.series, renderSeries),
    panel(panels.diagram, renderDiagram),
    panel(panels.reform, renderReform),
    panel(panels.fireLane, renderFireLane),
    panel(panels.extensions, renderExtensions),
  ]);
  document.body.dataset.ready = 'true';
}

onLang(() => void panel(panels.series, renderSeries));
await render();
