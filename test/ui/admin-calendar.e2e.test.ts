/**
 * The admin page's holidays section in Chromium against the whole platform: a time limit that runs
 * into a year without holidays shows the banner; entering that year with a mistake shows the problem
 * in plain Chinese next to the field, fixing it saves and the banner goes; a file import adds a year;
 * deleting it takes two clicks; the English switch translates the banner. Dates are fixed instants
 * (2029–2031) beyond the shipped data; the banner may also name the machine's current year when that is
 * past the data (the faketime pass), so the assertions look for the year among those named.
 */
import type { BrowserContext } from 'playwright-core';
import {
  launchBrowser,
  login,
  screenshot,
  startUiPlatform,
  watchedPage,
  type UiPlatform,
  type WatchedPage,
} from './harness';

jest.setTimeout(180_000);

/** The years a banner names: "2028–2029、2031 年…" or "Public holidays for 2028, 2030 …" → [2028, 2029, 2031]. */
function yearsNamed(text: string): number[] {
  const list = /^(?:Public holidays for )?([\d、,– ]+?) (?:年|have)/.exec(text)?.[1] ?? '';
  return list.split(/[、,]\s*/).flatMap((part) => {
    const [a, b = a] = part.trim().split('–').map(Number);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}

let ui: UiPlatform;
let browser: BrowserContext;
let w: WatchedPage;

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

test('an admin sees the fallback banner, enters the missing year, imports another and deletes it', async () => {
  const { page } = w;
  w.allow(422, /^\/api\/admin\/calendar\/years\/2029$/);
  await login(page, ui.url, 'admin');
  await page.goto(`${ui.url}/admin`);
  await page.getByRole('tab', { name: '节假日' }).click();
  await page.locator('#calendar-years tr[data-year="2025"]').waitFor();
  await expect(page.locator('#calendar-years tr[data-year="2027"]').innerText()).resolves.toMatch(
    /系统内置[\s\S]*暂定/,
  );

  // when a time limit is tried that runs into 2029 (no holidays entered)
  await page.getByLabel('开始时间（北京时间）').fill('2029-03-05T09:00');
  await page.getByLabel('工作小时数').fill('8');
  await page.getByRole('button', { name: '计算' }).click();
  await page.locator('#calendar-preview-out', { hasText: '截止时间' }).waitFor();
  // then it counts plain weekdays and says so, and the banner names 2029
  await expect(page.locator('#calendar-preview-out').innerText()).resolves.toContain('截止时间：2029-03-06 09:30');
  await expect(page.locator('#calendar-preview-out').innerText()).resolves.toContain('按工作日计算');
  await page.locator('#calendar-fallback').waitFor();
  // (the list may name other years too: on a machine clock past the shipped data the demo traffic adds
  // the current year)
  const zh = await page.locator('#calendar-fallback').innerText();
  expect(zh).toMatch(/^[\d、–]+ 年的法定节假日尚未录入，按工作日计算时限/);
  expect(yearsNamed(zh)).toContain(2029);
  await screenshot(page, 'admin-calendar-fallback', { fullPage: true });

  // when the admin enters 2029 with only New Year's Day and a make-up day on a Wednesday
  await page.locator('#calendar-new').click();
  const form = page.locator('#calendar-form');
  await form.getByLabel('年份').fill('2029');
  await form.getByLabel('依据的通知').fill('国务院办公厅关于2029年部分节假日安排的通知');
  const rows = form.locator('[data-row=holiday]');
  while ((await rows.count()) > 1) await rows.nth(1).getByRole('button', { name: '移除' }).click();
  await rows.nth(0).getByLabel('开始日期').fill('2029-01-01');
  await rows.nth(0).getByLabel('结束日期').fill('2029-01-01');
  await form.locator('#calendar-add-workday').click();
  const workday = form.locator('[data-row=workday]').nth(0);
  await workday.getByLabel('日期').fill('2029-01-03');
  await workday.getByLabel('对应假日').fill('元旦');
  await form.getByRole('button', { name: '保存并立即生效' }).click();
  // then the problem is shown in plain Chinese and the date field is marked
  await page.locator('#calendar-problems').waitFor();
  await expect(page.locator('#calendar-problems').innerText()).resolves.toContain(
    '2029-01-03 是星期三，本来就上班；调休上班日应为周六或周日',
  );
  await expect(workday.getByLabel('日期').getAttribute('aria-invalid')).resolves.toBe('true');
  await screenshot(page, 'admin-calendar-problems', { fullPage: true });

  // when the make-up day is moved to a Sunday and saved
  await workday.getByLabel('日期').fill('2029-01-07');
  await form.getByRole('button', { name: '保存并立即生效' }).click();
  // then 2029 is listed as entered by an admin and the banner no longer names it
  await page.locator('#calendar-years tr[data-year="2029"]').waitFor();
  await expect(page.locator('#calendar-years tr[data-year="2029"]').innerText()).resolves.toContain('管理员录入');
  await page.waitForFunction(
    () => !(globalThis as any).document.querySelector('#calendar-fallback')?.textContent?.includes('2029'),
  );

  // when a file for 2031 is imported
  const file = {
    holidays: [{ name: '国庆节', from: '2031-10-01', to: '2031-10-07' }],
    workdays: [{ date: '2031-09-28', for: '国庆节' }],
  };
  await page
    .getByLabel(/节假日文件/)
    .setInputFiles({ name: '2031.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
  await page.getByRole('button', { name: '导入', exact: true }).click();
  await page.locator('#calendar-years tr[data-year="2031"]').waitFor();
  await expect(page.locator('#calendar-import-report').innerText()).resolves.toContain('2031 年：新增');
  await expect(page.locator('#calendar-years tr[data-year="2031"]').innerText()).resolves.toContain('文件导入');
  await screenshot(page, 'admin-calendar', { fullPage: true });

  // when it is deleted (two clicks)
  const del = page.locator('#calendar-years tr[data-year="2031"] [data-action=delete]');
  await del.click();
  await expect(del.innerText()).resolves.toContain('确定删除 2031 年');
  await del.click();
  await page.locator('#calendar-years tr[data-year="2031"]').waitFor({ state: 'detached' });

  // and in English the banner speaks English
  await page.getByLabel('开始时间（北京时间）').fill('2030-06-03T09:00');
  await page.getByRole('button', { name: '计算' }).click();
  await page.locator('#calendar-fallback').waitFor();
  await page.locator('#lang-switch').click();
  const en = await page.locator('#calendar-fallback').innerText();
  expect(en).toMatch(/^Public holidays for [\d, –]+ have not been entered yet/);
  expect(yearsNamed(en)).toContain(2030);
  await expect(page.locator('#calendar-years thead').innerText()).resolves.toContain('Make-up working days');
  await page.locator('#lang-switch').click();
});
