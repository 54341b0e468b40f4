/**
 * Catalog and process endpoints over HTTP: admin CRUD validated like import rows, file import with
 * a row-level error report and a dry run, CSV/XLSX export, and process upload (lint errors per
 * element → 400, a changed model → version 2, forms).
 */
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PROCESSES_DIR } from '../../domain/processes/deploy';
import type { TestClient } from '../server/helpers/app';
import { startApiPlatform, type ApiPlatform } from './helpers';
import { nestedSubprocesses } from '../engine/fixtures-limits';

/** POSTs a multipart form with one file, as a browser's <input type=file> would. */
async function upload(
  c: TestClient,
  url: string,
  file: { name: string; data: string | Buffer; type: string },
  fields: Record<string, string> = {},
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file.data], { type: file.type }), file.name);
  const res = await fetch(c.baseUrl + url, {
    method: 'POST',
    body: form,
    headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': c.csrfToken ?? '' },
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text,
  };
}

const HEADER =
  'code,matter,name_zh,description,lead_department,collaborators,scenario,sla_working_hours,response_hours,keywords,active,sort';

describe('catalog and processes over HTTP', () => {
  let p: ApiPlatform;
  let admin: TestClient;
  let matter: string;
  beforeAll(async () => {
    p = await startApiPlatform();
    admin = await p.as('admin');
    matter = (await p.h.db('catalog_matter').orderBy('code').first('code')).code;
  }, 60_000);
  afterAll(() => p.stop());

  test('lists are public; CRUD is for admins and validated like an import row', async () => {
    // given the seeded sample catalog
    const categories = await p.anonymous().get('/api/catalog/categories');
    expect(categories.body.categories).toHaveLength(12);
    const matters = await p.anonymous().get(`/api/catalog/matters?category=${categories.body.categories[0].code}`);
    expect(matters.body.matters.length).toBeGreaterThan(0);

    // when an admin creates a situation with an unknown department, then a good one, then changes it
    const bad = await admin.post('/api/catalog/situations', {
      code: 'T-API-1',
      matter,
      name_zh: '测试情形',
      lead_department: 'no-such-dept',
      sla_working_hours: 16,
      response_hours: 4,
    });
    const good = await admin.post('/api/catalog/situations', {
      code: 'T-API-1',
      matter,
      name_zh: '测试情形',
      lead_department: 'housing',
      collaborators: ['market'],
      sla_working_hours: 16,
      response_hours: 4,
      keywords: ['测试'],
    });
    const again = await admin.post('/api/catalog/situations', {
      code: 'T-API-1',
      matter,
      name_zh: '测试情形',
      lead_department: 'housing',
      sla_working_hours: 16,
      response_hours: 4,
    });
    const changed = await admin.patch('/api/catalog/situations/T-API-1', { sla_working_hours: 24, active: false });
    const byClerk = await (await p.as('clerk.housing')).post('/api/catalog/categories', { code: 'X', name_zh: 'x' });

    // then
    expect(bad.status).toBe(422);
    expect(bad.body.rowErrors).toEqual([expect.objectContaining({ sheet: 'situations', column: 'lead_department' })]);
    expect(good.status).toBe(201);
    expect(good.body).toMatchObject({
      code: 'T-API-1',
      lead_department: 'housing',
      collaborators: ['market'],
      active: true,
    });
    expect(again.status).toBe(409);
    expect(changed.body).toMatchObject({ sla_working_hours: 24, active: false, name_zh: '测试情形' });
    expect(byClerk.status).toBe(403);
    const listed = await p.anonymous().get('/api/catalog/situations?q=T-API&active=false');
    expect(listed.body.situations.map((s: any) => s.code)).toEqual(['T-API-1']);

    // and a matter with situations cannot be deleted, an unused situation can
    expect((await admin.delete(`/api/catalog/matters/${matter}`)).status).toBe(409);
    expect((await admin.delete('/api/catalog/situations/T-API-1')).status).toBe(204);
    expect((await admin.delete('/api/catalog/situations/T-API-1')).status).toBe(404);
  });

  test('import reports row-level errors, dry-runs without writing, then imports; export round-trips', async () => {
    // given a CSV with two bad rows and one good one
    const bad = [
      HEADER,
      `T-IMP-1,${matter},好行,,housing,market,,16,4,甲;乙,true,1`,
      `T-IMP-2,${matter},坏部门,,nowhere,,,16,4,,true,2`,
      `T-IMP-3,NO-MATTER,坏事项,,housing,,,abc,4,,true,3`,
    ].join('\n');
    const good = [HEADER, `T-IMP-1,${matter},好行,,housing,market,,16,4,甲;乙,true,1`].join('\n');

    // when it is uploaded (multipart), a good one dry-run (raw body), then imported for real
    const report = await upload(admin, '/api/catalog/import', { name: 'situations.csv', data: bad, type: 'text/csv' });
    const dry = await admin.request('POST', '/api/catalog/import?sheet=situations&dryRun=true', {
      body: good,
      headers: { 'content-type': 'text/csv' },
    });
    const afterDry = await p.h.db('catalog_situation').where({ code: 'T-IMP-1' }).first();
    const real = await upload(
      admin,
      '/api/catalog/import',
      { name: 'my-situations.csv', data: good, type: 'text/csv' },
      { sheet: 'situations' },
    );

    // then the report points at every bad cell, and only the real import wrote
    expect(report.status).toBe(422);
    const cells = report.body.rowErrors.map((e: any) => `${e.row}:${e.column}`).sort();
    expect(cells).toEqual(expect.arrayContaining(['3:lead_department', '4:matter', '4:sla_working_hours']));
    expect(report.body.errors[0].field).toMatch(/^situations\[\d+\]\./);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ ok: true, dryRun: true, rows: 1, changed: { situations: 1 } });
    expect(afterDry).toBeUndefined();
    expect(real.status).toBe(200);
    expect(real.body).toMatchObject({ ok: true, dryRun: false, changed: { situations: 1 } });
    expect((await p.h.db('catalog_situation').where({ code: 'T-IMP-1' }).first()).lead_department).toBe('housing');

    // and the export carries it, as CSV and as an XLSX workbook that imports unchanged
    const csv = await admin.get('/api/catalog/export?format=csv&sheet=situations');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.text).toContain('T-IMP-1');
    const xlsx = await fetch(`${admin.baseUrl}/api/catalog/export?format=xlsx`, {
      headers: { cookie: `om_session=${admin.cookies.get('om_session')}` },
    });
    const workbook = Buffer.from(await xlsx.arrayBuffer());
    expect(workbook.subarray(0, 2).toString()).toBe('PK');
    const reimport = await upload(admin, '/api/catalog/import?dryRun=true', {
      name: 'catalog.xlsx',
      data: workbook,
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    expect(reimport.status).toBe(200);
    expect(reimport.body.changed).toEqual({
      categories: 0,
      matters: 0,
      situations: 0,
      scenarioNodes: 0,
      oneMatterLists: 0,
    });
  });

  test('process upload: lint errors per element → 400; a changed model deploys as version 2; versions and XML', async () => {
    const designer = await p.as('designer');
    // given the shipped models were deployed at start (version 1)
    const before = (await designer.get('/api/processes')).body.processes;
    expect(before.find((x: any) => x.id === 'fire-lane')).toMatchObject({ latestVersion: 1, versions: 1 });

    // when a model with a service task without a job type is uploaded
    const broken = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0">
  <bpmn:process id="lint-bad" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work" name="no job type" />
  </bpmn:process>
</bpmn:definitions>`;
    const rejected = await upload(designer, '/api/processes', {
      name: 'lint-bad.bpmn',
      data: broken,
      type: 'application/xml',
    });
    const notXml = await designer.request('POST', '/api/processes?filename=x.bpmn', {
      body: 'not xml at all',
      headers: { 'content-type': 'application/xml' },
    });

    // then nothing is deployed and the errors name the element
    expect(rejected.status).toBe(400);
    expect(rejected.body.lint.errors.map((e: any) => e.elementId)).toContain('work');
    expect(rejected.body.errors.some((e: any) => e.field === 'work')).toBe(true);
    expect(notXml.status).toBe(400);
    expect((await designer.get('/api/processes/lint-bad/versions')).status).toBe(404);

    // when the fire-lane model is changed and uploaded (raw body), and uploaded again unchanged
    const xml = fs
      .readFileSync(path.join(PROCESSES_DIR, 'fire-lane.bpmn'), 'utf8')
      .replace(/(<bpmn:process id="fire-lane"[^>]*name=")[^"]*"/, '$1消防通道堵塞治理 v2"');
    const v2 = await designer.request('POST', '/api/processes?filename=fire-lane.bpmn', {
      body: xml,
      headers: { 'content-type': 'application/xml' },
    });
    const same = await upload(designer, '/api/processes', {
      name: 'fire-lane.bpmn',
      data: xml,
      type: 'application/xml',
    });

    // then version 2 exists, with warnings only, and the unchanged upload is a duplicate
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({
      kind: 'bpmn',
      duplicate: false,
      deployed: [
        expect.objectContaining({ id: 'fire-lane', version: 2, deployedBy: 'designer', name: '消防通道堵塞治理 v2' }),
      ],
    });
    expect(Array.isArray(v2.body.warnings)).toBe(true);
    expect(same.body).toMatchObject({ duplicate: true, deployed: [expect.objectContaining({ version: 2 })] });
    const versions = (await designer.get('/api/processes/fire-lane/versions')).body.versions;
    expect(versions.map((v: any) => v.version)).toEqual([2, 1]);
    expect((await designer.get('/api/processes')).body.processes.find((x: any) => x.id === 'fire-lane')).toMatchObject({
      latestVersion: 2,
      versions: 2,
    });
    const source = await (await p.as('supervisor')).get('/api/processes/fire-lane/versions/2/xml');
    expect(source.headers.get('content-type')).toMatch(/xml/);
    expect(source.text).toContain('消防通道堵塞治理 v2');
    expect((await designer.get('/api/processes/fire-lane/versions/latest/xml')).headers.get('x-process-version')).toBe(
      '2',
    );
    expect((await (await p.as('clerk.housing')).get('/api/processes')).status).toBe(403);
  });

  test('process upload over a structure limit → 400 naming the limit and the value; nothing deployed', async () => {
    const designer = await p.as('designer');
    // given the model that took an engine down: 2,000 nested subprocesses (≈93 KB)
    const deep = nestedSubprocesses('too-deep', 2000);

    // when a designer uploads it, sampling the event loop meanwhile
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    // (and another request of the same designer runs beside it)
    const [res, list] = await Promise.all([
      upload(designer, '/api/processes', { name: 'too-deep.bpmn', data: deep, type: 'application/xml' }),
      designer.get('/api/processes'),
    ]);
    h.disable();

    // then it is refused as problem+json naming the limit and the depth, before any lint ran
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('maxSubprocessDepth');
    expect(res.body.detail).toContain('depth of at least 33, over the limit of 32');
    expect(res.body.errors).toEqual([
      { field: 'file', message: expect.stringContaining('ENGINE_MAX_SUBPROCESS_DEPTH') },
    ]);
    // and the server kept serving: the other request answered and the event loop was never held for long
    expect(list.status).toBe(200);
    expect(h.max / 1e6).toBeLessThan(200);
    expect((await designer.get('/api/processes/too-deep/versions')).status).toBe(404);
  });

  test('form upload: checked and deployed, listed under kind=form', async () => {
    const designer = await p.as('designer');
    // when a form with a new field is uploaded, and a JSON without an id
    const form = JSON.parse(fs.readFileSync(path.join(PROCESSES_DIR, 'forms', 'case-reply.form'), 'utf8'));
    form.components.push({ type: 'textfield', key: 'extraNote', label: '备注', id: 'extra_note' });
    const ok = await upload(designer, '/api/processes', {
      name: 'case-reply.form',
      data: JSON.stringify(form),
      type: 'application/json',
    });
    const bad = await upload(designer, '/api/processes', {
      name: 'broken.form',
      data: JSON.stringify({ components: [] }),
      type: 'application/json',
    });

    // then
    expect(ok.status).toBe(201);
    expect(ok.body.deployed[0]).toMatchObject({ kind: 'form', id: 'case-reply', version: 2 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field)).toEqual(['id']);
    const forms = (await designer.get('/api/processes?kind=form')).body.processes;
    expect(forms.find((f: any) => f.id === 'case-reply')).toMatchObject({ latestVersion: 2, versions: 2 });
  });
});
