/**
 * The dashboard end to end in Chromium: the simulator plays Bookinfo with `reviews` dropping the
 * trace headers into a real meshtrace; every page must show the break, pass axe with no
 * violations, run under a strict CSP and never send a request off its origin.
 */
import { describe, expect, it } from 'vitest';
import { play, simulate } from '../../src/simulator/index.js';
import { axeViolations, CHROMIUM_MISSING, computedStyle, HAVE_CHROMIUM, screenshot, showPage, withDashboard } from '../helpers/browser.js';
import { eventually, getJson, startTestServer } from '../helpers/server.js';

interface Report { workloads: { workload: string; verdict: string }[] }
interface Detail { grafts: { orphanTraceId: string; parentTraceId: string; confidence: number }[] }

const suite = HAVE_CHROMIUM ? describe : describe.skip;

suite(HAVE_CHROMIUM ? 'dashboard in Chromium' : CHROMIUM_MISSING, () => {
  let graft: Detail['grafts'][number];
  const f = withDashboard(async () => {
    const server = await startTestServer(['--audit-min-requests', '50']);
    const sim = simulate({
      topology: 'bookinfo', provider: 'zipkin', samplingPercent: 100, concurrency: 4, requests: 300, clockSkewMs: 50,
      behaviours: { reviews: 'forward-none' }, seed: 7, startUs: Date.now() * 1000 - 60_000_000,
    });
    const sent = await play(sim.batches, 'zipkin', { zipkinUrl: server.zipkin }, { realtime: false });
    expect(sent.failures).toBe(0);
    await eventually(async () => {
      const r = await getJson<Report>(`${server.api}/api/propagation/report`);
      expect(r.workloads[0]).toMatchObject({ workload: 'reviews', verdict: 'breaks-propagation' });
      expect(r.workloads.filter((x) => x.verdict === 'propagates').length).toBeGreaterThanOrEqual(3);
    }, 20_000);
    const detail = await getJson<Detail>(`${server.api}/api/propagation/workloads/default/reviews?window=1h`);
    graft = detail.grafts[0]!;
    expect(graft).toBeDefined();
    return server;
  });

  it('overview lists the breaking workload first, with its affected edge and trend', async () => {
    const { page } = f.w;
    await showPage(page, f.site.origin, '#/?window=1h', 'overview');
    const first = page.locator('#workloads tbody tr').first();
    await expect(first.locator('th').textContent()).resolves.toContain('reviews');
    await expect(first.locator('.badge').textContent()).resolves.toBe('Breaks propagation');
    await expect(first.locator('td').nth(5).textContent()).resolves.toContain('default/ratings');
    await first.locator('svg.sparkline').waitFor();
    await expect(page.locator('.score').textContent()).resolves.toMatch(/^\d+(\.\d)?%$/);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'overview');
  });

  it('graph draws the breaking edge red and its inferred re-stitches dashed', async () => {
    const { page } = f.w;
    await showPage(page, f.site.origin, '#/graph?window=1h', 'graph');
    const edge = page.locator('path.edge[data-from="default/reviews"][data-to="default/ratings"]');
    await expect(edge.getAttribute('data-state')).resolves.toBe('breaking');
    await expect(computedStyle(edge, 'stroke')).resolves.toBe('rgb(198, 40, 40)');
    await expect(page.locator('path.edge[data-from="default/productpage"][data-to="default/details"]').getAttribute('data-state')).resolves.toBe('ok');
    await expect(page.locator('path.edge-restitched[data-from="default/reviews"]').getAttribute('stroke-dasharray')).resolves.toBe('6 4');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'graph');
  });

  it('workload page charts the gap ratio and says which headers to forward', async () => {
    const { page } = f.w;
    await showPage(page, f.site.origin, '#/workloads/default/reviews?window=1h', 'workload');
    const headers = await page.locator('ul.header-list code').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['x-request-id', 'x-b3-traceid', 'x-b3-spanid']));
    await expect(page.locator('svg.chart[role="img"]').getAttribute('aria-label')).resolves.toMatch(/peak 100%/);
    await expect(page.locator('details.snippet[open] pre').textContent()).resolves.toContain('OTEL_PROPAGATORS=baggage,b3multi');
    await expect(page.locator('a[href^="#/traces/"]').count()).resolves.toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'workload');
  });

  it('trace view marks where the trace split, and the stitched view hangs the fragment back', async () => {
    const { page } = f.w;
    await showPage(page, f.site.origin, `#/traces/${graft.orphanTraceId}`, 'trace');
    await expect(page.locator('.tree-row.mark-split-root').count()).resolves.toBe(1);
    await expect(page.locator('.breaks').textContent()).resolves.toContain('did not forward the trace headers');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'trace-split');

    await page.locator('#stitched').check();
    await page.locator('.tree-row.mark-graft').waitFor();
    expect(page.url()).toContain('stitched=true');
    await expect(page.locator('h1 .trace-id').textContent()).resolves.toBe(graft.parentTraceId);
    await expect(page.locator('.breaks').textContent()).resolves.toMatch(/re-stitched by timing, confidence \d+%/);
    await expect(page.locator('.tree-row.fragment').count()).resolves.toBeGreaterThan(1);
    await page.locator('.tree-row.mark-graft').click();
    await expect(page.locator('.span-details').textContent()).resolves.toContain('Re-stitched by timing');
    await expect(page.locator('.span-details table.tags').textContent()).resolves.toContain('node_id');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'trace-stitched');
  });

  it('trace view is keyboard-usable: arrows move the selection and open its details', async () => {
    const { page } = f.w;
    await showPage(page, f.site.origin, `#/traces/${graft.parentTraceId}`, 'trace');
    await page.locator('[role="tree"]').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('[role="tree"]').getAttribute('aria-activedescendant')).toBe('span-row-1');
    await expect(page.locator('#span-row-1').getAttribute('aria-selected')).resolves.toBe('true');
    await expect(page.locator('.span-details h2').count()).resolves.toBe(1);
  });

  it('search finds a trace by its id', async () => {
    const { page } = f.w;
    await showPage(page, f.site.origin, '#/search', 'search');
    await page.getByLabel('Trace id').fill(graft.parentTraceId);
    await page.getByRole('button', { name: 'Find traces' }).click();
    const link = page.getByRole('link', { name: graft.parentTraceId });
    await link.waitFor();
    await expect(page.locator('#search-results tbody tr').count()).resolves.toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'search');
    await link.click();
    await page.waitForSelector('body[data-ready="trace"]');
  });

  it('never left its origin, kept to the CSP and logged no errors', async () => {
    expect(f.w.foreignRequests).toEqual([]);
    expect(await f.w.cspViolations()).toEqual([]);
    expect(f.w.consoleErrors).toEqual([]);
  });
});
