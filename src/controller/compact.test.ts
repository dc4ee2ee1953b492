import { describe, expect, it } from 'vitest';
import { compactConfigMap, compactPolicy, compactTelemetry } from './compact.js';
import { resolveSampling } from './precedence.js';
import type { Telemetry } from './telemetry.js';
import { reconcile } from './reconcile.js';
import { NOW, ROOT, mesh, observed, pod, policy } from './fixtures.test-helpers.js';

const managedFields = [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': { 'f:tracing': {} } } }];

/** A Telemetry as the API server returns it, with what the caches have no use for. */
const asServed = (t: Telemetry): Telemetry => ({
  apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry',
  metadata: { ...t.metadata, uid: 'u-1', resourceVersion: '42', generation: 3, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(t) }, managedFields } as Telemetry['metadata'],
  spec: { ...t.spec, metrics: [{ providers: [{ name: 'prometheus' }] }], accessLogging: [{ providers: [{ name: 'envoy' }] }] } as Telemetry['spec'],
});

const foreign: Telemetry[] = [
  asServed({ metadata: { namespace: ROOT, name: 'mesh-default', creationTimestamp: '2025-01-01T00:00:00Z' }, spec: { tracing: [{ providers: [{ name: 'zipkin' }], randomSamplingPercentage: 10, customTags: { a: { literal: { value: 'b' } } } } as never] } }),
  asServed({ metadata: { namespace: 'shop', name: 'reviews-client', creationTimestamp: '2025-01-02T00:00:00Z' }, spec: { selector: { matchLabels: { app: 'reviews' } }, tracing: [{ match: { mode: 'CLIENT' }, randomSamplingPercentage: 40 }, { match: { mode: 'SERVER' }, disableSpanReporting: true }] } }),
  asServed({ metadata: { namespace: 'shop', name: 'waypoint', creationTimestamp: '2025-01-03T00:00:00Z' }, spec: { targetRefs: [{ kind: 'Gateway', name: 'waypoint' }], tracing: [{ randomSamplingPercentage: 99 }] } }),
];

describe('compactTelemetry', () => {
  it('keeps everything the precedence resolver reads of a Telemetry meshtrace did not write', () => {
    for (const p of [pod({ app: 'reviews' }), pod({ app: 'reviews', istio: 'ingressgateway' }), pod({ app: 'ratings' })]) {
      const input = { rootNamespace: ROOT, mesh: mesh(), pod: p };
      expect(resolveSampling({ ...input, telemetries: foreign.map(compactTelemetry) })).toEqual(resolveSampling({ ...input, telemetries: foreign }));
    }
  });

  it('drops managedFields, annotations and settings other than tracing', () => {
    const compact = compactTelemetry(foreign[0]!);
    expect(compact.metadata).toEqual({ namespace: ROOT, name: 'mesh-default', uid: 'u-1', resourceVersion: '42', generation: 3, creationTimestamp: '2025-01-01T00:00:00Z' });
    expect(compact.spec).toEqual({ tracing: [{ providers: [{ name: 'zipkin' }], randomSamplingPercentage: 10 }] });
  });

  it('keeps the whole spec, labels and owner of one meshtrace wrote, so drift from what it applies is seen', () => {
    const labels = { 'app.kubernetes.io/managed-by': 'meshtrace', 'meshtrace.io/policy': 'p', team: 'x' };
    const ownerReferences = [{ apiVersion: 'meshtrace.io/v1alpha1', kind: 'SamplingPolicy', name: 'p', uid: 'uid-p', controller: true }];
    const ours = asServed({ metadata: { namespace: 'shop', name: 'meshtrace-p', labels, ownerReferences }, spec: { tracing: [{ randomSamplingPercentage: 5 }] } });
    const compact = compactTelemetry(ours);
    expect(compact.spec).toEqual(ours.spec);
    expect(compact.metadata.ownerReferences).toEqual(ownerReferences);
    expect(compact.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'meshtrace', 'meshtrace.io/policy': 'p' });
  });
});

describe('compactPolicy', () => {
  it('plans the same reconcile as the policy as served', () => {
    const served = policy('p', { target: { matchLabels: { app: 'reviews' } }, boost: { percentage: 100, duration: '10m' } }, {
      annotations: { 'meshtrace.io/previous-spec': '{"fixed":{"percentage":3}}', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      finalizers: ['meshtrace.io/telemetry-cleanup'], resourceVersion: '9',
    }, { observedGeneration: 1, boost: { startedAt: new Date(NOW - 700_000).toISOString(), expiresAt: new Date(NOW - 100_000).toISOString(), expired: false } });
    const withManagedFields = { ...served, metadata: { ...served.metadata, managedFields } };
    expect(reconcile(observed(compactPolicy(withManagedFields)))).toEqual(reconcile(observed(withManagedFields)));
    expect(compactPolicy(withManagedFields).metadata.annotations).toEqual({ 'meshtrace.io/previous-spec': '{"fixed":{"percentage":3}}' });
    expect(compactPolicy(withManagedFields).metadata).not.toHaveProperty('managedFields');
  });
});

describe('compactConfigMap', () => {
  it('keeps only the mesh config', () => {
    const cm = { metadata: { name: 'istio', namespace: ROOT, resourceVersion: '3' }, data: { mesh: 'enableTracing: true\n', meshNetworks: 'networks: {}\n' } };
    expect(compactConfigMap(cm)).toEqual({ metadata: cm.metadata, data: { mesh: 'enableTracing: true\n' } });
  });
});
