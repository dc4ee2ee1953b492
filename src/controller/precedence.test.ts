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
});
