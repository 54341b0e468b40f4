/**
 * `npm run screenshots`: regenerates the README's screenshots (docs/screenshots/*.png). Boots the
 * platform in demo mode on temporary storage (test/ui/harness.ts), puts some real work through it
 * with the API (reports, a dispatched housing case, a fire-lane camera event), then photographs
 * each page in Chromium at 1366×768 (the public page also at 390×844), scaled down to keep the
 * PNGs small.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, eventually, startUiPlatform } from '../test/ui/harness';

const OUT = path.resolve(__dirname, '../docs/screenshots');
const SCALE = 0.6;

async function main(): Promise<void> {
  const ui = await startUiPlatform();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-shots-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1366, height: 768 },
    deviceScaleFactor: SCALE,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  try {
    fs.mkdirSync(OUT, { recursive: true });
    const api = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(ui.url + url, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<any>;
    };
    const reports = [
      ['新交付的商品房外墙开裂，窗台渗漏水，开发商一直不维修', '庄桥街道天水家园3幢'],
      ['工厂夜间偷排废水，河道发黑发臭', '洪塘街道洪兴路河段'],
      ['小区楼下餐馆油烟扰民，晚上十点后还很吵', '孔浦街道兴宁路'],
      ['我司研发新型电机，申请研发费用加计扣除和新产品认定', '慈城镇工业园'],
    ];
    const created = [];
    for (const [description, address] of reports)
      created.push(
        await api('POST', '/api/cases', {
          description,
          channel: 'web',
          reporter: { name: '王女士', phone: '13812345678' },
          location: { address },
        }),
      );
    await api(
      'POST',
      '/api/device-events',
      {
        deviceId: 'cam-zhuangqiao-01',
        type: 'fire-lane.occupied',
        laneId: 'lane-tianshui-3',
        plate: '浙B10003',
        detectedAt: new Date().toISOString(),
      },
      { authorization: 'Bearer demo-camera-key' },
    );
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const shot = (name: string) => page.screenshot({ path: path.join(OUT, `${name}.png`) });
    const login = async (username: string) => {
      await page.goto(`${ui.url}/login`);
      await page.getByLabel(/用户名/).fill(username);
      await page.getByLabel(/密码/).fill('onematter-demo');
      await Promise.all([
        page.waitForURL((u) => !u.pathname.startsWith('/login')),
        page.getByRole('button', { name: '登录' }).click(),
      ]);
    };

    // public: the track view of the housing case, and the phone layout right after reporting
    await page.goto(`${ui.url}/?caseNo=${created[0].caseNo}`);
    await page.getByLabel('反映时留的电话').fill('13812345678');
    await eventually(
      async () => {
        await page.locator('#track-submit').click();
        return page.locator('#track-result .progress li.done').nth(1).isVisible();
      },
      30_000,
      'the housing case to be dispatched',
    );
    await shot('public');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${ui.url}/`);
    await page.getByLabel('问题描述').fill('小区消防通道被私家车长期占用，消防车进不来');
    await page.getByLabel('联系电话').fill('13912345678');
    await page.locator('#report-submit').click();
    await page.locator('#promised strong').waitFor({ timeout: 30_000 });
    await page.locator('#report-submit').scrollIntoViewIfNeeded();
    await shot('public-phone');
    await page.setViewportSize({ width: 1366, height: 768 });

    await login('clerk.housing');
    await page.locator('#task-list li').first().waitFor({ timeout: 30_000 });
    await page.locator('#task-list li button').first().click();
    await page.locator('#claim').click();
    await page.locator('#task-form .fjs-form').waitFor();
    await page.locator('#task-form').getByLabel('区市场监督管理局').check();
    await shot('tasks');
    await Promise.all([page.waitForURL(/\/login/), page.locator('#logout').click()]);

    await login('supervisor');
    await page.goto(`${ui.url}/dashboard`);
    await page.locator('body[data-ready=true]').waitFor();
    await page.locator('#bpmn-canvas .count-badge').first().waitFor();
    await shot('dashboard');
    await Promise.all([page.waitForURL(/\/login/), page.locator('#logout').click()]);

    await login('designer');
    await page.goto(`${ui.url}/designer?process=housing-quality`);
    await page.locator('#version-list li.active').waitFor();
    await page.locator('.djs-element[data-element-id="assess"]').click();
    await page.waitForTimeout(300);
    await shot('designer');
    await Promise.all([page.waitForURL(/\/login/), page.locator('#logout').click()]);

    await login('admin');
    await page.locator('#users').waitFor();
    await shot('admin');
    await Promise.all([page.waitForURL(/\/login/), page.locator('#logout').click()]);
    await page.goto(`${ui.url}/login`);
    await shot('login');
    for (const f of fs.readdirSync(OUT)) console.log(`${f}\t${fs.statSync(path.join(OUT, f)).size} bytes`);
  } finally {
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    await ui.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
