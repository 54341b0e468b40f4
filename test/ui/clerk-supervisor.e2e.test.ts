/**
 * Issue 8's remaining gaps in Chromium, against the whole platform: the designer edits a task form
 * in the form editor and deploys it (the clerk's form then shows the new label); a clerk works a
 * task with the keyboard only (visible focus, labelled inputs, Chinese form texts); a session that
 * expires while a form is open loses nothing; a supervisor approves an extension on the dashboard
 * and the case timeline and the clerk's due date show it. Every page fails on a page error or a
 * failed request (harness). Screenshots go to test/artifacts/ui/.
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

jest.setTimeout(180_000);

const NEW_LABEL = '研判意见（含现场核查情况）';
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
  await screenshot(w.page, `last-${expect.getState().currentTestName?.slice(0, 40).replace(/\W+/g, '-')}`, {
    fullPage: true,
  }).catch(() => {});
  await w.close();
  w.expectClean();
});

interface Focused {
  tag: string;
  id: string;
  text: string;
  label: string;
  type: string;
  visible: boolean;
}

/** The focused element, whether its focus is visible (a computed outline or box-shadow on it or, for form-js's hidden select input, on its input group). */
async function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    // runs in the page (the root tsconfig has no DOM types)
    const g = globalThis as any;
    const el = g.document.activeElement;
    if (!el || el === g.document.body) return null;
    const shows = (e: any) => {
      const cs = g.getComputedStyle(e);
      return (
        (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) ||
        (cs.boxShadow !== '' && cs.boxShadow !== 'none')
      );
    };
    const hidden = g.getComputedStyle(el).opacity === '0';
    const target = hidden ? (el.closest('.fjs-input-group') ?? el) : el;
    return {
      tag: String(el.tagName).toLowerCase(),
      id: String(el.id),
      text: String(el.textContent ?? '')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 120),
      label: String(el.labels?.[0]?.textContent ?? el.getAttribute('aria-label') ?? '').trim(),
      type: String(el.type ?? ''),
      visible: shows(target),
    };
  });
}

/** Tabs (max `max` times) until `want` holds; every element passed on the way must show its focus. */
async function tabTo(
  page: Page,
  want: (f: Focused) => boolean,
  what: string,
  max = 200,
  key = 'Tab',
): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const f = await focused(page);
    if (!f) continue;
    seen.push(`${f.tag}#${f.id}[${f.label || f.text.slice(0, 20)}]`);
    if (!f.visible)
      throw new Error(`focus is not visible on ${f.tag}#${f.id} "${f.label || f.text}" (on the way to ${what})`);
    if (want(f)) return f;
  }
  throw new Error(`${what} not reached with ${key}; focus went: ${seen.join(' → ')}`);
}

/** Every visible input, select and textarea has an accessible name (label, aria-label or aria-labelledby). */
async function unlabelledInputs(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const g = globalThis as any;
    const bad: string[] = [];
    for (const el of g.document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden' || el.closest('[hidden]')) continue;
      const r = el.getBoundingClientRect();
      const cs = g.getComputedStyle(el);
      if (
        (r.width === 0 && r.height === 0 && cs.opacity !== '0') ||
        cs.display === 'none' ||
        cs.visibility === 'hidden'
      )
        continue;
      const byLabel = [...(el.labels ?? [])].some((l: any) => l.textContent.trim());
      const byAria = String(el.getAttribute('aria-label') ?? '').trim();
      const byRef = String(el.getAttribute('aria-labelledby') ?? '')
        .split(/\s+/)
        .some((id: string) => id && g.document.getElementById(id)?.textContent?.trim());
      if (!byLabel && !byAria && !byRef && !el.title)
        bad.push(`${String(el.tagName).toLowerCase()}#${el.id}.${el.className}`);
    }
    return bad;
  });
}

async function report(description: string): Promise<string> {
  const res = await fetch(`${ui.url}/api/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      description,
      channel: 'web',
      reporter: { name: '李先生', phone: '13900001111' },
      location: { address: '江北区庄桥街道天水家园5幢' },
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { caseNo: string }).caseNo;
}

async function openTask(page: Page, name: string): Promise<void> {
  const item = page.locator('#task-list li', { hasText: caseNo }).filter({ hasText: name });
  await item.first().waitFor({ timeout: 30_000 });
  await item.first().locator('button').click();
  await page.locator('#task-title', { hasText: name }).waitFor();
}

test('the designer changes a field label of the housing assessment form in the form editor, previews it with the viewer and deploys it', async () => {
  const { page } = w;
  await login(page, ui.url, 'designer');
  await page.goto(`${ui.url}/designer`);
  await page.locator('[data-edit-form="housing-assess"]').click();
  const field = page.locator('#form-editor .fjs-editor-container .fjs-element', { hasText: '研判意见' }).last();
  await field.waitFor();
  await field.click();
  const group = page.locator('#form-editor .bio-properties-panel-group', {
    has: page.locator('[data-entry-id="label"]'),
  });
  const entries = group.locator('.bio-properties-panel-group-entries');
  if (!/\bopen\b/.test((await entries.getAttribute('class')) ?? ''))
    await group.locator('.bio-properties-panel-group-header').click();
  const label = page.locator('#form-editor [data-entry-id="label"] [contenteditable]');
  await label.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(NEW_LABEL);
  await page.keyboard.press('Tab');
  await page.locator('#form-editor .fjs-editor-container label', { hasText: NEW_LABEL }).waitFor();
  const schema = await page.evaluate(() => (globalThis as any).__formEditor.saveSchema());
  expect(schema.schemaVersion).toBe(19);
  await screenshot(page, 'designer-form-editor');
  // the task page's viewer (form-js-viewer 2.0.0) renders what the editor wrote
  await page.locator('#tab-form-preview').click();
  await page.locator('#form-editor-preview .fjs-form label', { hasText: NEW_LABEL }).waitFor();
  expect(await page.locator('#form-editor-preview .fjs-select-placeholder', { hasText: /^Select$/ }).count()).toBe(0);
  await page.locator('#form-deploy').click();
  await page.locator('#form-deployed').waitFor({ timeout: 20_000 });
  const deployed = await page.request.get(`${ui.url}/api/processes/housing-assess/versions/latest/xml?kind=form`);
  expect(await deployed.text()).toContain(NEW_LABEL);
  await page.locator('#form-editor-close').click();
  await logout(page);
});

test('a clerk works the new housing task with the keyboard only: log in, inbox, open, claim, fill the form and submit', async () => {
  const { page } = w;
  caseNo = await report('新交付的商品房外墙开裂，卫生间渗漏水，开发商一直不维修');
  await page.goto(`${ui.url}/login`);
  // the login page puts the focus on the user name
  const f = await focused(page);
  expect(f?.label).toMatch(/用户名/);
  expect(f?.visible).toBe(true);
  await page.keyboard.type('clerk.housing');
  await tabTo(page, (x) => x.type === 'password', 'the password');
  await page.keyboard.type('onematter-demo');
  expect(await unlabelledInputs(page)).toEqual([]);
  await Promise.all([page.waitForURL(/\/tasks/), page.keyboard.press('Enter')]);
  await page.locator('#task-list li', { hasText: caseNo }).first().waitFor({ timeout: 30_000 });
  expect(await unlabelledInputs(page)).toEqual([]);
  // Tab from the top of the page to the case's task and open it with Enter
  await tabTo(
    page,
    (x) => x.tag === 'button' && x.text.includes(caseNo) && x.text.includes('牵头部门研判'),
    'the task in the inbox',
  );
  await page.keyboard.press('Enter');
  await page.locator('#task-title', { hasText: '牵头部门研判' }).waitFor();
  await tabTo(page, (x) => x.id === 'claim', 'the claim button');
  await page.keyboard.press('Enter');
  await page.locator('#assignee', { hasText: 'clerk.housing' }).waitFor();
  await page.locator('#task-form .fjs-form').waitFor();
  // after claiming, the focus goes to the form's first field
  await eventually(
    async () => (await focused(page))?.label.includes('办理意见'),
    10_000,
    'the focus on the first form field',
  );
  expect((await focused(page))?.visible).toBe(true);
  // the form speaks Chinese: the empty select shows 请选择, not "Select"
  expect(await page.locator('#task-form .fjs-select-placeholder', { hasText: /^Select$/ }).count()).toBe(0);
  await page.locator('#task-form .fjs-select-placeholder', { hasText: '请选择' }).first().waitFor();
  // the designer's new label is on the clerk's form
  await page.locator('#task-form label', { hasText: NEW_LABEL }).waitFor();
  expect(await unlabelledInputs(page)).toEqual([]);
  // 所处阶段: a form-js select; focusing it opens its list, the arrow keys move, Enter chooses
  await tabTo(page, (x) => x.label.includes('所处阶段'), 'the stage select');
  const stage = page.locator('#task-form .fjs-form-field', { hasText: '所处阶段' });
  await stage.locator('.fjs-dropdownlist').waitFor();
  // form-js binds the list's keys in an effect that runs after the list is painted: press ArrowDown
  // until the highlight has moved off the first entry (proof the keys are bound), then choose it
  await eventually(
    async () => {
      await page.keyboard.press('ArrowDown');
      return (
        (await stage.locator('.fjs-dropdownlist-item').first().getAttribute('class'))?.includes('focused') === false
      );
    },
    10_000,
    'the stage list to follow the arrow keys',
  );
  await page.keyboard.press('Enter');
  await stage
    .locator('.fjs-select-display:not(.fjs-select-placeholder)', { hasText: /规划与预售|主体施工|装饰装修/ })
    .waitFor();
  // collaborators: checkboxes toggled with Space
  for (const dept of ['区市场监督管理局', '物业服务企业']) {
    await tabTo(page, (x) => x.type === 'checkbox' && x.label.includes(dept), dept);
    await page.keyboard.press('Space');
  }
  await tabTo(page, (x) => x.label.includes(NEW_LABEL), 'the opinion textarea');
  await page.keyboard.type('楼板渗漏属质量问题，市场监管与物业协同核查');
  expect(await page.locator('#task-form').getByLabel('区市场监督管理局').isChecked()).toBe(true);
  await screenshot(page, 'tasks-keyboard');
  await tabTo(page, (x) => x.id === 'complete', 'the submit button');
  await page.keyboard.press('Enter');
  await page.locator('#completed-msg').waitFor({ timeout: 20_000 });
  // log out with the keyboard too
  await page.locator('#logout').focus();
  await Promise.all([page.waitForURL(/\/login/), page.keyboard.press('Enter')]);
});

test('a session that expires while the clerk types into a form: the page explains it in Chinese, log in again returns to the task with nothing lost', async () => {
  const { page } = w;
  w.allow(401, /^\/api\//);
  await login(page, ui.url, 'clerk.market');
  await openTask(page, '协办部门联合处置');
  await page.locator('#claim').click();
  await page.locator('#assignee', { hasText: 'clerk.market' }).waitFor();
  const opinion = page.locator('#task-form').getByLabel('协办意见');
  await opinion.fill('已联系开发商，');
  // the session ends on the server (deleted, as an expiry sweep or an admin would)
  const sessions = async () => Number((await ui.platform.db('session').count({ n: '*' }))[0].n);
  expect(await sessions()).toBeGreaterThan(0);
  await ui.platform.db('session').delete();
  expect(await sessions()).toBe(0);
  // the clerk goes on typing, then submits
  await opinion.pressSequentially('要求七日内完成楼板防水维修');
  await page.locator('#complete').click();
  const dialog = page.locator('#session-expired');
  await dialog.waitFor();
  expect(await dialog.locator('h2').textContent()).toBe('登录已过期');
  expect(await dialog.textContent()).toContain('重新登录后会回到这个页面并自动恢复');
  await screenshot(page, 'tasks-session-expired');
  const taskUrl = new URL(page.url());
  expect(taskUrl.searchParams.get('task')).toBeTruthy();
  await Promise.all([page.waitForURL(/\/login/), page.locator('#relogin').click()]);
  await page.locator('.alert.info', { hasText: '登录已过期' }).waitFor();
  await page.getByLabel('用户名').fill('clerk.market');
  await page.getByLabel('密码').fill('onematter-demo');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/tasks' && u.searchParams.get('task') === taskUrl.searchParams.get('task')),
    page.getByRole('button', { name: '登录' }).click(),
  ]);
  await page.locator('#draft-note .alert', { hasText: '已恢复' }).waitFor();
  await eventually(
    async () =>
      (await page.locator('#task-form').getByLabel('协办意见').inputValue()) ===
      '已联系开发商，要求七日内完成楼板防水维修',
    10_000,
    'the restored draft',
  );
  await page.locator('#complete').click();
  await page.locator('#completed-msg').waitFor({ timeout: 20_000 });
  expect(
    await page.evaluate(
      () => Object.keys((globalThis as any).sessionStorage).filter((k: string) => k.startsWith('om.draft.')).length,
    ),
  ).toBe(0);
  await logout(page);
});

test('a supervisor approves a clerk’s extension request on the dashboard; the timeline and the clerk’s due date show it', async () => {
  const { page } = w;
  await login(page, ui.url, 'clerk.property');
  await openTask(page, '协办部门联合处置');
  await page.locator('#claim').click();
  await page.locator('#assignee', { hasText: 'clerk.property' }).waitFor();
  const dueBefore = (await page.locator('#task-detail .task-head .task-meta').textContent())!;
  const hours = page.locator('#extension').getByLabel('延长工作小时数');
  await eventually(
    async () => {
      if (!(await hours.isVisible())) await page.locator('#extension summary').click();
      return hours.isVisible();
    },
    10_000,
    'the extension request form',
  );
  await hours.fill('16');
  await page.locator('#extension').getByLabel('理由').fill('需等待第三方检测机构出具楼板渗漏检测报告');
  await page.locator('#extension button[type=submit]').click();
  await page.locator('#extension-sent').waitFor();
  await logout(page);

  await login(page, ui.url, 'supervisor');
  await page.goto(`${ui.url}/dashboard`);
  await page.locator('body[data-ready=true]').waitFor();
  // no raw ids in Chinese mode: the scenario table names case-handling
  expect(await page.locator('#sla-scenario').textContent()).not.toMatch(/case-handling|housing-quality/);
  await page.locator('#sla-scenario tr[data-key="case-handling"] th', { hasText: '通用处置' }).waitFor();
  const row = page.locator(`#ext-pending tr[data-case-no="${caseNo}"]`);
  await row.waitFor();
  expect(await row.textContent()).toContain('需等待第三方检测机构出具楼板渗漏检测报告');
  expect(await row.textContent()).toContain('clerk.property');
  expect(await row.textContent()).toContain('延长 16 个工作小时');
  await row.locator('[data-light]').waitFor();
  const newDue = (await row.locator('.ext-new-due').textContent())!.trim();
  expect(newDue).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
  expect(dueBefore).not.toContain(newDue);
  expect(await unlabelledInputs(page)).toEqual([]);
  await screenshot(page, 'dashboard-extensions');
  await row.getByLabel(`对 ${caseNo} 的审批意见`).fill('同意，检测报告出具后尽快处置');
  await row.locator('button[data-action="approve"]').click();
  await row.waitFor({ state: 'detached' });
  await page
    .locator(`#ext-decided li[data-status="approved"]`, { hasText: caseNo })
    .first()
    .waitFor({ state: 'attached' });
  // the case timeline: approved, then the SLA clock moved (sla.extended)
  await eventually(
    async () => {
      await page.locator('#case-search').fill(caseNo);
      await page.locator('#case-search').press('Enter');
      await page.locator('#case-view-no', { hasText: caseNo }).waitFor();
      const moved = await page.locator('dialog .timeline li[data-type="sla.extended"]').count();
      if (!moved) await page.keyboard.press('Escape');
      return moved > 0;
    },
    30_000,
    'the SLA clock to move',
  );
  expect(await page.locator('dialog .timeline li[data-type="extension.approved"]').textContent()).toContain(
    '延期已批准',
  );
  await page.keyboard.press('Escape');
  await logout(page);

  // the clerk's task shows the new due date
  await login(page, ui.url, 'clerk.property');
  await eventually(
    async () => {
      await openTask(page, '协办部门联合处置');
      return (await page.locator('#task-detail .task-head .task-meta').textContent())!.includes(newDue);
    },
    30_000,
    "the clerk's new due date",
  );
  await logout(page);
});
