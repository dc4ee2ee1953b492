/** Factories for the controller's table-driven tests (OTel style: defaults plus Partial overrides). */
import type { MeshTracingConfig } from './mesh-config.js';
import { EMPTY_MESH_CONFIG } from './mesh-config.js';
import type { SamplingPolicy, SamplingPolicySpec } from './policy.js';
import type { ObservedState } from './reconcile-types.js';
import { DEFAULT_TUNING } from './adaptive.js';
import type { Telemetry, TracingEntry } from './telemetry.js';

export const ROOT = 'istio-system';
export const NOW = Date.parse('2026-01-01T12:00:00Z');

export function mesh(over: Partial<MeshTracingConfig> = {}): MeshTracingConfig {
  return { ...EMPTY_MESH_CONFIG, defaultTracingProvider: 'zipkin', extensionProviders: [{ name: 'zipkin', kind: 'zipkin', hasSampler: false }], ...over };
}

export function telemetry(namespace: string, name: string, tracing: TracingEntry[], opts: {
  selector?: Record<string, string>; created?: string; labels?: Record<string, string>;
} = {}): Telemetry {
  return {
    metadata: { namespace, name, creationTimestamp: opts.created ?? '2025-01-01T00:00:00Z', ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: { ...(opts.selector ? { selector: { matchLabels: opts.selector } } : {}), tracing },
  };
}

export function policy(name: string, spec: SamplingPolicySpec, over: Partial<SamplingPolicy['metadata']> = {}, status?: SamplingPolicy['status']): SamplingPolicy {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, generation: 1, creationTimestamp: '2025-06-01T00:00:00Z', ...over },
    spec, ...(status ? { status } : {}),
  };
}

export function observed(p: SamplingPolicy, over: Partial<ObservedState> = {}): ObservedState {
  return {
    policy: p, rootNamespace: ROOT, mesh: mesh(), telemetries: [], policies: [], workloads: undefined, rates: undefined,
    nowMs: NOW, tuning: DEFAULT_TUNING, ...over,
  };
}

export const pod = (labels: Record<string, string>, annotations: Record<string, string> = {}, namespace = 'shop') => ({ namespace, labels, annotations });
