/**
 * The dashboard in a real Chromium (playwright-core driving the system browser): where the site
 * is, a page that refuses every request leaving its origin and runs under a strict CSP, axe, and
 * screenshots. Browser-side code is passed as strings: the test tsconfig has no DOM types.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Fastify from 'fastify';
import { chromium } from 'playwright-core';
import type { Browser, Locator, Page } from 'playwright-core';
import { dashboardRoutes } from '../../src/server/dashboard.js';
import { ROOT } from './cli.js';
import type { TestServer } from './server.js';

export const CHROMIUM_PATH = process.env['MESHTRACE_CHROMIUM'] ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM_PATH);
// CI installs Chromium before its extra run: there a missing browser is a failure, not a skip.
if (!HAVE_CHROMIUM && process.env['MESHTRACE_REQUIRE_EXTRA_SUITES'] === '1') throw new Error(`Chromium is required here but missing at ${CHROMIUM_PATH}`);
export const CHROMIUM_MISSING = `Chromium is not installed at ${CHROMIUM_PATH} (set MESHTRACE_CHROMIUM or apt-get install chromium): browser tests skipped`;
export const DASHBOARD_DIR = join(ROOT, 'dist', 'web');
export const SCREENSHOT_DIR = join(ROOT, 'test-artifacts', 'screenshots');

/**
 * As strict as meshtrace's own policy, and stricter on images (no data: URIs): the page must work
 * with nothing inline. Added here so the tests hold whatever headers the server sends.
 */
const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH });
}

export function assertDashboardBuilt(): void {
  if (!existsSync(join(DASHBOARD_DIR, 'index.html'))) throw new Error(`${DASHBOARD_DIR}/index.html is missing: run npm run build:web (npm test builds it first)`);
}

export interface DashboardSite {
  /** `http://127.0.0.1:<port>`: the page and its API on one origin. */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Where the dashboard of a test server lives: meshtrace's own API port once it registers
 * `dashboardRoutes`. Until then, a stand-in origin that serves the same plugin and forwards
 * `/api/*` to the server, so the page still talks to one origin only.
 */
export async function dashboardSite(server: TestServer): Promise<DashboardSite> {
  const res = await fetch(`${server.api}/`);
  await res.arrayBuffer();
  if (res.status !== 404) return { origin: server.api, close: () => Promise.resolve() };
  const front = Fastify();
  await front.register(async (scope) => dashboardRoutes(scope, { root: DASHBOARD_DIR }));
  front.get('/api/*', async (request, reply) => {
    const answer = await fetch(`${server.api}${request.url}`);
    return reply.code(answer.status).type(answer.headers.get('content-type') ?? 'application/json').send(Buffer.from(await answer.arrayBuffer()));
  });
  const origin = await front.listen({ host: '127.0.0.1', port: 0 });
  return { origin, close: () => front.close() };
}

export interface WatchedPage {
  readonly page: Page;
  /** Requests the page tried to send anywhere but its origin (all refused). */
  readonly foreignRequests: string[];
  readonly consoleErrors: string[];
  /** CSP violations the page reported. */
  cspViolations(): Promise<string[]>;
}

export async function openWatchedPage(browser: Browser, origin: string, viewport = { width: 1280, height: 900 }): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const foreignRequests: string[] = [];
  const consoleErrors: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (!url.startsWith(`${origin}/`)) {
      foreignRequests.push(url);
      return route.abort();
    }
    if (route.request().resourceType() !== 'document') return route.continue();
    const response = await route.fetch();
    return route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': STRICT_CSP } });
  });
  // Init scripts run before the page's own and are exempt from its CSP.
  await context.addInitScript(`
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
  `);
  const page = await context.newPage();
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  return {
    page, foreignRequests, consoleErrors,
    cspViolations: () => page.evaluate<string[]>('window.__cspViolations'),
  };
}

/** Navigates to a dashboard hash route and waits until that page has rendered its data. */
export async function showPage(page: Page, origin: string, hash: string, ready: string): Promise<void> {
  await page.goto(`${origin}/${hash}`);
  await page.waitForSelector(`body[data-ready="${ready}"]`, { timeout: 15_000 });
}

let axeSource: Promise<string> | undefined;

/** axe's WCAG 2.1 A/AA and best-practice rules on the current page: `id: targets` per violation. */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the debugging protocol, which the page's CSP does not govern (a script tag would be refused).
  await page.evaluate(`${await axeSource};0`);
  return page.evaluate<string[]>(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
    .then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`);
}

/** The computed value of a CSS property of the element (e.g. `stroke` of an SVG path). */
export function computedStyle(locator: Locator, property: string): Promise<string> {
  type Styled = { getComputedStyle(el: unknown): Record<string, string | undefined> };
  return locator.evaluate((el, prop) => (globalThis as unknown as Styled).getComputedStyle(el)[prop] ?? '', property);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** What one browser suite works with: its meshtrace, the dashboard's origin, Chromium, one page. */
export interface DashboardFixture {
  server: TestServer;
  site: DashboardSite;
  browser: Browser;
  w: WatchedPage;
}

/**
 * Registers the suite's beforeAll/afterAll: `start` brings up (and feeds) a meshtrace, then the
 * dashboard's origin, Chromium and a watched page are opened; all are closed after the suite.
 * The fields are filled in by beforeAll, so read them inside tests only.
 */
export function withDashboard(start: () => Promise<TestServer>): DashboardFixture {
  const f = {} as DashboardFixture;
  beforeAll(async () => {
    assertDashboardBuilt();
    f.server = await start();
    f.site = await dashboardSite(f.server);
    f.browser = await launchChromium();
    f.w = await openWatchedPage(f.browser, f.site.origin);
  }, 60_000);
  afterAll(async () => {
    await f.browser?.close();
    await f.site?.close();
    await f.server?.close();
  });
  return f;
}
