/**
 * A meshtrace that has received nothing yet: each page tells a newcomer how to point Istio at it
 * (the meshConfig provider and a Telemetry resource) or to try `meshtrace serve --demo`.
 */
import { describe, expect, it } from 'vitest';
import { axeViolations, CHROMIUM_MISSING, HAVE_CHROMIUM, screenshot, showPage, withDashboard } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';

const suite = HAVE_CHROMIUM ? describe : describe.skip;

suite(HAVE_CHROMIUM ? 'dashboard of an empty meshtrace' : CHROMIUM_MISSING, () => {
  const f = withDashboard(() => startTestServer());

  it.each([
    ['overview', '#/', 'overview'],
    ['graph', '#/graph', 'graph'],
    ['search', '#/search', 'search'],
  ])('%s explains how to send spans', async (name, hash, ready) => {
    const { page } = f.w;
    await showPage(page, f.site.origin, hash, ready);
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
    const { page } = f.w;
    await page.goto(`${f.site.origin}/#/traces/${'ab'.repeat(16)}`);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not found');
    await page.goto(`${f.site.origin}/#/no/such/page`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Page not found');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('kept to its origin and the CSP', async () => {
    expect(f.w.foreignRequests).toEqual([]);
    expect(await f.w.cspViolations()).toEqual([]);
  });
});
