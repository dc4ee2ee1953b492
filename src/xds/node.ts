/**
 * A proxy's identity from its Envoy node: the id (`<type>~<ip>~<pod>.<ns>~<ns>.svc.cluster.local`)
 * and the metadata istio-agent writes into the bootstrap (LABELS, NAMESPACE, NAME, ANNOTATIONS,
 * WORKLOAD_NAME, ISTIO_VERSION), plus Envoy's `user_agent_build_version`.
 */
import { field, isObject, numberField, objectField, stringField } from './json.js';
import { fromStruct } from './struct.js';
import type { ProxyIdentity } from './types.js';

export const CANONICAL_NAME_LABEL = 'service.istio.io/canonical-name';

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

interface ParsedId { readonly type: ProxyIdentity['type']; readonly pod: string | undefined; readonly namespace: string | undefined }

export function parseNodeId(id: string): ParsedId {
  const parts = id.split('~');
  const type = parts[0] === 'sidecar' || parts[0] === 'router' ? parts[0] : 'unknown';
  const podDotNs = parts[2];
  if (parts.length < 4 || podDotNs === undefined) return { type, pod: undefined, namespace: undefined };
  const dot = podDotNs.lastIndexOf('.');
  return dot < 0 ? { type, pod: podDotNs, namespace: undefined } : { type, pod: podDotNs.slice(0, dot), namespace: podDotNs.slice(dot + 1) };
}

function envoyVersionOf(node: unknown): string | undefined {
  const build = objectField(node, 'user_agent_build_version');
  const v = objectField(build, 'version');
  if (v !== undefined) {
    const parts = ['major_number', 'minor_number', 'patch'].map((k) => numberField(v, k) ?? 0);
    return parts.join('.');
  }
  return stringField(node, 'user_agent_version') ?? stringField(node, 'build_version');
}

/** The workload name meshtrace reports under: Istio's canonical service, like the `istio.canonical_service` span tag. */
function workloadOf(labels: Record<string, string>, meta: unknown, pod: string | undefined): string {
  return labels[CANONICAL_NAME_LABEL] ?? labels['app.kubernetes.io/name'] ?? labels['app']
    ?? stringField(meta, 'WORKLOAD_NAME') ?? pod ?? 'unknown';
}

/** Identity of the proxy behind an Envoy `node` message (JSON); `fallbackId` names nodes without an id. */
export function proxyIdentity(node: unknown, fallbackId: string): ProxyIdentity {
  const id = stringField(node, 'id') ?? fallbackId;
  const parsed = parseNodeId(id);
  const meta = fromStruct(field(node, 'metadata'));
  const labels = stringMap(field(meta, 'LABELS'));
  const pod = stringField(meta, 'NAME') ?? parsed.pod;
  return {
    id, type: parsed.type, pod,
    namespace: stringField(meta, 'NAMESPACE') ?? parsed.namespace ?? 'unknown',
    workload: workloadOf(labels, meta, pod),
    labels, annotations: stringMap(field(meta, 'ANNOTATIONS')),
    istioVersion: stringField(meta, 'ISTIO_VERSION'),
    envoyVersion: envoyVersionOf(node),
  };
}
