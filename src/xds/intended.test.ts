import { describe, expect, it } from 'vitest';
import { fixtureIntendedInputs, fixtureProxy } from '../../test/xds/helpers.js';
import { parseMeshConfig } from '../controller/mesh-config.js';
import type { SamplingPolicy } from '../controller/policy.js';
import { resolveSampling } from '../controller/precedence.js';
import type { Telemetry, TracingEntry } from '../controller/telemetry.js';
import { workloadRef } from './drift.js';
import { groupWorkloads } from './effective.js';
import { intendedResolver } from './intended.js';
import type { IntendedInputs } from './intended.js';
import type { WorkloadRef } from './types.js';

const fixtures = await fixtureIntendedInputs();
const mesh = parseMeshConfig('defaultProviders: {tracing: [zipkin]}\nextensionProviders: [{name: zipkin, zipkin: {service: z, port: 9411}}]\n');
const pod = (over: Partial<WorkloadRef> = {}): WorkloadRef => ({ key: 'shop/cart', namespace: 'shop', workload: 'cart', gateway: false, labels: { app: 'cart' }, annotations: {}, ...over });
const tel = (namespace: string, name: string, tracing: TracingEntry[], selector?: Record<string, string>): Telemetry => ({
  metadata: { namespace, name, creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: { ...(selector === undefined ? {} : { selector: { matchLabels: selector } }), tracing },
});
const resolve = (inputs: Partial<IntendedInputs>, w = pod()) => intendedResolver({ mesh, telemetries: [], ...inputs })(w);

const FIXTURE_DUMPS = [
  'sidecar-zipkin-reviews-v1-7d9f6c5b8-2xk4p.json', 'sidecar-otel-sampling-unset.json', 'sidecar-client-tracing-off.json', 'sidecar-otel-sampler.json',
  'sidecar-zipkin-w3c.json', 'gateway-zipkin.json', 'legacy-v2-layout.json', 'sidecar-camel-case.json',
];

describe('intended sampling from the controller\'s precedence resolver', () => {
  it('is the controller\'s resolution for every fixture workload', () => {
    for (const file of FIXTURE_DUMPS) {
      const w = workloadRef(groupWorkloads([fixtureProxy(file)])[0]!);
      const controller = resolveSampling({ rootNamespace: 'istio-system', mesh: fixtures.mesh, telemetries: fixtures.telemetries, pod: w });
      const drift = intendedResolver(fixtures)(w);
      expect({ provider: drift.provider, tracingEnabled: drift.tracingEnabled }, file).toEqual({ provider: controller.provider, tracingEnabled: controller.tracingEnabled });
      // With a provider sampler, istiod writes random_sampling 100 whatever the percentage says.
      expect(drift.percentage, file).toBe(controller.chain[0]?.kind === 'ProviderSampler' ? 100 : controller.percentage);
      expect(drift.sources.find((s) => s.effect === 'decides')?.ref, file).toBe(controller.decidedBy);
    }
  });

  it('resolves the fixture cluster: namespace Telemetry, pod annotation, workload provider, provider sampler', () => {
    const intended = intendedResolver(fixtures);
    const ref = (file: string): WorkloadRef => workloadRef(groupWorkloads([fixtureProxy(file)])[0]!);
    expect(intended(ref('sidecar-zipkin-w3c.json'))).toMatchObject({ percentage: 5, provider: 'meshtrace-zipkin', providerKind: 'zipkin', sources: expect.arrayContaining([{ kind: 'MeshConfig', ref: 'meshConfig.defaultConfig.tracing.sampling', scope: 'mesh', percentage: 5, effect: 'decides' }]) });
    expect(intended(ref('sidecar-zipkin-reviews-v1-7d9f6c5b8-2xk4p.json'))).toMatchObject({ percentage: 10, sources: expect.arrayContaining([expect.objectContaining({ ref: 'default/ns-default', effect: 'decides' })]) });
    expect(intended(ref('legacy-v2-layout.json'))).toMatchObject({ percentage: 25, sources: expect.arrayContaining([expect.objectContaining({ kind: 'ProxyConfigAnnotation', effect: 'decides' })]) });
    expect(intended(ref('sidecar-otel-sampling-unset.json'))).toMatchObject({ percentage: 100, provider: 'meshtrace-otel', providerKind: 'opentelemetry' });
    const sampler = intended(ref('sidecar-otel-sampler.json'));
    expect(sampler).toMatchObject({ percentage: 100, provider: 'otel-dynatrace', providerKind: 'opentelemetry' });
    expect(sampler.sources[0]).toMatchObject({ kind: 'ProviderSampler', effect: 'decides' });
    expect(sampler.sources.find((s) => s.kind === 'Telemetry')).toMatchObject({ ref: 'payments/payments-dynatrace', percentage: 20 });
  });

  it('gives each side its rate and tracing switch; gateways take the client side', () => {
    const telemetries = [tel('shop', 'split', [{ match: { mode: 'CLIENT' }, randomSamplingPercentage: 70 }, { match: { mode: 'SERVER' }, disableSpanReporting: true }])];
    expect(resolve({ telemetries })).toMatchObject({ percentage: 1, tracingEnabled: false, client: { percentage: 70, tracingEnabled: true }, server: { percentage: 1, tracingEnabled: false } });
    expect(resolve({ telemetries }, pod({ gateway: true }))).toMatchObject({ percentage: 70, tracingEnabled: true });
  });

  it('takes the root namespace from the inputs: only its namespace-wide Telemetry applies mesh-wide', () => {
    const telemetries = [tel('mesh-root', 'mesh', [{ randomSamplingPercentage: 30 }]), tel('istio-system', 'not-root', [{ randomSamplingPercentage: 60 }])];
    expect(resolve({ telemetries, rootNamespace: 'mesh-root' }).percentage).toBe(30);
    expect(resolve({ telemetries }).percentage).toBe(60);
  });

  it('lists SamplingPolicies among the sources and passes the resolver\'s warnings on', () => {
    const policy: SamplingPolicy = { metadata: { namespace: 'shop', name: 'cart' }, spec: { target: { matchLabels: { app: 'cart' } }, fixed: { percentage: 40 } } };
    const telemetries = [tel('shop', 'a', [{ randomSamplingPercentage: 40 }], { app: 'cart' }), tel('shop', 'b', [{ randomSamplingPercentage: 50 }], { app: 'cart' })];
    const r = resolve({ telemetries, policies: [policy] });
    expect(r.sources[0]).toMatchObject({ kind: 'SamplingPolicy', ref: 'shop/cart', effect: 'via-telemetry' });
    expect(r.warnings?.join('\n')).toMatch(/undefined/);
  });

  it('says tracing is off without a provider, and names provider kinds it has no finding for "other"', () => {
    expect(resolve({ mesh: parseMeshConfig('defaultConfig: {tracing: {sampling: 5}}') })).toMatchObject({ tracingEnabled: false, percentage: 5 });
    const datadog = parseMeshConfig('defaultProviders: {tracing: [dd]}\nextensionProviders: [{name: dd, datadog: {service: d, port: 8126}}]\n');
    expect(resolve({ mesh: datadog })).toMatchObject({ provider: 'dd', providerKind: 'other', tracingEnabled: true });
  });
});
