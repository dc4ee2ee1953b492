/**
 * `meshtrace serve` with config dumps of Zipkin (B3 only) and OpenTelemetry sidecars, fed sidecar
 * spans carrying header custom tags over the real ingest: apps that sent only the other family's
 * header show as `provider-mismatch` in the drift API; apps whose header agrees with the mesh's
 * trace (they forwarded both) show their evidence and no finding.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getJson, post, startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { FIXTURES } from './helpers.js';

const DUMPS = [
  'sidecar-camel-case.json', // web/cart: Zipkin, USE_B3
  'sidecar-zipkin-reviews-v1-7d9f6c5b8-2xk4p.json', 'sidecar-zipkin-reviews-v1-7d9f6c5b8-9qlmz.json', // default/reviews: Zipkin, USE_B3
  'sidecar-otel-sampling-unset.json', // default/ratings: OpenTelemetry
].map((f) => join(FIXTURES, f));

interface Finding { kind: string; reason: string; proxies: string[]; headers?: { foreign: { header: string; requests: number }; provider: { header: string; requests: number } } }
interface FamilyOut { ignored: number; ignoredOnRoots: number; agreeing: number }
interface DriftOut { workloads: { key: string; headers?: { traceparent: FamilyOut; b3: FamilyOut }; findings: Finding[] }[]; counts: Record<string, number> }

let server: TestServer;

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

interface Pod { readonly workload: string; readonly namespace: string; readonly ip: string; readonly pod: string }
const CART: Pod = { workload: 'cart', namespace: 'web', ip: '10.244.3.11', pod: 'cart-5f9b8c7d6-w2x9z' };
const REVIEWS: Pod = { workload: 'reviews', namespace: 'default', ip: '10.244.1.17', pod: 'reviews-v1-7d9f6c5b8-2xk4p' };
const RATINGS: Pod = { workload: 'ratings', namespace: 'default', ip: '10.244.1.22', pod: 'ratings-v1-5c8d6b9f4-t7wq2' };

/** The tags an Istio sidecar puts on an outbound span, plus the header custom tags. */
function sidecarTags(p: Pod, headers: Record<string, string>): Record<string, string> {
  return {
    node_id: `sidecar~${p.ip}~${p.pod}.${p.namespace}~${p.namespace}.svc.cluster.local`, component: 'proxy',
    upstream_cluster: `outbound|9080||details.${p.namespace}.svc.cluster.local`, 'istio.canonical_service': p.workload, 'istio.namespace': p.namespace,
    'guid:x-request-id': `${hex(4)}-0000-9000-8000-${hex(6)}`, 'http.status_code': '200', ...headers,
  };
}

/**
 * A Zipkin sidecar's outbound CLIENT span as Envoy reports it: `x-b3-*` are its own injection
 * (custom tags read after it), `traceparent` is whatever the app sent. `parentId`: the app
 * forwarded B3, so the proxy continued the trace.
 */
function zipkinClient(p: Pod, o: { traceId: string; parentId?: string; traceparent: string }): Record<string, unknown> {
  const id = hex(8);
  return {
    traceId: o.traceId, id, ...(o.parentId === undefined ? {} : { parentId: o.parentId }), kind: 'CLIENT', name: `details.${p.namespace}.svc.cluster.local:9080/*`,
    timestamp: Date.now() * 1000, duration: 1500, localEndpoint: { serviceName: `${p.workload}.${p.namespace}`, ipv4: p.ip },
    tags: sidecarTags(p, { 'x-b3-traceid': o.traceId, 'x-b3-spanid': id, 'x-b3-sampled': '1', traceparent: o.traceparent }),
  };
}

/** An OpenTelemetry sidecar's outbound CLIENT span (OTLP/JSON): `traceparent` is its own, `x-b3-traceid` the app's. */
function otlpClient(p: Pod, o: { traceId: string; b3TraceId: string }): Record<string, unknown> {
  const spanId = hex(8);
  const start = BigInt(Date.now()) * 1_000_000n;
  const attributes = Object.entries(sidecarTags(p, { traceparent: `00-${o.traceId}-${spanId}-01`, 'x-b3-traceid': o.b3TraceId }))
    .map(([key, value]) => ({ key, value: { stringValue: value } }));
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: `${p.workload}.${p.namespace}` } }] },
      scopeSpans: [{ scope: {}, spans: [{ traceId: o.traceId, spanId, kind: 3, name: 'egress details', startTimeUnixNano: String(start), endTimeUnixNano: String(start + 1_500_000n), attributes }] }],
    }],
  };
}

async function drift(query = ''): Promise<DriftOut> {
  return getJson<DriftOut>(`${server.api}/api/sampling/drift${query}`);
}

async function workload(key: string, ok: (w: DriftOut['workloads'][number]) => boolean): Promise<DriftOut['workloads'][number]> {
  return eventually(async () => {
    const w = (await drift()).workloads.find((x) => x.key === key);
    if (w === undefined || !ok(w)) throw new Error(`${key}: ${JSON.stringify(w)}`);
    return w;
  });
}

beforeAll(async () => {
  server = await startTestServer(['--xds-config-dump', DUMPS.join(',')]);
  await eventually(async () => {
    if ((await drift()).workloads.length < 3) throw new Error('dumps not read yet');
  });
});
afterAll(async () => server.close());

describe('serve: header evidence for provider-mismatch', () => {
  it('flags a Zipkin workload whose app forwarded only traceparent (foreign trace ids, root spans)', async () => {
    // Each call: the app sent W3C context, no B3; the Zipkin sidecar started a new trace.
    const spans = Array.from({ length: 12 }, () => zipkinClient(CART, { traceId: hex(16), traceparent: `00-${hex(16)}-${hex(8)}-01` }));
    expect((await post(`${server.zipkin}/api/v2/spans`, JSON.stringify(spans))).status).toBe(202);

    const cart = await workload('web/cart', (w) => w.findings.some((f) => f.kind === 'provider-mismatch'));
    const finding = cart.findings.find((f) => f.kind === 'provider-mismatch')!;
    expect(finding.headers).toEqual({ foreign: { header: 'traceparent', requests: 12 }, provider: { header: 'b3', requests: 0 } });
    expect(finding.reason).toMatch(/traceparent on 12 outbound requests and B3 on none/);
    expect(finding.proxies).toEqual(['sidecar~10.244.3.11~cart-5f9b8c7d6-w2x9z.web~web.svc.cluster.local']);
    expect(cart.headers?.traceparent).toEqual({ ignored: 12, ignoredOnRoots: 12, agreeing: 0 });
    const only = await drift('?kind=provider-mismatch');
    expect(only.workloads.map((w) => w.key)).toContain('web/cart');
  });

  it('raises nothing for a Zipkin workload whose app forwarded B3 and a traceparent of the same trace', async () => {
    const spans = Array.from({ length: 8 }, () => {
      const traceId = hex(16);
      return zipkinClient(REVIEWS, { traceId, parentId: hex(8), traceparent: `00-${traceId}-${hex(8)}-01` });
    });
    // One more: the app's own W3C trace next to forwarded B3 (a parented span) is no mismatch either.
    spans.push(zipkinClient(REVIEWS, { traceId: hex(16), parentId: hex(8), traceparent: `00-${hex(16)}-${hex(8)}-01` }));
    expect((await post(`${server.zipkin}/api/v2/spans`, JSON.stringify(spans))).status).toBe(202);

    // The evidence arrived (so the absence of a finding means something) ...
    const reviews = await workload('default/reviews', (w) => (w.headers?.traceparent.agreeing ?? 0) >= 8);
    expect(reviews.headers?.traceparent).toEqual({ ignored: 1, ignoredOnRoots: 0, agreeing: 8 });
    // ... and says the app forwards both families.
    expect(reviews.findings.map((f) => f.kind)).not.toContain('provider-mismatch');
  });

  it('flags an OpenTelemetry workload whose app forwarded only B3', async () => {
    const body = otlpClient(RATINGS, { traceId: hex(16), b3TraceId: hex(8) });
    expect((await post(`${server.otlpHttp}/v1/traces`, JSON.stringify(body))).status).toBe(200);
    const ratings = await workload('default/ratings', (w) => w.findings.some((f) => f.kind === 'provider-mismatch'));
    expect(ratings.findings.find((f) => f.kind === 'provider-mismatch')!.headers).toEqual({ foreign: { header: 'b3', requests: 1 }, provider: { header: 'traceparent', requests: 0 } });
    // Envoy's own traceparent on those spans is not counted as anything.
    expect(ratings.headers?.traceparent).toEqual({ ignored: 0, ignoredOnRoots: 0, agreeing: 0 });
  });

  it('reports what it counted in /api/status', async () => {
    const status = await getJson<{ headerEvidence: { workloads: number; spansWithHeaders: number; evicted: number } }>(`${server.api}/api/status`);
    expect(status.headerEvidence).toMatchObject({ workloads: 3, evicted: 0 });
    expect(status.headerEvidence.spansWithHeaders).toBeGreaterThanOrEqual(22);
  });
});
