/** Sidecar and gateway spans for audit tests: the mesh facts Envoy/Istio tags would give. */
import type { MeshIdentity, Span } from '../../src/model/index.js';
import { makeSpan } from './spans.js';

export interface PodRef { readonly workload: string; readonly namespace?: string; readonly pod?: string; readonly gateway?: boolean }

function identity(p: PodRef, role: MeshIdentity['role'], callee?: string): MeshIdentity {
  const ns = p.namespace ?? 'default';
  const pod = p.pod ?? `${p.workload}-v1-abc12`;
  const type = p.gateway === true ? 'router' : 'sidecar';
  return {
    role, nodeId: `${type}~10.0.0.1~${pod}.${ns}~${ns}.svc.cluster.local`, podName: pod, podIp: '10.0.0.1', namespace: ns,
    workload: p.workload, canonicalRevision: 'v1', meshId: 'cluster.local', clusterId: 'Kubernetes',
    upstreamCluster: callee === undefined ? 'inbound|9080||' : `outbound|9080||${callee}.${ns}.svc.cluster.local`,
    upstreamHost: callee === undefined ? undefined : `${callee}.${ns}.svc.cluster.local`, upstreamPort: 9080,
  };
}

export interface SpanRef { readonly traceId: string; readonly id: string; readonly parentId?: string; readonly startMs: number; readonly durationMs: number; readonly requestId?: string; readonly source?: Span['source']; readonly traceIdBits?: 64 | 128 }

const BASE_US = 1_700_000_000_000_000;

function base(r: SpanRef): Partial<Span> & { id: string } {
  return {
    traceId: r.traceId, id: r.id, parentId: r.parentId, timestampUs: BASE_US + r.startMs * 1000, durationUs: r.durationMs * 1000,
    requestId: r.requestId, source: r.source ?? 'zipkin-json', traceIdBits: r.traceIdBits ?? 128,
  };
}

/** An inbound SERVER span of `pod`. */
export function inbound(pod: PodRef, r: SpanRef): Span {
  return makeSpan({ ...base(r), kind: 'SERVER', mesh: identity(pod, pod.gateway === true ? 'gateway' : 'sidecar-inbound') });
}

/** An outbound CLIENT span of `pod` calling `callee` (a workload in the same namespace). */
export function outbound(pod: PodRef, callee: string, r: SpanRef): Span {
  return makeSpan({ ...base(r), kind: 'CLIENT', mesh: identity(pod, pod.gateway === true ? 'gateway' : 'sidecar-outbound', callee) });
}

export const tid = (n: number): string => n.toString(16).padStart(32, '0');
export const sid = (n: number): string => n.toString(16).padStart(16, '0');
export const uuid = (n: number): string => `${n.toString(16).padStart(8, '0')}-0000-9000-8000-000000000000`;
export { BASE_US };
