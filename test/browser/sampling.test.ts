/**
 * The Sampling page over a meshtrace that reads Envoy config dumps (`--xds-config-dump`): two
 * reviews pods run different rates, so the drift table says so; the page passes axe.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axeViolations, CHROMIUM_MISSING, HAVE_CHROMIUM, screenshot, showPage, withDashboard } from '../helpers/browser.js';
import { eventually, startTestServer } from '../helpers/server.js';

const suite = HAVE_CHROMIUM ? describe : describe.skip;
const FIXTURES = join(process.cwd(), 'test', 'xds', 'fixtures');
const DUMPS = ['sidecar-zipkin-reviews-v1-7d9f6c5b8-2xk4p.json', 'sidecar-zipkin-reviews-v1-7d9f6c5b8-9qlmz.json'].map((f) => join(FIXTURES, f));

suite(HAVE_CHROMIUM ? 'dashboard sampling page' : CHROMIUM_MISSING, () => {
  const f = withDashboard(async () => {
    const server = await startTestServer(['--xds-config-dump', DUMPS.join(',')]);
    await eventually(async () => {
      const drift = await (await fetch(`${server.api}/api/sampling/drift`)).json() as { workloads: unknown[] };
      expect(drift.workloads.length).toBeGreaterThan(0);
    }, 15_000);
    return server;
  });

  it('shows intended, effective and observed rates with the findings, accessibly', async () => {
    const { page } = f.w;
    await showPage(page, f.site.origin, '#/sampling', 'sampling');
    const row = page.locator('table.data-table tbody tr', { hasText: 'default/reviews' });
    await expect(row.count()).resolves.toBe(1);
    const text = (await row.textContent()) ?? '';
    expect(text).toMatch(/%/);
    expect(text).toContain('pods-disagree');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sampling');
  });
});
