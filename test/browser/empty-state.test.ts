/**
 * A meshtrace that has received nothing yet: each page tells a newcomer how to point Istio at it
 * (the meshConfig provider and a Telemetry resource) or to try `meshtrace serve --demo`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  assertDashboardBuilt, axeViolations, CHROMIUM_MISSING, dashboardSite, HAVE_CHROMIUM, launchChromium, openWatchedPage, screenshot, showPage,
} from '../helpers/browser.js';
import type { DashboardSite, WatchedPage } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

const suite = HAVE_CHROMIUM ? describe : describe.skip;

suite(HAVE_CHROMIUM ? 'dashboard of an empty meshtrace' : CHROMIUM_MISSING, () => {
  let server: TestServer;
  let site: DashboardSite;
  let browser: Browser;
  let w: WatchedPage;

  beforeAll(async () => {
    assertDashboardBuilt();
    server = await startTestServer();
    site = await dashboardSite(server);
    browser = await launchChromium();
    w = await openWatchedPage(browser, site.origin);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  it.each([
    ['overview', '#/', 'overview'],
    ['graph', '#/graph', 'graph'],
    ['search', '#/search', 'search'],
  ])('%s explains how to send spans', async (name, hash, ready) => {
    const { page } = w;
    await showPage(page, site.origin, hash, ready);
    const help = page.locator('.empty-state');
    await expect(help.locator('h2').textContent()).resolves.toBe('No sidecar spans yet');
    const text = await help.textContent();
    expect(text).toContain('service: meshtrace.istio-system.svc.cluster.local');
    expect(text).toContain('port: 9411');
    expect(text).toContain('port: 4317');
    expect(text).toContain('kind: Telemetry');
    expect(text).toContain('meshtrace serve --demo');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, `empty-${name}`);
  });

  it('an unknown trace and an unknown page say so', async () => {
    const { page } = w;
    await page.goto(`${site.origin}/#/traces/${'ab'.repeat(16)}`);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not found');
    await page.goto(`${site.origin}/#/no/such/page`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Page not found');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('kept to its origin and the CSP', async () => {
    expect(w.foreignRequests).toEqual([]);
    expect(await w.cspViolations()).toEqual([]);
  });
});
