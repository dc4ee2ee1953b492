/**
 * What the caches keep of each object: the fields the reconciler, the conflict checks and the
 * precedence resolver read, nothing else. As the API server sends them, objects carry
 * managedFields, annotations (often kubectl's last-applied copy of the whole object) and, for
 * Telemetries, metrics and access-log settings; across thousands of objects that would be most of
 * the controller's heap.
 */
import { MESH_CONFIGMAP_KEY } from './mesh-config.js';
import { PREVIOUS_SPEC_ANNOTATION } from './policy.js';
import type { ObjectMeta, SamplingPolicy } from './policy.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, POLICY_LABEL, WORKLOAD_LABEL } from './telemetry.js';
import type { Telemetry, TelemetrySpec, TracingEntry } from './telemetry.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Identity, version and lifecycle fields: what keys, orders and finalizes an object. */
function coreMeta(m: ObjectMeta): Writable<ObjectMeta> {
  const out: Writable<ObjectMeta> = { name: m.name, namespace: m.namespace };
  if (m.uid !== undefined) out.uid = m.uid;
  if (m.generation !== undefined) out.generation = m.generation;
  if (m.resourceVersion !== undefined) out.resourceVersion = m.resourceVersion;
  if (m.creationTimestamp !== undefined) out.creationTimestamp = m.creationTimestamp;
  if (m.deletionTimestamp !== undefined) out.deletionTimestamp = m.deletionTimestamp;
  return out;
}

function pick(from: Readonly<Record<string, string>> | undefined, keys: readonly string[]): Record<string, string> | undefined {
  if (from === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A policy keeps its spec and status whole (both are small and validated as written). */
export function compactPolicy(p: SamplingPolicy): SamplingPolicy {
  const metadata = coreMeta(p.metadata);
  const annotations = pick(p.metadata.annotations, [PREVIOUS_SPEC_ANNOTATION]);
  if (annotations !== undefined) metadata.annotations = annotations;
  if (p.metadata.finalizers !== undefined && p.metadata.finalizers.length > 0) metadata.finalizers = p.metadata.finalizers;
  return { metadata, spec: p.spec, ...(p.status !== undefined ? { status: p.status } : {}) };
}

function compactEntry(e: TracingEntry): TracingEntry {
  return {
    ...(e.match?.mode !== undefined ? { match: { mode: e.match.mode } } : {}),
    ...(e.providers !== undefined ? { providers: e.providers.map((p) => ({ name: p.name })) } : {}),
    ...(e.randomSamplingPercentage !== undefined ? { randomSamplingPercentage: e.randomSamplingPercentage } : {}),
    ...(e.disableSpanReporting !== undefined ? { disableSpanReporting: e.disableSpanReporting } : {}),
  };
}

/** What precedence.ts and conflicts.ts read of a Telemetry meshtrace did not write. */
function foreignSpec(spec: TelemetrySpec | undefined): TelemetrySpec | undefined {
  if (spec === undefined) return undefined;
  const matchLabels = spec.selector?.matchLabels;
  return {
    ...(matchLabels !== undefined ? { selector: { matchLabels } } : {}),
    ...(spec.targetRefs !== undefined && spec.targetRefs.length > 0 ? { targetRefs: spec.targetRefs } : {}),
    ...(spec.tracing !== undefined ? { tracing: spec.tracing.map(compactEntry) } : {}),
  };
}

/**
 * Telemetries meshtrace wrote keep their spec, labels and owner whole, so any drift from what the
 * controller applies is seen and applied over; others keep what sampling depends on.
 */
export function compactTelemetry(t: Telemetry): Telemetry {
  const ours = t.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
  const metadata: Writable<Telemetry['metadata']> = coreMeta(t.metadata);
  if (ours) {
    const labels = pick(t.metadata.labels, [MANAGED_BY_LABEL, POLICY_LABEL, WORKLOAD_LABEL]);
    if (labels !== undefined) metadata.labels = labels;
    if (t.metadata.ownerReferences !== undefined) metadata.ownerReferences = t.metadata.ownerReferences;
  }
  const spec = ours ? t.spec : foreignSpec(t.spec);
  return { metadata, ...(spec !== undefined ? { spec } : {}) };
}

/** The istio ConfigMap as cached: only the mesh config, which is all the controller reads. */
export interface MeshConfigMap {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly resourceVersion?: string };
  readonly data?: Readonly<Record<string, string>>;
}

export function compactConfigMap(cm: MeshConfigMap): MeshConfigMap {
  const mesh = cm.data?.[MESH_CONFIGMAP_KEY];
  const { name, namespace, resourceVersion } = cm.metadata;
  return { metadata: { name, namespace, ...(resourceVersion !== undefined ? { resourceVersion } : {}) }, ...(mesh !== undefined ? { data: { [MESH_CONFIGMAP_KEY]: mesh } } : {}) };
}
