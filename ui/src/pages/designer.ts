/**
 * `/designer`: the Camunda 8 modeler (camunda-bpmn-js cloud Modeler: palette, Zeebe properties
 * panel) with live lint (@camunda/linting), the deployed processes and their versions, save &
 * deploy with the server's lint results per element, .form upload, and a form editor
 * (@bpmn-io/form-js-editor 1.23.0, a lazily loaded chunk) whose schemas the task page's
 * form-js-viewer 2.0.0 renders. Its own page and bundle.
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
import { formI18nModule, localizeFormDom } from '../lib/form-i18n';
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
  id: string;
  name: string | null;
  latestVersion: number;
  versions: number;
}
interface VersionRow {
  id: string;
  version: number;
  deployedAt: string;
  deployedBy: string;
  resourceName: string;
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
const uploadInput = h('input', {
  type: 'file',
  id: 'upload',
  accept: '.bpmn,.xml,.form,application/json',
  multiple: true,
  class: 'visually-hidden',
});
const deployBtn = h(
  'button',
  { type: 'button', class: 'primary', id: 'deploy', onclick: () => void deploy() },
  T('designer.deploy'),
);

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
      h(
        'div',
        { class: 'row' },
        deployBtn,
        h('button', { type: 'button', id: 'download', onclick: () => void saveFile() }, T('designer.download')),
      ),
      h(
        'div',
        { class: 'row', style: { marginTop: '6px' } },
        h(
          'label',
          {
            for: 'upload',
            class: 'button',
            style: { margin: 0, fontWeight: 400 },
            tabindex: '0',
            onkeydown: (e: KeyboardEvent) =>
              (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), uploadInput.click()),
          },
          T('designer.upload'),
        ),
        uploadInput,
        h('button', { type: 'button', id: 'new-process', onclick: () => void newProcess() }, T('designer.new')),
      ),
      h('p', null, currentLabel),
      h('h2', null, T('designer.processes')),
      processList,
      h('h2', null, T('designer.versions')),
      versionList,
      h('h2', null, T('designer.forms')),
      h(
        'button',
        { type: 'button', id: 'new-form', class: 'small-btn', onclick: () => void openFormEditor(EMPTY_FORM()) },
        T('designer.form.new'),
      ),
      formsBox,
    ),
    h(
      'section',
      { class: 'designer-main', 'aria-label': 'BPMN' },
      canvasEl,
      h(
        'div',
        { class: 'designer-lint' },
        h('div', null, h('h2', null, T('designer.lint')), lintList),
        h('div', null, h('h2', null, T('designer.lint.server')), serverLintList),
      ),
    ),
    panelEl,
  ),
);

const modeler = new Modeler({
  container: canvasEl,
  propertiesPanel: { parent: panelEl },
  additionalModules: [lintingModule],
  linting: { active: true },
});
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
    overlays.add(id, 'server-lint', {
      position: { top: -14, left: -14 },
      html: `<span class="server-lint-badge" title="${e.message.replace(/"/g, '&quot;')}">!</span>`,
    });
  }
}

async function openXml(xml: string, id: string, version: number | null): Promise<void> {
  const { warnings } = await modeler.importXML(xml);
  if (warnings?.length) console.warn('import warnings', warnings);
  const canvas = modeler.get('canvas');
  canvas.zoom('fit-viewport');
  canvas.zoom(canvas.zoom() * 0.85, 'auto');
  current = { id, version };
  currentLabel.textContent = t('designer.current', {
    id,
    version: version == null ? t('designer.unsaved') : t('designer.version', { version }),
  });
  showServerLint([]);
  for (const li of processList.querySelectorAll('li')) li.classList.toggle('active', li.dataset.id === id);
  for (const li of versionList.querySelectorAll('li'))
    li.classList.toggle('active', Number(li.dataset.version) === version);
}

async function loadProcesses(): Promise<ProcessRow[]> {
  const { processes: rows } = await api<{ processes: ProcessRow[] }>('/api/processes');
  mount(
    processList,
    rows.map((p) =>
      h(
        'li',
        { 'data-id': p.id, class: p.id === current.id ? 'active' : '' },
        h('button', { type: 'button', class: 'link', onclick: () => void openProcess(p.id) }, p.id),
        h('span', { class: 'muted small' }, ` v${p.latestVersion}`, p.name ? ` · ${p.name}` : ''),
      ),
    ),
  );
  void loadForms();
  return rows;
}

async function openProcess(id: string, version?: number): Promise<void> {
  const body = await api<{ versions: VersionRow[] }>(`/api/processes/${encodeURIComponent(id)}/versions`);
  const versions = body.versions.slice().sort((a, b) => b.version - a.version);
  mount(
    versionList,
    versions.map((v) =>
      h(
        'li',
        { 'data-version': String(v.version) },
        h(
          'button',
          { type: 'button', class: 'link', onclick: () => void openVersion(id, v.version) },
          t('designer.version', { version: v.version }),
        ),
        h('span', { class: 'muted small' }, ` ${fmtTime(v.deployedAt)} · ${v.deployedBy}`),
      ),
    ),
  );
  await openVersion(id, version ?? versions[0]?.version);
}

async function openVersion(id: string, version: number): Promise<void> {
  const res = await api<Response>(`/api/processes/${encodeURIComponent(id)}/versions/${version}/xml`, {
    raw: true,
    headers: { accept: 'application/xml' },
  });
  await openXml(await res.text(), id, version);
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
    // Forms first, so the model's zeebe:formId finds them deployed.
    for (const [name, content] of pendingForms) {
      await upload(name, content, 'application/json');
      pendingForms.delete(name);
    }
    const { xml } = await modeler.saveXML({ format: true });
    const body = await upload(`${current.id || 'process'}.bpmn`, xml, 'application/xml');
    const deployed = body.deployed.find((p: VersionRow) => p.id === current.id) ?? body.deployed[0];
    toast(t('designer.deployed', { id: deployed.id, version: deployed.version }));
    current = { id: deployed.id, version: deployed.version };
    await loadProcesses();
    await openProcess(deployed.id, deployed.version);
    showServerLint(body.warnings);
  } catch (err) {
    if (err instanceof ApiError) showServerLint(err.body?.lint?.errors ?? []);
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

/** One file to POST /api/processes (multipart `file`): linted and deployed by the server. */
function upload(name: string, content: string, type: string): Promise<any> {
  const data = new FormData();
  data.append('file', new Blob([content], { type }), name);
  return api('/api/processes', { body: data });
}

/** The deployed forms (.form): preview with form-js, or edit in the form editor. */
async function loadForms(): Promise<void> {
  const { processes: forms } = await api<{ processes: ProcessRow[] }>('/api/processes?kind=form');
  const fetchForm = async (id: string) =>
    JSON.parse(
      await (
        await api<Response>(`/api/processes/${encodeURIComponent(id)}/versions/latest/xml?kind=form`, { raw: true })
      ).text(),
    );
  const list = h(
    'ul',
    { class: 'proc-list', id: 'form-list' },
    forms.map((f) =>
      h(
        'li',
        { 'data-form-id': f.id },
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            onclick: async () => {
              formsBox.querySelectorAll('.card').forEach((c) => c.remove());
              previewForm(`${f.id} v${f.latestVersion}`, await fetchForm(f.id));
            },
          },
          f.id,
        ),
        h('span', { class: 'muted small' }, ` v${f.latestVersion} `),
        h(
          'button',
          {
            type: 'button',
            class: 'link small',
            'data-edit-form': f.id,
            'aria-label': t('designer.form.editOne', { id: f.id }),
            onclick: async () => void openFormEditor(await fetchForm(f.id)),
          },
          T('designer.form.edit'),
        ),
      ),
    ),
  );
  formsBox.querySelector('#form-list')?.remove();
  formsBox.prepend(list);
}

function previewForm(name: string, schema: any): void {
  const container = h('div', { class: 'form-preview' });
  formsBox.append(
    h(
      'div',
      { class: 'card', 'data-form': name },
      h('strong', null, name),
      h('span', { class: 'muted small' }, ` id=${schema.id ?? '—'}`),
      h('h3', null, T('designer.form.preview')),
      container,
    ),
  );
  localizeFormDom(container);
  new Form({ container, additionalModules: [formI18nModule] } as any)
    .importSchema(schema, {})
    .catch((err: unknown) => toast(`${name}: ${errorText(err)}`, 'error'));
}

// ---- the form editor (@bpmn-io/form-js-editor, loaded on first use) --------------------------------
const EMPTY_FORM = () => ({ type: 'default', id: 'new-form', schemaVersion: 19, components: [] as unknown[] });
let formDialog: HTMLDialogElement | null = null;

async function openFormEditor(schema: any): Promise<void> {
  // The editor (and its CSS) is a chunk of its own: only opening it downloads it.
  const [{ FormEditor }] = await Promise.all([
    import('@bpmn-io/form-js-editor'),
    import('@bpmn-io/form-js-editor/dist/assets/form-js-editor.css'),
  ]);
  formDialog?.remove();
  const editorEl = h('div', { class: 'form-editor', id: 'form-editor' });
  const previewEl = h('div', { class: 'form-editor-preview', id: 'form-editor-preview', hidden: true });
  const idInput = h('input', {
    type: 'text',
    id: 'form-id',
    name: 'formId',
    value: schema.id ?? 'new-form',
    pattern: '[A-Za-z_][\\w.-]*',
    required: true,
  });
  const status = h('div', { role: 'status', id: 'form-editor-status', class: 'small' });
  const editor = new FormEditor({ container: editorEl });
  (window as any).__formEditor = editor; // for the browser tests and the console
  const tab = (id: string, key: 'designer.form.editTab' | 'designer.form.preview', onSelect: () => void) =>
    h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id,
        'aria-selected': String(id === 'tab-form-edit'),
        'aria-controls': id === 'tab-form-edit' ? 'form-editor' : 'form-editor-preview',
        onclick: onSelect,
      },
      T(key),
    );
  const select = (preview: boolean) => {
    for (const b of dialog.querySelectorAll<HTMLButtonElement>('[role=tab]'))
      b.setAttribute('aria-selected', String((b.id === 'tab-form-preview') === preview));
    editorEl.hidden = preview;
    previewEl.hidden = !preview;
    if (preview) {
      // What a clerk sees: the task page's viewer (form-js-viewer 2.0.0) renders the editor's schema.
      mount(previewEl);
      localizeFormDom(previewEl);
      new Form({ container: previewEl, additionalModules: [formI18nModule] } as any)
        .importSchema(editor.saveSchema(), {})
        .catch((err: unknown) => mount(previewEl, h('div', { class: 'alert error', role: 'alert' }, errorText(err))));
    }
  };
  const deployForm = async (btn: HTMLButtonElement) => {
    if (!idInput.checkValidity()) return mount(status, h('span', { class: 'field-error' }, T('designer.form.badId')));
    btn.disabled = true;
    try {
      const out = { ...editor.saveSchema(), id: idInput.value.trim() };
      await upload(`${out.id}.form`, JSON.stringify(out, null, 2), 'application/json');
      mount(status, h('span', { class: 'alert ok', id: 'form-deployed' }, T('designer.form.deployed', { id: out.id })));
      toast(t('designer.form.deployed', { id: out.id }));
      await loadForms();
    } catch (err) {
      mount(
        status,
        h('span', { class: 'field-error', role: 'alert' }, t('designer.deployFailed', { detail: errorText(err) })),
      );
    } finally {
      btn.disabled = false;
    }
  };
  const deployBtn: HTMLButtonElement = h(
    'button',
    { type: 'button', class: 'primary', id: 'form-deploy', onclick: () => void deployForm(deployBtn) },
    T('designer.form.deploy'),
  );
  const dialog = h(
    'dialog',
    { class: 'form-editor-dialog', id: 'form-editor-dialog', 'aria-labelledby': 'form-editor-title' },
    h(
      'div',
      { class: 'form-editor-head' },
      h('h2', { id: 'form-editor-title' }, T('designer.form.editor')),
      h('div', { class: 'field' }, h('label', { for: 'form-id' }, T('designer.form.id')), idInput),
      h(
        'div',
        { class: 'tabs', role: 'tablist', 'aria-label': t('designer.form.editor') },
        tab('tab-form-edit', 'designer.form.editTab', () => select(false)),
        tab('tab-form-preview', 'designer.form.preview', () => select(true)),
      ),
      h('span', { class: 'spacer' }),
      deployBtn,
      h('button', { type: 'button', id: 'form-editor-close', onclick: () => dialog.close() }, T('common.close')),
    ),
    status,
    editorEl,
    previewEl,
  );
  dialog.addEventListener('close', () => {
    editor.destroy();
    dialog.remove();
    formDialog = null;
  });
  formDialog = dialog;
  document.body.append(dialog);
  dialog.showModal();
  await editor.importSchema(schema);
  idInput.focus();
}

try {
  const rows = await loadProcesses();
  const wanted = new URLSearchParams(location.search).get('process');
  const first = rows.find((r) => r.id === wanted) ?? rows[0];
  if (first) await openProcess(first.id);
  else await openXml(EMPTY('new-process'), 'new-process', null);
} catch (err) {
  toast(t('common.error', { detail: errorText(err) }), 'error');
  await openXml(EMPTY('new-process'), 'new-process', null);
}
