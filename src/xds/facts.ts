/**
 * Per-workload tracing facts for the propagation audit: which provider's headers the hop needs,
 * and whether tracing is off on its listeners (hops without spans must not be judged as gaps).
 */
import type { ListenerSide, WorkloadTracing } from './types.js';

export interface TracingFacts {
  /** The audit's provider kinds; undefined when unknown, off, or another tracer. */
  readonly provider: 'zipkin' | 'opentelemetry' | undefined;
  /** No HTTP listener of any of its pods traces: its hops make no spans at all. */
  readonly tracingDisabled: boolean;
  /** Sides where some HTTP listener has no tracing (partial: some hops are skipped, not broken). */
  readonly disabledSides: readonly ListenerSide[];
}

const UNKNOWN: TracingFacts = { provider: undefined, tracingDisabled: false, disabledSides: [] };

export function tracingFactsOf(w: WorkloadTracing | undefined): TracingFacts {
  if (w === undefined || w.proxies.length === 0) return UNKNOWN;
  const sides = w.proxies.flatMap((p) => Object.entries(p.sides));
  if (sides.length === 0) return UNKNOWN;
  const kind = w.proxies.map((p) => p.provider?.kind).find((k) => k !== undefined);
  return {
    provider: kind === 'zipkin' || kind === 'opentelemetry' ? kind : undefined,
    tracingDisabled: sides.every(([, s]) => s.enabledHcms === 0),
    disabledSides: [...new Set(sides.filter(([, s]) => s.disabledHcms.length > 0).map(([side]) => side as ListenerSide))].sort(),
  };
}

/** `tracingFacts(workloadKey)` over a changing set of workloads (e.g. `XdsState.workloads`). */
export function tracingFactsFrom(workloads: () => ReadonlyMap<string, WorkloadTracing>): (workloadKey: string) => TracingFacts {
  return (key) => tracingFactsOf(workloads().get(key));
}
