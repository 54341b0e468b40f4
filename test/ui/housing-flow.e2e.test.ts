/**
 * The web UI end to end in Chromium, against the whole platform: a citizen reports a housing
 * complaint → the lead department's clerk claims it, chooses collaborators and completes the form →
 * the collaborators complete → the lead consolidates and replies → the reporter sees the reply and
 * rates it. Screenshots of every page go to test/artifacts/ui/.
 */
import type { BrowserContext, Page } from 'playwright-core';
import {
  eventually,
  launchBrowser,
  login,
  logout,
  screenshot,
  startUiPlatform,
  watchedPage,
  type UiPlatform,
  type WatchedPage,
} from './harness';

jest.setTimeout(120_000);

const PHONE = '13812345678';
const COMPLAINT = '新交付的商品房外墙开裂，窗台渗漏水，开发商一直不维修';

let ui: UiPlatform;
let browser: BrowserContext;
let w: WatchedPage;
let caseNo = '';

beforeAll(async () => {
  ui = await startUiPlatform();
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await ui?.stop();
});
beforeEach(async () => {
  w = await watchedPage(browser);
});
afterEach(async () => {
  // the page as the test left it (a failure's last view)
  await screenshot(w.page, `last-${expect.getState().currentTestName?.slice(0, 40).replace(/\W+/g, '-')}`, {
    fullPage: true,
  }).catch(() => {});
  await w.close();
  w.expectClean();
});

/** Opens the task of `name` for `caseNo` in the clerk's inbox (it arrives without a reload). */
async function openTask(page: Page, name: string): Promise<void> {
  const item = page.locator('#task-list li', { hasText: caseNo }).filter({ hasText: name });
  await item.first().waitFor({ timeout: 30_000 });
  await item.first().locator('button').click();
  await page.locator('#task-title', { hasText: name }).waitFor();
}

async function claimAndComplete(page: Page, fill: (form: ReturnType<Page['locator']>) => Promise<void>): Promise<void> {
  await page.locator('#claim').click();
  await page.locator('#assignee', { hasText: /clerk\./ }).waitFor();
  const form = page.locator('#task-form');
  await form.locator('.fjs-form').waitFor();
  await fill(form);
  await page.locator('#complete').click();
  await page.locator('#completed-msg').waitFor();
}

test('a citizen reports a housing complaint on a phone and gets a case number and a promised time', async () => {
  const { page } = w;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${ui.url}/`);
  await page.getByLabel('问题描述').fill(COMPLAINT);
  await page.getByLabel('地点（地址）').fill('江北区庄桥街道天水家园3幢');
  await page.getByLabel('称呼').fill('王女士');
  await page.getByLabel('联系电话').fill(PHONE);
  await page.locator('#report-submit').click();
  caseNo = (await page.locator('#case-no').textContent())!.trim();
  expect(caseNo).toMatch(/^JB\d{8}-\d{6}$/);
  await page.locator('#promised strong').waitFor({ timeout: 30_000 });
  await screenshot(page, 'public-reported-phone', { fullPage: true });

  // and the English switch works on the same page
  await page.locator('#lang-switch').click();
  expect(await page.locator('h1').textContent()).toBe('Report a problem · Track it');
  await page.locator('#lang-switch').click();
});

test('the lead department (housing) claims the task, chooses collaborators and completes the form', async () => {
  const { page } = w;
  await login(page, ui.url, 'clerk.housing');
  await openTask(page, '牵头部门研判');
  await screenshot(page, 'tasks-unclaimed');
  await claimAndComplete(page, async (form) => {
    // the form is validated before submit: the required field stays, so pick collaborators and write an opinion
    await form.getByLabel('区市场监督管理局').check();
    await form.getByLabel('物业服务企业').check();
    await form.getByLabel('研判意见').fill('外墙开裂属质量问题，市场监管与物业协同核查');
    await screenshot(page, 'tasks-lead-form');
  });
  await logout(page);
});

test('the supervisor sees the open case on the dashboard and drills down to it', async () => {
  const { page } = w;
  await login(page, ui.url, 'supervisor');
  await page.goto(`${ui.url}/dashboard`);
  await page.locator('body[data-ready=true]').waitFor();
  await page.locator('#kpis .kpi', { hasText: '在办' }).locator('button.num-link').click();
  await page.locator(`#drill-cases tr[data-case-no="${caseNo}"]`).waitFor();
  await page.locator(`#drill-cases tr[data-case-no="${caseNo}"] button`).click();
  await page.locator('#case-view-no', { hasText: caseNo }).waitFor();
  expect(await page.locator('dialog .progress li.done').count()).toBe(2);
  await page.keyboard.press('Escape');
  // the housing row of the SLA table counts it
  await page.locator('#sla-scenario tr[data-key="housing-quality"]').waitFor();
  await screenshot(page, 'dashboard-open-case');
  await logout(page);
});

test('the collaborating departments complete their part', async () => {
  const { page } = w;
  for (const clerk of ['clerk.market', 'clerk.property']) {
    await login(page, ui.url, clerk);
    await openTask(page, '协办部门联合处置');
    // the lead's earlier answer is beside the task
    await page.locator('#earlier-answers', { hasText: '外墙开裂属质量问题' }).waitFor();
    await claimAndComplete(page, async (form) => {
      await form.getByLabel('协办意见').fill(`${clerk} 已现场核查，督促开发商维修`);
    });
    await logout(page);
  }
});

test('the lead consolidates and replies to the reporter', async () => {
  const { page } = w;
  await login(page, ui.url, 'clerk.housing');
  await openTask(page, '牵头部门汇总处置结果');
  await claimAndComplete(page, async (form) => {
    await form.getByLabel('办理结果').fill('开发商已承诺十日内完成外墙修补和窗台防水');
  });
  await openTask(page, '答复群众');
  await claimAndComplete(page, async (form) => {
    await form.getByLabel('答复内容').fill('您反映的外墙开裂问题，开发商已承诺十日内维修，住建局将跟踪复查。');
  });
  await logout(page);
});

test('the reporter sees the reply on the progress line and rates it', async () => {
  const { page } = w;
  await page.goto(`${ui.url}/?caseNo=${caseNo}`);
  await page.getByLabel('反映时留的电话').fill(PHONE);
  await eventually(
    async () => {
      await page.locator('#track-submit').click();
      return page.locator('#rating').isVisible();
    },
    30_000,
    'the case to be closed and ready for rating',
  );
  expect(await page.locator('#case-reply').textContent()).toContain('开发商已承诺十日内维修');
  expect(await page.locator('.progress li.done').count()).toBe(5);
  await screenshot(page, 'public-track-replied', { fullPage: true });
  await page.locator('#rate-yes').click();
  await page.locator('#rating-done').waitFor({ timeout: 15_000 });
  expect(await page.locator('.progress li.done').count()).toBe(6);
  await screenshot(page, 'public-rated', { fullPage: true });
});

test('the supervisor sees the case closed and rated: satisfaction counts it, the case view shows the whole loop', async () => {
  const { page } = w;
  await login(page, ui.url, 'supervisor');
  await page.goto(`${ui.url}/dashboard`);
  await page.locator('body[data-ready=true]').waitFor();
  expect(await page.locator('#rate-satisfaction .kpi-sub').textContent()).toMatch(/^[1-9]\d* \/ [1-9]\d*$/);
  await page.locator('#kpis .kpi', { hasText: '已办结' }).locator('button.num-link').click();
  await page.locator(`#drill-cases tr[data-case-no="${caseNo}"] button`).click();
  // the case view loads after the dialog opens: wait for its progress line before counting
  await page.locator('dialog .progress li.done').nth(5).waitFor({ timeout: 15_000 });
  expect(await page.locator('dialog .progress li.done').count()).toBe(6);
  await page.keyboard.press('Escape');
  await page.locator('#bpmn-canvas .count-badge').first().waitFor();
  await page.locator('#series-chart canvas').waitFor();
  await screenshot(page, 'dashboard', { fullPage: true });
  // CSV export answers a file
  const csv = await page.request.get(`${ui.url}${await page.locator('#ranking a[data-csv]').getAttribute('href')}`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toContain('text/csv');
  // and the English switch relabels the page in place
  await page.locator('#lang-switch').click();
  expect(await page.locator('h1').textContent()).toBe('Supervision dashboard');
  await page.locator('#lang-switch').click();
  await logout(page);
});

test('a fire-lane camera event opens a case whose SMS shows in the case view', async () => {
  const { page } = w;
  const detectedAt = new Date().toISOString();
  const res = await fetch(`${ui.url}/api/device-events`, {
    method: 'POST',
    headers: { authorization: 'Bearer demo-camera-key', 'content-type': 'application/json' },
    body: JSON.stringify({
      deviceId: 'cam-zhuangqiao-01',
      type: 'fire-lane.occupied',
      laneId: 'lane-tianshui-3',
      plate: '浙B10003',
      detectedAt,
    }),
  });
  expect(res.status).toBe(202);
  const { caseId } = (await res.json()) as { caseId: string };
  await login(page, ui.url, 'supervisor');
  await page.goto(`${ui.url}/dashboard`);
  await page.locator('body[data-ready=true]').waitFor();
  await eventually(
    async () => {
      await page.locator('#case-search').fill(caseId);
      await page.locator('#case-search').press('Enter');
      await page.locator('#case-view-no').waitFor();
      const sms = await page.locator('#case-sms li').count();
      if (!sms) await page.keyboard.press('Escape');
      return sms > 0;
    },
    30_000,
    'the notice SMS of the fire-lane case',
  );
  expect(await page.locator('#case-sms').textContent()).toMatch(/浙B10003|消防/);
  await screenshot(page, 'dashboard-fire-lane-case');
  await page.keyboard.press('Escape');
  await logout(page);
});

test('the designer opens fire-lane, adds a service task, sets its job type in the properties panel and deploys version 2', async () => {
  const { page } = w;
  await login(page, ui.url, 'designer');
  await page.goto(`${ui.url}/designer?process=fire-lane`);
  await page.locator('#version-list li[data-version="1"].active').waitFor();
  await page.locator('.djs-palette .entry').first().waitFor();
  // a real drag from the palette onto an empty spot of the canvas
  const canvas = (await page.locator('#canvas').boundingBox())!;
  await page.locator('.djs-palette .entry[data-action="create.task"]').hover();
  await page.mouse.down();
  await page.mouse.move(canvas.x + canvas.width * 0.55, canvas.y + canvas.height - 60, { steps: 8 });
  await page.mouse.up();
  // turn the dropped task into a service task (bpmnReplace, what the replace menu calls) and select it
  await page.evaluate(() => {
    const modeler = (globalThis as any).__modeler;
    const task =
      modeler.get('selection').get()[0] ?? modeler.get('elementRegistry').filter((e: any) => e.type === 'bpmn:Task')[0];
    const replaced = modeler.get('bpmnReplace').replaceElement(task, { type: 'bpmn:ServiceTask' });
    modeler.get('selection').select(replaced);
  });
  // live lint: a service task needs a job type
  await page.locator('#lint li[data-rule="camunda-compat/implementation"]').waitFor();
  await page.locator('[data-group-id="group-taskDefinition"] .bio-properties-panel-group-header').click();
  await page.locator('#bio-properties-panel-taskDefinitionType').fill('fire-lane-audit');
  await page.locator('#bio-properties-panel-taskDefinitionType').press('Tab');
  await page.locator('#lint li[data-rule="camunda-compat/implementation"]').waitFor({ state: 'detached' });
  await screenshot(page, 'designer');
  await page.locator('#deploy').click();
  await page.locator('#version-list li[data-version="2"].active').waitFor({ timeout: 20_000 });
  const xml = await page.request.get(`${ui.url}/api/processes/fire-lane/versions/2/xml`);
  expect(await xml.text()).toContain('type="fire-lane-audit"');
  await logout(page);
});

test('the admin pages: users, departments, keys, catalog, incidents, audit log', async () => {
  const { page } = w;
  await login(page, ui.url, 'admin');
  await page.goto(`${ui.url}/admin`);
  await page.locator('#users tr[data-username="clerk.housing"]').waitFor();
  await screenshot(page, 'admin');
  await page.locator('#tab-keys').click();
  await page.getByLabel('名称').fill('庄桥 3 号摄像头');
  await page.getByLabel('设备编号').fill('cam-zhuangqiao-03');
  await page.locator('#key-create button[type=submit]').click();
  await page.locator('code.secret').waitFor();
  await page.locator('#tab-catalog').click();
  await page.locator('#catalog-counts').waitFor();
  await page.locator('#tab-incidents').click();
  await page.locator('#incidents, #incidents-empty').first().waitFor();
  await page.locator('#tab-departments').click();
  await page.locator('#departments').waitFor();
  // the audit log names the designer's deployment and the key just created, in words
  await page.locator('#tab-audit').click();
  await page.locator('#audit-log tbody tr').first().waitFor();
  const log = await page.locator('#audit-log').innerText();
  expect(log).toContain('新建接入密钥');
  expect(log).toMatch(/designer[\s\S]*部署流程或表单/);
  await expect(page.locator('#audit-total').innerText()).resolves.toMatch(/^共 \d+ 条，已显示 \d+ 条$/);
  await page.getByLabel('结果').selectOption('refused');
  await page.getByRole('button', { name: '查询' }).click();
  await expect(page.locator('#audit-export').getAttribute('href')).resolves.toContain('outcome=refused');
  await screenshot(page, 'admin-audit');
  await logout(page);
});
