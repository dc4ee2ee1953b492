/**
 * The Sampling page shows a `provider-mismatch` finding with the header counts it rests on: a
 * Zipkin (B3 only) workload whose app forwarded only traceparent, fed over the real ingest.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axeViolations, CHROMIUM_MISSING, HAVE_CHROMIUM, showPage, withDashboard } from '../helpers/browser.js';
import { eventually, post, startTestServer } from '../helpers/server.js';

const suite = HAVE_CHROMIUM ? describe : describe.skip;
const DUMP = join(process.cwd(), 'test', 'xds', 'fixtures', 'sidecar-camel-case.json'); // web/cart: Zipkin, USE_B3
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** web/cart's sidecar reporting an outbound call that started a new trace while the app sent a traceparent. */
function cartCall(): Record<string, unknown> {
  const traceId = hex(16);
  const id = hex(8);
  return {
    traceId, id, kind: 'CLIENT', name: 'details.web.svc.cluster.local:9080/*', timestamp: Date.now() * 1000, duration: 900,
    localEndpoint: { serviceName: 'cart.web', ipv4: '10.244.3.11' },
    tags: {
      node_id: 'sidecar~10.244.3.11~cart-5f9b8c7d6-w2x9z.web~web.svc.cluster.local', component: 'proxy',
      upstream_cluster: 'outbound|9080||details.web.svc.cluster.local', 'istio.canonical_service': 'cart', 'istio.namespace': 'web',
      'x-b3-traceid': traceId, 'x-b3-spanid': id, traceparent: `00-${hex(16)}-${hex(8)}-01`,
    },
  };
}

suite(HAVE_CHROMIUM ? 'dashboard sampling page: provider mismatch' : CHROMIUM_MISSING, () => {
  const f = withDashboard(async () => {
    const server = await startTestServer(['--xds-config-dump', DUMP]);
    await eventually(async () => {
      const drift = await (await fetch(`${server.api}/api/sampling/drift`)).json() as { workloads: unknown[] };
      expect(drift.workloads.length).toBeGreaterThan(0);
    }, 15_000);
    expect((await post(`${server.zipkin}/api/v2/spans`, JSON.stringify([cartCall(), cartCall(), cartCall()]))).status).toBe(202);
    return server;
  });

  it('shows provider-mismatch with its evidence counts', async () => {
    const { page } = f.w;
    await showPage(page, f.site.origin, '#/sampling', 'sampling');
    const row = page.locator('table.data-table tbody tr', { hasText: 'web/cart' });
    await expect(row.count()).resolves.toBe(1);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('provider-mismatch');
    expect(text).toContain('traceparent forwarded on 3 requests, B3 on 0');
    expect(await axeViolations(page)).toEqual([]);
  });
});
