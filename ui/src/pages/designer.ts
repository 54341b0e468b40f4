/**
 * `/designer`: the Camunda 8 modeler (camunda-bpmn-js cloud Modeler: palette, Zeebe properties
 * panel) with live lint (@camunda/linting), the deployed processes and their versions, save &
 * deploy with the server's lint results per element, and .form upload. Its own page and bundle.
 */
import 'camunda-bpmn-js/dist/assets/camunda-cloud-modeler.css';
import '@camunda/linting/assets/linting.css';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import '../styles.css';
import './designer.css';
import { Form } from '@bpmn-io/form-js-viewer';
import { Linter } from '@camunda/linting';
import lintingModule from '@camunda/linting/modeler';
import Modeler from 'camunda-bpmn-js/lib/camunda-cloud/Modeler';
import { api, ApiError, requireUser } from '../lib/api';
import { download, fmtTime, h, mount } from '../lib/dom';
import { T, t } from '../lib/i18n';
import { errorText, shell, toast } from '../lib/shell';

const EMPTY = (id: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_${id}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="OneMatter" exporterVersion="1" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.7.0">
  <bpmn:process id="${id}" name="${id}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="${id}">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="180" y="160" width="36" height="36" /></bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;

interface ProcessRow {
  bpmnProcessId: string;
  name?: string | null;
  latestVersion?: number;
  version?: number;
}
interface VersionRow {
  version: number;
  key?: string;
  processDefinitionKey?: string;
  deployedAt?: string;
  resourceName?: string;
}
interface LintEntry {
  id?: string;
  elementId?: string;
  message: string;
  rule?: string;
  category?: string;
}

const user = await requireUser();
const main = shell({ current: '/designer', titleKey: 'designer.title', user, wide: true });

const canvasEl = h('div', { class: 'designer-canvas', id: 'canvas' });
const panelEl = h('div', { class: 'designer-panel', id: 'properties' });
const processList = h('ul', { class: 'proc-list', id: 'process-list' });
const versionList = h('ul', { class: 'proc-list', id: 'version-list' });
const lintList = h('div', { class: 'lint-list', id: 'lint', 'aria-live': 'polite' });
const serverLintList = h('div', { class: 'lint-list', id: 'server-lint', 'aria-live': 'polite' });
const currentLabel = h('span', { id: 'current', class: 'muted small' });
const formsBox = h('div', { id: 'forms' });
const uploadInput = h('input', { type: 'file', id: 'upload', accept: '.bpmn,.xml,.form,application/json', multiple: true, class: 'visually-hidden' });
const deployBtn = h('button', { type: 'button', class: 'primary', id: 'deploy', onclick: () => void deploy() }, T('designer.deploy'));

let current: { id: string; version: number | null } = { id: '', version: null };
/** .form files uploaded in this session, deployed together with the diagram. */
const pendingForms = new Map<string, string>();

main.append(
  h(
    'div',
    { class: 'designer' },
    h(
      'aside',
      { class: 'designer-side', 'aria-label': t('designer.processes') },
      h('h1', { class: 'visually-hidden' }, T('designer.title')),
      h('div', { class: 'row' }, deployBtn, h('button', { type: 'button', id: 'download', onclick: () => void saveFile() }, T('designer.download'))),
      h('div', { class: 'row', style: { marginTop: '6px' } },
        h('label', { for: 'upload', class: 'button', style: { margin: 0, fontWeight: 400 }, tabindex: '0', onkeydown: (e: KeyboardEvent) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), uploadInput.click()) }, T('designer.upload')),
        uploadInput,
        h('button', { type: 'button', id: 'new-process', onclick: () => void newProcess() }, T('designer.new')),
      ),
      h('p', null, currentLabel),
      h('h2', null, T('designer.processes')),
      processList,
      h('h2', null, T('designer.versions')),
      versionList,
      h('h2', null, T('designer.forms')),
      formsBox,
    ),
    h('section', { class: 'designer-main', 'aria-label': 'BPMN' }, canvasEl,
      h('div', { class: 'designer-lint' },
        h('div', null, h('h2', null, T('designer.lint')), lintList),
        h('div', null, h('h2', null, T('designer.lint.server')), serverLintList),
      ),
    ),
    panelEl,
  ),
);

const modeler = new Modeler({ container: canvasEl, propertiesPanel: { parent: panelEl }, additionalModules: [lintingModule], linting: { active: true }, keyboard: { bindTo: document } });
const linter = new Linter({ modeler: 'web', type: 'cloud' });
(window as any).__modeler = modeler; // for the browser tests and the console

async function lint(): Promise<void> {
  const definitions = modeler.getDefinitions();
  if (!definitions) return;
  const reports = await linter.lint(definitions);
  modeler.get('linting').setErrors(reports);
  renderLint(lintList, reports);
}
let lintTimer: ReturnType<typeof setTimeout> | undefined;
modeler.on(['import.done', 'elements.changed'], () => {
  clearTimeout(lintTimer);
  lintTimer = setTimeout(() => void lint(), 150);
});

function renderLint(target: HTMLElement, entries: LintEntry[]): void {
  if (!entries.length) return mount(target, h('p', { class: 'muted small' }, T('designer.lint.ok')));
  mount(
    target,
    h(
      'ul',
      null,
      entries.map((r) => {
        const id = r.id ?? r.elementId ?? '';
        return h(
          'li',
          { class: `lint-${r.category ?? 'error'}`, 'data-element-id': id, 'data-rule': r.rule ?? '' },
          h('button', { type: 'button', class: 'link', onclick: () => selectElement(id) }, id || '—'),
          ' ',
          r.message,
          r.rule ? h('span', { class: 'muted small' }, ` (${r.rule})`) : null,
        );
      }),
    ),
  );
}

function selectElement(id: string): void {
  const el = modeler.get('elementRegistry').get(id);
  if (!el) return;
  modeler.get('canvas').scrollToElement(el);
  modeler.get('selection').select(el);
}

/** Server lint results also go on the canvas, next to the element they are about. */
function showServerLint(entries: LintEntry[]): void {
  const overlays = modeler.get('overlays');
  overlays.remove({ type: 'server-lint' });
  renderLint(serverLintList, entries);
  for (const e of entries) {
    const id = e.id ?? e.elementId;
    if (!id || !modeler.get('elementRegistry').get(id)) continue;
    overlays.add(id, 'server-lint', { position: { top: -14, left: -14 }, html: `<span class="server-lint-badge" title="${e.message.replace(/"/g, '&quot;')}">!</span>` });
  }
}

async function openXml(xml: string, id: string, version: number | null): Promise<void> {
  const { warnings } = await modeler.importXML(xml);
  if (warnings?.length) console.warn('import warnings', warnings);
  modeler.get('canvas').zoom('fit-viewport');
  current = { id, version };
  currentLabel.textContent = t('designer.current', { id, version: version == null ? t('designer.unsaved') : t('designer.version', { version }) });
  showServerLint([]);
  for (const li of processList.querySelectorAll('li')) li.classList.toggle('active', li.dataset.id === id);
  for (const li of versionList.querySelectorAll('li')) li.classList.toggle('active', Number(li.dataset.version) === version);
}

async function loadProcesses(): Promise<ProcessRow[]> {
  const body = await api<any>('/api/processes');
  const rows: ProcessRow[] = body.processes ?? body;
  mount(
    processList,
    rows.map((p) =>
      h('li', { 'data-id': p.bpmnProcessId },
        h('button', { type: 'button', class: 'link', onclick: () => void openProcess(p.bpmnProcessId) }, p.bpmnProcessId),
        h('span', { class: 'muted small' }, ` v${p.latestVersion ?? p.version ?? '?'}`, p.name ? ` · ${p.name}` : ''),
      ),
    ),
  );
  return rows;
}

async function openProcess(id: string, version?: number): Promise<void> {
  const body = await api<any>(`/api/processes/${encodeURIComponent(id)}/versions`);
  const versions: VersionRow[] = (body.versions ?? body).slice().sort((a: VersionRow, b: VersionRow) => b.version - a.version);
  mount(
    versionList,
    versions.map((v) =>
      h('li', { 'data-version': String(v.version) },
        h('button', { type: 'button', class: 'link', onclick: () => void openVersion(id, v.version) }, t('designer.version', { version: v.version })),
        v.deployedAt ? h('span', { class: 'muted small' }, ` ${fmtTime(v.deployedAt)}`) : null,
      ),
    ),
  );
  await openVersion(id, version ?? versions[0]?.version);
}

async function openVersion(id: string, version: number): Promise<void> {
  const res = await api<Response>(`/api/processes/${encodeURIComponent(id)}/versions/${version}/xml`, { raw: true, headers: { accept: 'application/xml, application/json' } });
  const type = res.headers.get('content-type') ?? '';
  const xml = type.includes('json') ? (await res.json()).xml : await res.text();
  await openXml(xml, id, version);
}

async function newProcess(): Promise<void> {
  const id = prompt(t('designer.new'), 'new-process');
  if (!id || !/^[A-Za-z_][\w.-]*$/.test(id)) return;
  mount(versionList);
  await openXml(EMPTY(id), id, null);
}

async function saveFile(): Promise<void> {
  const { xml } = await modeler.saveXML({ format: true });
  download(`${current.id || 'process'}.bpmn`, xml, 'application/xml');
}

async function deploy(): Promise<void> {
  deployBtn.disabled = true;
  try {
    const { xml } = await modeler.saveXML({ format: true });
    const resources = [{ name: `${current.id || 'process'}.bpmn`, content: xml }, ...[...pendingForms].map(([name, content]) => ({ name, content }))];
    const body = await api<any>('/api/processes', { json: { resources } });
    const lintEntries: LintEntry[] = body.lint ?? body.warnings ?? [];
    showServerLint(lintEntries);
    const deployed = (body.processes ?? [body]).find((p: any) => p.bpmnProcessId === current.id) ?? body.processes?.[0] ?? body;
    toast(t('designer.deployed', { id: deployed.bpmnProcessId ?? current.id, version: deployed.version ?? '?' }));
    pendingForms.clear();
    await loadProcesses();
    await openProcess(deployed.bpmnProcessId ?? current.id, deployed.version);
    showServerLint(lintEntries);
  } catch (err) {
    if (err instanceof ApiError) showServerLint(err.body?.lint ?? err.body?.errors?.filter((e: any) => e.id || e.elementId) ?? []);
    toast(t('designer.deployFailed', { detail: errorText(err) }), 'error');
  } finally {
    deployBtn.disabled = false;
  }
}

uploadInput.addEventListener('change', async () => {
  for (const file of Array.from(uploadInput.files ?? [])) {
    const text = await file.text();
    if (/\.form$/i.test(file.name) || text.trimStart().startsWith('{')) {
      try {
        const schema = JSON.parse(text);
        pendingForms.set(file.name, text);
        previewForm(file.name, schema);
      } catch (err) {
        toast(`${file.name}: ${errorText(err)}`, 'error');
      }
    } else {
      const id = /<bpmn:process[^>]*\sid="([^"]+)"/.exec(text)?.[1] ?? file.name.replace(/\.\w+$/, '');
      await openXml(text, id, null);
    }
  }
  uploadInput.value = '';
});

function previewForm(name: string, schema: any): void {
  const container = h('div', { class: 'form-preview' });
  formsBox.append(h('div', { class: 'card', 'data-form': name }, h('strong', null, name), h('span', { class: 'muted small' }, ` id=${schema.id ?? '—'}`), h('h3', null, T('designer.form.preview')), container));
  new Form({ container }).importSchema(schema, {}).catch((err: unknown) => toast(`${name}: ${errorText(err)}`, 'error'));
}

try {
  const rows = await loadProcesses();
  const wanted = new URLSearchParams(location.search).get('process');
  const first = rows.find((r) => r.bpmnProcessId === wanted) ?? rows[0];
  if (first) await openProcess(first.bpmnProcessId);
  else await openXml(EMPTY('new-process'), 'new-process', null);
} catch (err) {
  toast(t('common.error', { detail: errorText(err) }), 'error');
  await openXml(EMPTY('new-process'), 'new-process', null);
}
