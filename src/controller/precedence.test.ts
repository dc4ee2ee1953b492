import { describe, expect, it } from 'vitest';
import { resolveSampling } from './precedence.js';
import type { ResolveInput } from './precedence.js';
import { ROOT, mesh, pod, telemetry } from './fixtures.test-helpers.js';

const reviews = pod({ app: 'reviews' });

function resolve(over: Partial<ResolveInput>) {
  return resolveSampling({ rootNamespace: ROOT, mesh: mesh(), telemetries: [], pod: reviews, ...over });
}

describe('resolveSampling: Istio\'s precedence for one pod', () => {
  const meshWide = telemetry(ROOT, 'mesh-default', [{ randomSamplingPercentage: 10 }]);
  const nsWide = telemetry('shop', 'shop', [{ randomSamplingPercentage: 20 }]);
  const workload = telemetry('shop', 'reviews', [{ randomSamplingPercentage: 30 }], { selector: { app: 'reviews' } });
  const other = telemetry('shop', 'ratings', [{ randomSamplingPercentage: 40 }], { selector: { app: 'ratings' } });

  const cases: { name: string; input: Partial<ResolveInput>; percentage: number; decidedBy: string; warning?: RegExp }[] = [
    { name: 'nothing set: PILOT_TRACE_SAMPLING 1%', input: {}, percentage: 1, decidedBy: 'PILOT_TRACE_SAMPLING' },
    { name: 'meshConfig default', input: { mesh: mesh({ defaultSampling: 5 }) }, percentage: 5, decidedBy: 'meshConfig.defaultConfig.tracing.sampling' },
    { name: 'meshConfig above 100 becomes 1%', input: { mesh: mesh({ defaultSampling: 200 }) }, percentage: 1, decidedBy: 'meshConfig.defaultConfig.tracing.sampling', warning: /outside 0–100 into 1%/ },
    { name: 'meshConfig below 0 becomes 1%', input: { mesh: mesh({ defaultSampling: -5 }) }, percentage: 1, decidedBy: 'meshConfig.defaultConfig.tracing.sampling' },
    { name: 'pod annotation beats meshConfig', input: { mesh: mesh({ defaultSampling: 5 }), pod: pod({ app: 'reviews' }, { 'proxy.istio.io/config': 'tracing:\n  sampling: 50\n' }) }, percentage: 50, decidedBy: 'annotation proxy.istio.io/config' },
    { name: 'root Telemetry beats the annotation', input: { telemetries: [meshWide], pod: pod({ app: 'reviews' }, { 'proxy.istio.io/config': '{"tracing":{"sampling":50}}' }) }, percentage: 10, decidedBy: `${ROOT}/mesh-default` },
    { name: 'namespace beats root', input: { telemetries: [meshWide, nsWide] }, percentage: 20, decidedBy: 'shop/shop' },
    { name: 'workload beats namespace', input: { telemetries: [workload, meshWide, nsWide] }, percentage: 30, decidedBy: 'shop/reviews' },
    { name: 'another workload\'s selector does not apply', input: { telemetries: [other, nsWide] }, percentage: 20, decidedBy: 'shop/shop' },
    { name: 'a namespace Telemetry without a percentage inherits the root one', input: { telemetries: [meshWide, telemetry('shop', 'prov', [{ providers: [{ name: 'zipkin' }] }])] }, percentage: 10, decidedBy: `${ROOT}/mesh-default` },
    { name: 'only the oldest namespace-wide Telemetry counts', input: { telemetries: [nsWide, telemetry('shop', 'older', [{ randomSamplingPercentage: 2 }], { created: '2024-01-01T00:00:00Z' })] }, percentage: 2, decidedBy: 'shop/older' },
    { name: 'selectors in the root namespace are ignored', input: { pod: pod({ app: 'x' }, {}, ROOT), telemetries: [telemetry(ROOT, 'sel', [{ randomSamplingPercentage: 70 }], { selector: { app: 'x' } })] }, percentage: 1, decidedBy: 'PILOT_TRACE_SAMPLING' },
    { name: 'a SERVER-only entry leaves the client side alone but decides inbound', input: { telemetries: [meshWide, telemetry('shop', 's', [{ match: { mode: 'SERVER' }, randomSamplingPercentage: 60 }])] }, percentage: 60, decidedBy: 'shop/s' },
    { name: 'an annotation sampling of 0 is unset, and replaces the mesh value: PILOT_TRACE_SAMPLING', input: { mesh: mesh({ defaultSampling: 5 }), pod: pod({ app: 'reviews' }, { 'proxy.istio.io/config': 'tracing:\n  sampling: 0\n' }) }, percentage: 1, decidedBy: 'PILOT_TRACE_SAMPLING' },
    { name: 'a meshConfig sampling of 0 is unset', input: { mesh: mesh({ defaultSampling: 0 }) }, percentage: 1, decidedBy: 'PILOT_TRACE_SAMPLING' },
    { name: 'two selectors on one workload is undefined', input: { telemetries: [workload, telemetry('shop', 'dup', [{ randomSamplingPercentage: 90 }], { selector: { app: 'reviews' }, created: '2026-01-01T00:00:00Z' })] }, percentage: 90, decidedBy: 'shop/dup', warning: /undefined/ },
  ];
  it.each(cases)('$name', ({ input, percentage, decidedBy, warning }) => {
    const r = resolve(input);
    expect(r.percentage).toBe(percentage);
    expect(r.decidedBy).toBe(decidedBy);
    if (warning) expect(r.warnings.join('\n')).toMatch(warning);
  });

  it('gateways use the client side', () => {
    const t = telemetry('shop', 'c', [{ match: { mode: 'CLIENT' }, randomSamplingPercentage: 80 }]);
    expect(resolve({ telemetries: [t], pod: { ...reviews, gateway: true } }).percentage).toBe(80);
    expect(resolve({ telemetries: [t] }).client.percentage).toBe(80);
    expect(resolve({ telemetries: [t] }).server.percentage).toBe(1);
  });

  it('lists every source, highest precedence first, and marks the deciding one', () => {
    const r = resolve({ telemetries: [meshWide, nsWide, workload], mesh: mesh({ defaultSampling: 5 }) });
    expect(r.chain.map((s) => `${s.ref}:${s.effect}`)).toEqual([
      'shop/reviews:decides', 'shop/shop:overridden', `${ROOT}/mesh-default:overridden`,
      'meshConfig.defaultConfig.tracing.sampling:overridden', 'PILOT_TRACE_SAMPLING:overridden', 'meshConfig.defaultProviders.tracing:via-telemetry',
    ]);
  });

  it('provider: a Telemetry overrides the default; none means no tracing', () => {
    expect(resolve({ telemetries: [telemetry('shop', 'p', [{ providers: [{ name: 'otel' }] }])] }).provider).toBe('otel');
    const none = resolve({ mesh: mesh({ defaultTracingProvider: undefined }) });
    expect(none.tracingEnabled).toBe(false);
    expect(none.warnings.join()).toMatch(/no tracing provider/);
  });

  it('a provider sampler overrides every percentage', () => {
    const r = resolve({ telemetries: [meshWide], mesh: mesh({ extensionProviders: [{ name: 'zipkin', kind: 'opentelemetry', hasSampler: true }] }) });
    expect(r.decidedBy).toBe('extensionProviders[zipkin]');
    expect(r.chain[0]?.kind).toBe('ProviderSampler');
  });

  it('marks a 0 ProxyConfig value as ignored in the chain', () => {
    const r = resolve({ mesh: mesh({ defaultSampling: 0 }) });
    expect(r.chain.find((s) => s.kind === 'MeshConfig')).toMatchObject({ effect: 'ignored', note: expect.stringMatching(/unset/) });
    expect(r.chain.find((s) => s.kind === 'IstiodDefault')?.effect).toBe('decides');
  });

  describe('what each side traces', () => {
    it('disableSpanReporting turns one side off, and a later layer can turn it back on', () => {
      const serverOff = telemetry('shop', 'quiet', [{ match: { mode: 'SERVER' }, disableSpanReporting: true }]);
      const r = resolve({ telemetries: [serverOff] });
      expect(r).toMatchObject({ tracingEnabled: false, server: { tracingEnabled: false }, client: { tracingEnabled: true, provider: 'zipkin' } });
      expect(r.warnings.join('\n')).toMatch(/shop\/quiet: disableSpanReporting/);
      expect(resolve({ telemetries: [serverOff], pod: { ...reviews, gateway: true } }).tracingEnabled).toBe(true);
      const backOn = telemetry('shop', 'loud', [{ disableSpanReporting: false }], { selector: { app: 'reviews' } });
      expect(resolve({ telemetries: [serverOff, backOn] }).tracingEnabled).toBe(true);
    });

    it('gives each side its own provider; a provider missing from extensionProviders means no tracing', () => {
      const m = mesh({ extensionProviders: [{ name: 'zipkin', kind: 'zipkin', hasSampler: false }, { name: 'Otel', kind: 'opentelemetry', hasSampler: false }] });
      const r = resolve({ mesh: m, telemetries: [telemetry('shop', 'c', [{ match: { mode: 'CLIENT' }, providers: [{ name: 'otel' }] }])] });
      expect(r).toMatchObject({ provider: 'zipkin', tracingEnabled: true, server: { provider: 'zipkin' }, client: { provider: 'otel', tracingEnabled: true } });
      const missing = resolve({ mesh: m, telemetries: [telemetry('shop', 'p', [{ providers: [{ name: 'jaeger' }] }])] });
      expect(missing).toMatchObject({ provider: 'jaeger', tracingEnabled: false });
      expect(missing.warnings.join()).toMatch(/jaeger is not in meshConfig.extensionProviders/);
    });

    it('a provider sampler makes istiod write random_sampling 100 on that side', () => {
      const m = mesh({ extensionProviders: [{ name: 'zipkin', kind: 'zipkin', hasSampler: false }, { name: 'dt', kind: 'opentelemetry', hasSampler: true }] });
      const r = resolve({ mesh: m, telemetries: [telemetry('shop', 's', [{ match: { mode: 'SERVER' }, providers: [{ name: 'dt' }], randomSamplingPercentage: 20 }])] });
      expect(r).toMatchObject({ decidedBy: 'extensionProviders[dt]', server: { providerSampler: true, percentage: 20 }, client: { providerSampler: false } });
    });

    it('legacy meshConfig.enableTracing traces only while no Telemetry configures tracing and no default provider is set', () => {
      const legacy = mesh({ defaultTracingProvider: undefined, enableTracing: true, defaultSampling: 3 });
      expect(resolve({ mesh: legacy })).toMatchObject({ tracingEnabled: true, provider: undefined, percentage: 3 });
      expect(resolve({ mesh: legacy, telemetries: [telemetry(ROOT, 'metrics-only', [])] }).tracingEnabled).toBe(true);
      expect(resolve({ mesh: legacy, telemetries: [telemetry('shop', 't', [{ randomSamplingPercentage: 50 }])] }).tracingEnabled).toBe(false);
      expect(resolve({ mesh: mesh({ defaultTracingProvider: undefined }) }).tracingEnabled).toBe(false);
    });
  });
});
