/**
 * The public report & track page while the workflow engine does not answer (docs/intake.md): the
 * resident still gets the case number at once, and both the receipt and the tracking view say
 * 已受理，正在分拨 / Received, being dispatched. Real Chromium against the HTTP app with no engine
 * connected (every report is filed with its start pending).
 */
import type { BrowserContext } from 'playwright-core';
import { launchBrowser, screenshot, watchedPage, type WatchedPage } from './harness';
import { startTestApp, type TestApp } from '../server/helpers/app';

const PHONE = '13800000009';
let t: TestApp;
let browser: BrowserContext;
let w: WatchedPage;

beforeAll(async () => {
  t = await startTestApp({ env: { RATE_LIMIT_INTAKE_IP: '1000/1m' } });
  browser = await launchBrowser();
  w = await watchedPage(browser, { width: 390, height: 844 });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

test('a report filed while the engine is down shows its case number and “已受理，正在分拨”, also when tracked', async () => {
  const { page } = w;
  // given the public page
  await page.goto(`${t.url}/`);

  // when a resident reports a problem
  await page.getByLabel('问题描述').fill('小区门口路灯坏了好几天，晚上很黑');
  await page.getByLabel('联系电话').fill(PHONE);
  await page.locator('#report-submit').click();

  // then the receipt names the case number and says it is being dispatched
  const caseNo = (await page.locator('#case-no').textContent())!.trim();
  expect(caseNo).toMatch(/^JB\d{8}-\d{6}$/);
  expect((await page.locator('#dispatch-pending').textContent())!.trim()).toBe('已受理，正在分拨');
  await screenshot(page, 'public-reported-pending', { fullPage: true });

  // when the resident tracks it
  await page.goto(`${t.url}/?caseNo=${caseNo}`);
  await page.getByLabel('反映时留的电话').fill(PHONE);
  await page.locator('#track-submit').click();

  // then the status says the same, in English too
  const status = page.locator('[data-case-no] [data-dispatch="pending"]');
  await status.waitFor();
  expect((await status.textContent())!.trim()).toBe('已受理，正在分拨');
  await page.locator('#lang-switch').click();
  expect((await status.textContent())!.trim()).toBe('Received, being dispatched');
  await screenshot(page, 'public-track-pending', { fullPage: true });
  w.expectClean();
});
