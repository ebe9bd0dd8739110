import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ApiClient } from '../../support/api-client';
import { makeDataDir, type PlatformProcess, spawnPlatform } from '../../support/platform-process';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

const ROOT = path.resolve(__dirname, '../../..');
const WEB_DIST = path.join(ROOT, 'dist/apps/web');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results/screenshots');
export const ADMIN_PASSWORD = 'web-admin-password';
export const CONSOLE_VIEWPORT = { width: 1366, height: 768 };
export const PHONE_VIEWPORT = { width: 360, height: 740 };
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `npm test` builds the platform; the web apps are built here when the build is missing. */
export function ensureWebBuilt(): void {
  if (fs.existsSync(path.join(WEB_DIST, 'index.html')) && fs.existsSync(path.join(WEB_DIST, 'caregiver/index.html')))
    return;
  execSync('npm run build:web --silent', { cwd: ROOT, stdio: 'inherit' });
}

export interface WebPlatform {
  platform: PlatformProcess;
  baseUrl: string;
  api: ApiClient;
  admin: ApiClient;
  stop(): Promise<void>;
}

/** The built platform as a real process on its own database, serving the web apps. */
export async function startWebPlatform(): Promise<WebPlatform> {
  ensureWebBuilt();
  const database: TestDatabase = await createTestDatabase('web');
  const dataDir = makeDataDir();
  let platform: PlatformProcess;
  try {
    platform = await spawnPlatform({
      DATABASE_URL: database.url,
      ANXIN_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ANXIN_DATA_DIR: dataDir,
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const baseUrl = `http://127.0.0.1:${platform.httpPort}`;
  const stop = async () => {
    await platform.stop();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const page = await fetch(`${baseUrl}/`);
  const html = await page.text();
  if (!page.ok || !html.includes('id="root"')) {
    await stop();
    throw new Error(
      `the platform does not serve the web apps at / (HTTP ${page.status}); ` +
        'platform.ts must call mountWebApps(app, …) from apps/platform/src/web/web-static.ts',
    );
  }
  const api = new ApiClient(baseUrl);
  return { platform, baseUrl, api, admin: await api.login('admin', ADMIN_PASSWORD), stop };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // The alarm is Web Audio: let it start without a click so "it sounds" is observable headless.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen on this page so far (not those of a deliberate outage). */
  errors: string[];
  /** Cuts or restores the page's network; failed requests while cut are expected, not errors. */
  setOffline(offline: boolean): Promise<void>;
}

/** A fresh browser profile (own localStorage) with its console errors collected. */
export async function openPage(
  browser: Browser,
  baseUrl: string,
  viewport: { width: number; height: number },
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    baseURL: baseUrl,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  // While the network is cut (and a moment after), failed requests and socket errors are the point.
  let outageUntil = 0;
  const inOutage = () => Date.now() < outageUntil;
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !inOutage()) errors.push(`console: ${msg.text()} @ ${msg.location().url}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('response', (res) => {
    if (res.status() >= 500) errors.push(`HTTP ${res.status()} ${res.url()}`);
  });
  const setOffline = async (offline: boolean) => {
    outageUntil = offline ? Number.POSITIVE_INFINITY : Date.now() + 3000;
    await context.setOffline(offline);
  };
  return { context, page, errors, setOffline };
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

/** Polls until `check` stops throwing; its last error explains a timeout. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

export interface WebSuite {
  /** The platform and browser, set once the suite's beforeAll has run. */
  readonly web: WebPlatform;
  readonly browser: Browser;
  /** A fresh page on the platform (see openPage). */
  open(viewport: { width: number; height: number }): Promise<WatchedPage>;
  /** A fresh page at `path`, signed in as `username`. */
  signedIn(
    viewport: { width: number; height: number },
    path: string,
    username: string,
    password: string,
  ): Promise<WatchedPage>;
}

/**
 * Starts the built platform and a browser before the enclosing describe's tests (call it first in the describe, so
 * its beforeAll runs first) and closes both after them, `closeFirst` (the suite's own clients) before.
 */
export function useWebSuite(closeFirst?: () => void): WebSuite {
  let web: WebPlatform | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    web = await startWebPlatform();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    closeFirst?.();
    await browser?.close();
    await web?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the web suite has not started');
    return value;
  };
  const suite: WebSuite = {
    get web() {
      return started(web);
    },
    get browser() {
      return started(browser);
    },
    open: (viewport) => openPage(suite.browser, suite.web.baseUrl, viewport),
    async signedIn(viewport, path, username, password) {
      const watched = await suite.open(viewport);
      await watched.page.goto(path);
      await signIn(watched.page, username, password);
      return watched;
    },
  };
  return suite;
}
