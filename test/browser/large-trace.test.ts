/**
 * A 10,000-span trace in the trace view: it must open, keep only the rows in view in
 * the DOM, and stay navigable by scrolling and by keyboard (End, collapse with ArrowLeft).
 */
import { describe, expect, it } from 'vitest';
import { axeViolations, CHROMIUM_MISSING, HAVE_CHROMIUM, screenshot, showPage, withDashboard } from '../helpers/browser.js';
import { eventually, getJson, post, startTestServer } from '../helpers/server.js';
import type { ZipkinSpanOut } from '../helpers/server.js';

const SPANS = 10_000;
const FAN_OUT = 4;
const TRACE_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
/** Rows in a 900-px-high page's waterfall plus overscan: far below the span count. */
const MAX_ROWS_IN_DOM = 80;

const spanId = (i: number): string => (i + 1).toString(16).padStart(16, '0');

/** A balanced call tree, FAN_OUT children per span, alternating server and client spans. */
function bigTrace(startUs: number): ZipkinSpanOut[] {
  const spans: ZipkinSpanOut[] = [];
  for (let i = 0; i < SPANS; i++) {
    const parent = i === 0 ? undefined : Math.floor((i - 1) / FAN_OUT);
    const depth = Math.floor(Math.log(i * (FAN_OUT - 1) + 1) / Math.log(FAN_OUT));
    spans.push({
      traceId: TRACE_ID, id: spanId(i), ...(parent === undefined ? {} : { parentId: spanId(parent) }),
      kind: depth % 2 === 0 ? 'SERVER' : 'CLIENT', name: `op-${i}`,
      timestamp: startUs + i * 20, duration: Math.max(50, 2_000_000 >> depth),
      localEndpoint: { serviceName: `svc-${i % 40}` }, tags: { 'http.method': 'GET', index: String(i) },
    });
  }
  return spans;
}

const suite = HAVE_CHROMIUM ? describe : describe.skip;

suite(HAVE_CHROMIUM ? 'trace view of a 10,000-span trace' : CHROMIUM_MISSING, () => {
  const f = withDashboard(async () => {
    const server = await startTestServer();
    const spans = bigTrace(Date.now() * 1000 - 5_000_000);
    for (let i = 0; i < spans.length; i += 2500) {
      expect((await post(`${server.zipkin}/api/v2/spans`, JSON.stringify(spans.slice(i, i + 2500)))).status).toBe(202);
    }
    await eventually(async () => {
      const view = await getJson<{ spans: unknown[] }>(`${server.api}/api/traces/${TRACE_ID}`);
      expect(view.spans.length).toBe(SPANS);
    }, 15_000);
    return server;
  });

  // How fast it opens is measured by the bench (`dashboard` section), not asserted here.
  it('opens and renders only the rows in view', async () => {
    const { page } = f.w;
    await showPage(page, f.site.origin, `#/traces/${TRACE_ID}`, 'trace');
    const rows = await page.locator('[role="treeitem"]').count();
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThanOrEqual(MAX_ROWS_IN_DOM);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'trace-10k');
  });

  it('scrolls to any depth of the list without rendering more', async () => {
    const { page } = f.w;
    const tree = page.locator('[role="tree"]');
    const middle = Math.floor(SPANS / 2);
    await tree.evaluate((el, top) => { (el as { scrollTop: number }).scrollTop = top; }, middle * 28);
    await page.locator(`#span-row-${middle}`).waitFor();
    expect(await page.locator('[role="treeitem"]').count()).toBeLessThanOrEqual(MAX_ROWS_IN_DOM);
  });

  it('End selects the last span and shows its details; ArrowLeft on the root folds the whole tree', async () => {
    const { page } = f.w;
    const tree = page.locator('[role="tree"]');
    await tree.focus();
    await page.keyboard.press('End');
    await expect.poll(() => tree.getAttribute('aria-activedescendant')).toBe(`span-row-${SPANS - 1}`);
    await expect(page.locator(`#span-row-${SPANS - 1}`).getAttribute('aria-selected')).resolves.toBe('true');
    await expect(page.locator('.span-details h2').textContent()).resolves.toMatch(/^svc-\d+: op-\d+$/);
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.locator('[role="treeitem"]').count()).toBe(1);
    await expect(page.locator('#span-row-0').getAttribute('aria-expanded')).resolves.toBe('false');
    await page.keyboard.press('ArrowRight');
    // The list grows back to its full height a frame later, once it has measured itself again.
    await expect.poll(() => page.locator('[role="treeitem"]').count()).toBeGreaterThan(20);
  });

  it('kept to its origin and the CSP', async () => {
    expect(f.w.foreignRequests).toEqual([]);
    expect(await f.w.cspViolations()).toEqual([]);
    expect(f.w.consoleErrors).toEqual([]);
  });
});
