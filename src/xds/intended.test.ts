import { describe, expect, it } from 'vitest';
import { annotationSampling, telemetryResolver } from './intended.js';
import type { MeshTracingInput, TelemetryResource } from './intended.js';
import type { WorkloadRef } from './types.js';

const mesh: MeshTracingInput = { defaultProviders: { tracing: ['zipkin'] }, extensionProviders: [{ name: 'zipkin', zipkin: {} }] };
const pod = (over: Partial<WorkloadRef> = {}): WorkloadRef => ({ key: 'shop/cart', namespace: 'shop', workload: 'cart', gateway: false, labels: { app: 'cart' }, annotations: {}, ...over });
const tel = (ns: string, name: string, spec: TelemetryResource['spec'], created = '2024-01-01T00:00:00Z'): TelemetryResource => ({ metadata: { namespace: ns, name, creationTimestamp: created }, ...(spec === undefined ? {} : { spec }) });

describe('standalone intended-sampling resolver', () => {
  it('falls back to PILOT_TRACE_SAMPLING (1%) with nothing set', () => {
    expect(telemetryResolver([], mesh)(pod())).toMatchObject({ percentage: 1, tracingEnabled: true, provider: 'zipkin', providerKind: 'zipkin', sources: [{ kind: 'IstiodDefault', effect: 'decides' }] });
  });

  it('orders Telemetry > annotation > meshConfig > istiod default', () => {
    const m = { ...mesh, defaultConfig: { tracing: { sampling: 5 } } };
    const annotated = pod({ annotations: { 'proxy.istio.io/config': '{"tracing":{"sampling":25}}' } });
    expect(telemetryResolver([], m)(pod()).percentage).toBe(5);
    expect(telemetryResolver([], m)(annotated).sources.map((s) => s.kind)).toEqual(['ProxyConfigAnnotation', 'MeshConfig', 'IstiodDefault']);
    expect(telemetryResolver([tel('istio-system', 'mesh', { tracing: [{ randomSamplingPercentage: 50 }] })], m)(annotated).percentage).toBe(50);
  });

  it('layers root → namespace → selector, oldest namespace-wide only, and ignores root selectors', () => {
    const ts = [
      tel('istio-system', 'root', { tracing: [{ randomSamplingPercentage: 10 }] }),
      tel('shop', 'newer', { tracing: [{ randomSamplingPercentage: 30 }] }, '2024-02-01T00:00:00Z'),
      tel('shop', 'older', { tracing: [{ randomSamplingPercentage: 20 }] }, '2024-01-15T00:00:00Z'),
      tel('istio-system', 'root-selector', { selector: { matchLabels: { app: 'cart' } }, tracing: [{ randomSamplingPercentage: 99 }] }),
    ];
    expect(telemetryResolver(ts, mesh)(pod()).percentage).toBe(20);
    expect(telemetryResolver([...ts, tel('shop', 'cart', { selector: { matchLabels: { app: 'cart' } }, tracing: [{ randomSamplingPercentage: 40 }] })], mesh)(pod()).percentage).toBe(40);
    expect(telemetryResolver(ts, mesh)(pod({ namespace: 'other' })).percentage).toBe(10);
  });

  it('applies match.mode per side: gateways take the client side', () => {
    const ts = [tel('shop', 'split', { tracing: [{ match: { mode: 'CLIENT' }, randomSamplingPercentage: 70 }, { match: { mode: 'SERVER' }, disableSpanReporting: true }] })];
    const r = telemetryResolver(ts, mesh)(pod());
    expect(r).toMatchObject({ percentage: 1, client: { percentage: 70, tracingEnabled: true }, server: { tracingEnabled: false }, tracingEnabled: false });
    expect(telemetryResolver(ts, mesh)(pod({ gateway: true })).percentage).toBe(70);
  });

  it('lets a provider sampler decide, and turns tracing off without a provider', () => {
    const m: MeshTracingInput = { extensionProviders: [{ name: 'dt', opentelemetry: { dynatraceSampler: {} } }] };
    expect(telemetryResolver([tel('shop', 'x', { tracing: [{ providers: [{ name: 'dt' }], randomSamplingPercentage: 20 }] })], m)(pod()))
      .toMatchObject({ percentage: 100, providerKind: 'opentelemetry', sources: [{ kind: 'ProviderSampler' }, { kind: 'Telemetry', percentage: 20, effect: 'overridden' }, { kind: 'IstiodDefault' }] });
    expect(telemetryResolver([], {})(pod()).tracingEnabled).toBe(false);
  });

  it('reads the annotation as YAML or JSON; 0 is unset, out-of-range ProxyConfig values become 1', () => {
    expect(annotationSampling({ 'proxy.istio.io/config': 'tracing:\n  sampling: 12.5\n' })).toBe(12.5);
    expect(annotationSampling({ 'proxy.istio.io/config': '{{not yaml' })).toBeUndefined();
    expect(telemetryResolver([], { ...mesh, defaultConfig: { tracing: { sampling: 0 } } })(pod()).sources[0]!.kind).toBe('IstiodDefault');
    expect(telemetryResolver([], { ...mesh, defaultConfig: { tracing: { sampling: 150 } } })(pod()).percentage).toBe(1);
  });
});
