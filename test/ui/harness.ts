/**
 * The browser tests' harness: the real platform in-process (startPlatform with DEMO on, the
 * embedded engine and PGlite in a temp dir — or a fresh PostgreSQL database when DATABASE_URL is
 * set — on free ports) serving the Vite build from ui/dist, and Debian's Chromium driven by
 * playwright-core with a fresh profile. Every page is watched: a page error, a failed request,
 * a Content-Security-Policy violation or an unexpected 4xx/5xx answer fails the test (ui-e2e.test ends each test with `expectClean`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createDb } from '../../db/knex';
import { migrateAll } from '../../platform/migrate-all';
import { seedCatalog } from '../../domain/catalog/seed-catalog';
import { UI_DIST } from '../../server/app';
import { DEMO_PASSWORD } from '../../server/auth/bootstrap';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { startPlatform, type Platform } from '../../platform/platform';
import { createTestDatabase } from '../helpers/db';

export const ROOT = path.resolve(__dirname, '../..');
export const ARTIFACTS = path.join(ROOT, 'test/artifacts/ui');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** The PITFALLS.md launch flags. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface UiPlatform {
  url: string;
  platform: Platform;
  stop(): Promise<void>;
}

/** The platform in demo mode with the sample catalog loaded (so reports classify). */
export async function startUiPlatform(): Promise<UiPlatform> {
  if (!fs.existsSync(path.join(UI_DIST, 'index.html')))
    throw new Error(`Expected the UI build in ${UI_DIST}: run \`npm run build\` first (npm test does).`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-ui-'));
  const database = await createTestDatabase();
  // Migrate and load the sample catalog first (the platform's own start leaves the catalog to the admin).
  const db = createDb({ databaseUrl: database?.url, pgliteDir: path.join(dataDir, 'pg') });
  await migrateAll(db, { engine: true });
  await seedCatalog(db);
  await db.destroy();
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: database?.url,
    PORT: '0',
    HOST: '127.0.0.1',
    ENGINE_PORT: '0',
    DEMO: '1',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_INTAKE_IP: '1000/1m',
    RATE_LIMIT_LOGIN_IP: '1000/1m',
  });
  const platform = await startPlatform(config, createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
  return {
    url: platform.url,
    platform,
    async stop() {
      await platform.stop();
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Under libfaketime (`.ci/faketime-pass.sh`) the platform runs at a faked moment, but Chromium does not
 * run under libfaketime (page loads never finish). The browser then starts without it, and its pages get
 * the test process's (faked) time through Playwright's clock, which keeps ticking from there.
 */
const FAKED_TIME = (process.env.LD_PRELOAD ?? '').includes('faketime');

function envWithoutFaketime(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && e[0] !== 'LD_PRELOAD' && !e[0].startsWith('FAKETIME'),
    ),
  );
}

export async function launchBrowser(): Promise<BrowserContext> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...(FAKED_TIME ? { env: envWithoutFaketime() } : {}),
  });
  if (FAKED_TIME) await ctx.clock.install({ time: Date.now() });
  // Chromium may still write to the profile as it exits: remove it a moment later, quietly.
  ctx.on('close', () =>
    setTimeout(() => fs.rm(profile, { recursive: true, force: true, maxRetries: 3 }, () => {}), 500).unref(),
  );
  return ctx;
}

/** A page whose problems are collected: page errors, failed requests, HTTP errors not expected. */
export interface WatchedPage {
  page: Page;
  problems: string[];
  /** Answers with these statuses on paths matching are expected (e.g. a validation 400 the test provokes). */
  allow(status: number, pathPattern: RegExp): void;
  expectClean(): void;
  close(): Promise<void>;
}

export async function watchedPage(
  ctx: BrowserContext,
  viewport?: { width: number; height: number },
): Promise<WatchedPage> {
  const page = await ctx.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const problems: string[] = [];
  const allowed: Array<{ status: number; path: RegExp }> = [];
  page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.stack ?? err.message}`));
  // The Content-Security-Policy (server/http/security-headers.ts): anything it blocks fails the test.
  await page.addInitScript(
    `document.addEventListener('securitypolicyviolation', (e) => console.error(` +
      '`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`));',
  );
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /CSP violation|Content Security Policy/.test(msg.text()))
      problems.push(`on ${page.url()}: ${msg.text()}`);
  });
  page.on('requestfailed', (req) => {
    const url = new URL(req.url());
    if (url.pathname === '/favicon.ico') return;
    // A navigation away aborts in-flight polls; that is not a failure of the page.
    if (req.failure()?.errorText === 'net::ERR_ABORTED' && req.resourceType() === 'fetch') return;
    problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (res.status() < 400 || url.pathname === '/favicon.ico') return;
    if (allowed.some((a) => a.status === res.status() && a.path.test(url.pathname + url.search))) return;
    problems.push(`HTTP ${res.status()} ${res.request().method()} ${url.pathname}${url.search}`);
  });
  return {
    page,
    problems,
    allow: (status, pathPattern) => allowed.push({ status, path: pathPattern }),
    expectClean() {
      expect(problems).toEqual([]);
    },
    close: () => page.close(),
  };
}

export async function login(page: Page, base: string, username: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel(/用户名|User name/).fill(username);
  await page.getByLabel(/密码|Password/).fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.getByRole('button', { name: /登录|Log in/ }).click(),
  ]);
}

export async function logout(page: Page): Promise<void> {
  await Promise.all([page.waitForURL(/\/login/), page.locator('#logout').click()]);
}

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? false });
  return file;
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
