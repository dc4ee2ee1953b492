import { describe, expect, it } from 'vitest';
import { fixtureJson, fixtureProxy } from '../../test/xds/helpers.js';
import { readConfigDump } from './config-dump.js';
import { groupWorkloads, proxyTracing } from './effective.js';

describe('effective tracing from config dumps', () => {
  it('reads a 1.22 sidecar with the Zipkin provider: sides, provider details, identity, last update', () => {
    const p = fixtureProxy('sidecar-zipkin-reviews-v1-7d9f6c5b8-2xk4p.json');
    expect(p.proxy).toMatchObject({ type: 'sidecar', pod: 'reviews-v1-7d9f6c5b8-2xk4p', namespace: 'default', workload: 'reviews', istioVersion: '1.22.3', envoyVersion: '1.30.4' });
    expect(p.percentage).toBe(10);
    expect(p.provider).toMatchObject({ kind: 'zipkin', collectorCluster: 'outbound|9411||zipkin.istio-system.svc.cluster.local', sharedSpanContext: false });
    expect(p.sides.inbound).toEqual({ percentages: [10], providers: ['zipkin'], enabledHcms: 2, disabledHcms: [] });
    expect(p.sides.outbound?.enabledHcms).toBe(2);
    // Static listeners (15090 stats, 15021 health) have HCMs without tracing and must not count.
    expect(p.hcms.every((h) => !h.listener.includes('15090'))).toBe(true);
    const h = p.hcms[0]!;
    expect(h).toMatchObject({ randomSampling: 10, clientSampling: 100, overallSampling: 100, spawnUpstreamSpan: false, maxPathTagLength: 256 });
    expect(h.customTags.find((t) => t.tag === 'istio.canonical_service')).toEqual({ tag: 'istio.canonical_service', type: 'literal', value: 'reviews' });
    expect(p.lastUpdated).toBe('2024-06-03T09:12:44.870Z');
    expect(p.problems).toEqual([]);
  });

  it('treats an absent random_sampling as Envoy does (100%) and reads the OpenTelemetry collector', () => {
    const p = fixtureProxy('sidecar-otel-sampling-unset.json');
    expect(p.hcms[0]!.randomSampling).toBeUndefined();
    expect(p.percentage).toBe(100);
    expect(p.provider).toMatchObject({ kind: 'opentelemetry', collectorCluster: 'outbound|4317||opentelemetry-collector.observability.svc.cluster.local' });
  });

  it('reads gateways (router, spawn_upstream_span), W3C propagation and provider samplers', () => {
    const g = fixtureProxy('gateway-zipkin.json');
    expect(g.proxy.type).toBe('router');
    expect(g.sides.gateway?.percentages).toEqual([5]);
    expect(g.hcms[0]!.spawnUpstreamSpan).toBe(true);
    expect(fixtureProxy('sidecar-zipkin-w3c.json').provider?.traceContextOption).toBe('USE_B3_WITH_W3C_PROPAGATION');
    expect(fixtureProxy('sidecar-otel-sampler.json').provider?.sampler).toBe('envoy.tracers.opentelemetry.samplers.dynatrace');
  });

  it('reads the old layout: v2 types, envoy.http_connection_manager with config, bootstrap tracer, operation_name', () => {
    const p = fixtureProxy('legacy-v2-layout.json');
    expect(p.proxy).toMatchObject({ workload: 'productpage', namespace: 'legacy', istioVersion: '1.5.10', envoyVersion: '1.14.5' });
    expect(p.provider).toMatchObject({ kind: 'zipkin', fromBootstrap: true, collectorCluster: 'zipkin', sharedSpanContext: false });
    expect(p.sides.inbound?.percentages).toEqual([5]);
    expect(p.sides.outbound?.percentages).toEqual([5]);
    expect(p.proxy.annotations['proxy.istio.io/config']).toContain('sampling: 25');
  });

  it('reads lowerCamelCase keys the same as snake_case', () => {
    const camel = fixtureProxy('sidecar-camel-case.json');
    expect(camel.proxy.workload).toBe('cart');
    expect(camel.percentage).toBe(5);
    expect(camel.sides.inbound?.enabledHcms).toBe(2);
    expect(camel.lastUpdated).toBe('2024-06-03T09:12:44.870Z');
  });

  it('reports listeners without tracing per side', () => {
    const p = fixtureProxy('sidecar-client-tracing-off.json');
    expect(p.sides.inbound?.disabledHcms).toEqual([]);
    expect(p.sides.outbound).toMatchObject({ enabledHcms: 0, percentages: [], disabledHcms: ['0.0.0.0_9080##0', '0.0.0.0_8080##0'] });
  });

  it('keeps reading past unknown type URLs and Anys without @type, naming each with its path', () => {
    const p = fixtureProxy('bad-unknown-type.json');
    expect(p.problems).toEqual([
      expect.stringMatching(/^configs\[1\]\.dynamic_listeners\[0\]\.active_state\.listener\.filter_chains\[1\]\.filters\[0\]\.typed_config: unknown type URL .*HttpConnectionManagerNext/),
      expect.stringMatching(/^configs\[1\]\.dynamic_listeners\[1\]\.active_state\.listener\.filter_chains\[0\]\.filters\[0\]\.tracing\.provider\.typed_config: Any without @type/),
    ]);
    expect(p.sides.inbound?.enabledHcms).toBe(1);
  });

  it('rejects input that is not a config dump and accepts a bare Listener array', () => {
    expect(readConfigDump({ hello: 1 }, 'x.json')).toEqual({ ok: false, error: 'x.json: not an Envoy config dump (no configs[]; keys: hello)' });
    expect(readConfigDump('text', 'x.json').ok).toBe(false);
    const dump = fixtureJson('gateway-zipkin.json') as { configs: { dynamic_listeners?: { active_state: { listener: unknown } }[] }[] };
    const bare = readConfigDump([dump.configs[1]!.dynamic_listeners![0]!.active_state.listener], 'pc-listener.json');
    expect(bare.ok && proxyTracing(bare.value).hcms.length).toBe(1);
  });

  it('does not take other JSON arrays (a Zipkin span export, an empty list) for a Listener array', () => {
    const spans = [{ traceId: '978883983d506fa5', id: '978883983d506fa5', kind: 'SERVER', name: 'localhost:10000' }];
    expect(readConfigDump(spans, 'spans.json')).toEqual({ ok: false, error: 'spans.json: not an Envoy config dump (an array, but not of Listeners)' });
    expect(readConfigDump([], 'empty.json').ok).toBe(false);
  });

  it('groups pods into workloads by namespace and canonical service', () => {
    const ws = groupWorkloads([
      fixtureProxy('sidecar-zipkin-reviews-v1-7d9f6c5b8-9qlmz.json'), fixtureProxy('gateway-zipkin.json'), fixtureProxy('sidecar-zipkin-reviews-v1-7d9f6c5b8-2xk4p.json'),
    ]);
    expect(ws.map((w) => [w.key, w.proxies.length, w.gateway])).toEqual([['default/reviews', 2, false], ['istio-system/istio-ingressgateway', 1, true]]);
  });
});
