import { describe, expect, it } from 'vitest';
import { fixtureIntendedInputs, fixtureProxy } from '../../test/xds/helpers.js';
import { driftReport } from './drift.js';
import { groupWorkloads } from './effective.js';
import { intendedResolver } from './intended.js';
import type { DriftKind, FamilyEvidence, HeaderEvidence, IntendedResolver, WorkloadDrift } from './types.js';

const fam = (ignored: number, ignoredOnRoots: number, agreeing: number): FamilyEvidence => ({ ignored, ignoredOnRoots, agreeing });
const NONE = fam(0, 0, 0);
const evidence = (e: Partial<HeaderEvidence>): HeaderEvidence => ({ b3: NONE, traceparent: NONE, ...e });

// Intended sampling as the SamplingPolicy controller's precedence resolver sees the fixture cluster.
const intended = intendedResolver(await fixtureIntendedInputs());

const ALL = [
  'sidecar-zipkin-reviews-v1-7d9f6c5b8-2xk4p.json', 'sidecar-zipkin-reviews-v1-7d9f6c5b8-9qlmz.json', 'sidecar-otel-sampling-unset.json',
  'sidecar-client-tracing-off.json', 'sidecar-otel-sampler.json', 'sidecar-zipkin-w3c.json', 'gateway-zipkin.json', 'legacy-v2-layout.json',
  'sidecar-camel-case.json',
];

function kinds(d: WorkloadDrift): DriftKind[] {
  return d.findings.map((f) => f.kind);
}

function report(files: readonly string[], resolver: IntendedResolver = intended, extra: Parameters<typeof driftReport>[1] = {}): Map<string, WorkloadDrift> {
  return new Map(driftReport(groupWorkloads(files.map(fixtureProxy)), { intended: resolver, ...extra }).map((d) => [d.key, d]));
}

describe('sampling drift', () => {
  it('finds exactly the expected findings on every fixture', () => {
    const r = report(ALL);
    expect(Object.fromEntries([...r].map(([k, d]) => [k, kinds(d)]))).toEqual({
      'default/details': [],
      'default/ratings': [],
      'default/reviews': ['stale-proxy', 'pods-disagree'],
      'istio-system/istio-ingressgateway': [],
      'legacy/productpage': ['stale-proxy'],
      'payments/checkout': ['overridden'],
      'web/cart': [],
      'web/frontend': [],
    });
    const reviews = r.get('default/reviews')!;
    expect(reviews.findings[0]).toMatchObject({ proxies: ['sidecar~10.244.2.31~reviews-v1-7d9f6c5b8-9qlmz.default~default.svc.cluster.local'], restartRequired: false });
    expect(reviews.effective).toEqual([
      { percentage: 10, proxies: ['sidecar~10.244.1.17~reviews-v1-7d9f6c5b8-2xk4p.default~default.svc.cluster.local'] },
      { percentage: 1, proxies: ['sidecar~10.244.2.31~reviews-v1-7d9f6c5b8-9qlmz.default~default.svc.cluster.local'] },
    ]);
    expect(r.get('legacy/productpage')!.findings[0]).toMatchObject({ restartRequired: true });
    expect(r.get('legacy/productpage')!.findings[0]!.reason).toMatch(/restart the pods/);
  });

  it('flags tracing-disabled listeners unless Telemetry turned that side off', () => {
    const off = ['sidecar-client-tracing-off.json'];
    expect(kinds(report(off).get('default/details')!)).toEqual([]);
    const noIntent = report(off, () => undefined).get('default/details')!;
    expect(kinds(noIntent)).toEqual(['tracing-disabled']);
    expect(noIntent.findings[0]!.reason).toMatch(/outbound 2\/2/);
  });

  it('flags provider mismatches from header evidence', () => {
    const headers = (key: string) => ({
      'web/cart': evidence({ traceparent: fam(40, 40, 0) }), // Zipkin, B3 only: every traceparent request became a root
      'web/frontend': evidence({ traceparent: fam(40, 40, 0) }),
      'default/ratings': evidence({ b3: fam(12, 12, 0) }), // OpenTelemetry
    })[key];
    const r = report(ALL, intended, { headers });
    expect(kinds(r.get('web/cart')!)).toEqual(['provider-mismatch']);
    const cart = r.get('web/cart')!.findings[0]!;
    expect(cart.reason).toMatch(/traceparent on 40 outbound requests and B3 on none/);
    expect(cart.reason).toMatch(/USE_B3_WITH_W3C_PROPAGATION/);
    expect(cart.headers).toEqual({ foreign: { header: 'traceparent', requests: 40 }, provider: { header: 'b3', requests: 0 } });
    expect(r.get('web/cart')!.headers).toEqual(headers('web/cart'));
    expect(kinds(r.get('web/frontend')!)).toEqual([]); // Zipkin with W3C fallback reads traceparent
    expect(kinds(r.get('default/ratings')!)).toEqual(['provider-mismatch']);
    expect(r.get('default/ratings')!.findings[0]!.reason).toMatch(/B3 on 12 outbound requests and traceparent on none/);
  });

  it('reads only the family the provider never writes, and not when apps also send the provider\'s', () => {
    const on = (key: string, e: HeaderEvidence) => kinds(report(ALL, intended, { headers: (k) => (k === key ? e : undefined) }).get(key)!);
    // Zipkin proxies inject B3 themselves: B3 tags that "disagree" or not say nothing about the app.
    expect(on('web/cart', evidence({ b3: fam(30, 30, 5) }))).toEqual([]);
    // The app sent B3 too: an agreeing traceparent, or a foreign one on a parented span.
    expect(on('web/cart', evidence({ traceparent: fam(40, 40, 1) }))).toEqual([]);
    expect(on('web/cart', evidence({ traceparent: fam(40, 39, 0) }))).toEqual([]);
    // OpenTelemetry proxies inject traceparent: those tags are no evidence either way.
    expect(on('default/ratings', evidence({ traceparent: fam(9, 9, 0) }))).toEqual([]);
    expect(on('default/ratings', evidence({ b3: fam(0, 0, 7) }))).toEqual([]);
    expect(on('default/ratings', evidence({ b3: fam(3, 3, 0) }))).toEqual(['provider-mismatch']);
  });

  it('reports an upstream decision when the observed rate differs from the configured one', () => {
    const observed = (key: string) => ({ 'istio-system/istio-ingressgateway': { percentage: 0.9, samples: 200 }, 'web/cart': { percentage: 5.3, samples: 500 }, 'web/frontend': { percentage: 50, samples: 3 } })[key];
    const r = report(ALL, intended, { observed });
    expect(kinds(r.get('istio-system/istio-ingressgateway')!)).toEqual(['overridden']);
    expect(r.get('istio-system/istio-ingressgateway')!.findings[0]!.reason).toMatch(/clients send requests/);
    expect(kinds(r.get('web/cart')!)).toEqual([]);
    expect(kinds(r.get('web/frontend')!)).toEqual([]); // too few samples to judge
    expect(r.get('web/cart')!.observed).toEqual({ percentage: 5.3, samples: 500 });
  });

  it('reports stale proxies when tracing should be off, or the provider changed', () => {
    const p = fixtureProxy('gateway-zipkin.json');
    const off: IntendedResolver = () => ({ percentage: 5, tracingEnabled: false, sources: [{ kind: 'Telemetry', ref: 'istio-system/off' }] });
    expect(kinds(driftReport(groupWorkloads([p]), { intended: off })[0]!)).toEqual(['stale-proxy']);
    const otel: IntendedResolver = () => ({ percentage: 5, providerKind: 'opentelemetry', provider: 'meshtrace-otel', sources: [{ kind: 'Telemetry', ref: 'istio-system/x' }] });
    const d = driftReport(groupWorkloads([p]), { intended: otel })[0]!;
    expect(d.findings[0]!.reason).toMatch(/provider meshtrace-otel but zipkin is running/);
  });
});
