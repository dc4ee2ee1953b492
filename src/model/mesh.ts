/**
 * Mesh facts derived from the tags Envoy and istiod put on sidecar and gateway spans
 * (ENVOY-ISTIO.md §2). Identities are cached per tag group, so deriving them costs one
 * map lookup per span.
 */
import type { SpanKind } from './span.js';
import type { TagGroup } from './tags.js';

/** What kind of proxy emitted the span. */
export type ProxyRole =
  /** Sidecar, inbound listener: the request entering the pod (SERVER span). */
  | 'sidecar-inbound'
  /** Sidecar, outbound listener: the app calling out (CLIENT span). */
  | 'sidecar-outbound'
  /** Ingress/egress gateway (`node_id` starts with `router~`). */
  | 'gateway';

export interface MeshIdentity {
  readonly role: ProxyRole;
  /** Envoy `node_id`, e.g. `sidecar~10.0.0.5~reviews-v1-abc.default~default.svc.cluster.local`. */
  readonly nodeId: string | undefined;
  readonly podName: string | undefined;
  readonly podIp: string | undefined;
  readonly namespace: string | undefined;
  /** `istio.canonical_service`, else the app part of the `app.namespace` service name. */
  readonly workload: string | undefined;
  readonly canonicalRevision: string | undefined;
  readonly meshId: string | undefined;
  readonly clusterId: string | undefined;
  /** Raw `upstream_cluster`, e.g. `outbound|9080||reviews.default.svc.cluster.local`. */
  readonly upstreamCluster: string | undefined;
  /** The called service's host for outbound clusters (`reviews.default.svc.cluster.local`). */
  readonly upstreamHost: string | undefined;
  /** The port in the cluster name (`9080`), when there is one. */
  readonly upstreamPort: number | undefined;
}

const INBOUND_PREFIXES = ['inbound|', 'inbound-vip|', 'InboundPassthroughCluster'];
const OUTBOUND_PREFIXES = ['outbound|', 'PassthroughCluster'];

/** True when the span looks like it came from Envoy rather than an application SDK. */
function isEnvoySpan(tags: TagGroup): boolean {
  return tags.get('component') === 'proxy' || tags.get('node_id') !== undefined || tags.get('upstream_cluster') !== undefined;
}

interface NodeIdParts { type: string; ip: string | undefined; pod: string | undefined; namespace: string | undefined }

/** `sidecar~<ip>~<pod>.<ns>~<ns>.svc.cluster.local`; `router~...` for gateways. */
export function parseNodeId(nodeId: string): NodeIdParts | undefined {
  const parts = nodeId.split('~');
  if (parts.length !== 4) return undefined;
  const [type, ip, podDotNs, domain] = parts as [string, string, string, string];
  const dot = podDotNs.lastIndexOf('.');
  const namespace = domain.split('.')[0] || (dot > 0 ? podDotNs.slice(dot + 1) : undefined);
  return { type, ip: ip || undefined, pod: dot > 0 ? podDotNs.slice(0, dot) : podDotNs || undefined, namespace };
}

function roleOf(node: NodeIdParts | undefined, cluster: string | undefined, kind: SpanKind | undefined): ProxyRole {
  if (node?.type === 'router') return 'gateway';
  if (cluster !== undefined) {
    if (INBOUND_PREFIXES.some((p) => cluster.startsWith(p))) return 'sidecar-inbound';
    if (OUTBOUND_PREFIXES.some((p) => cluster.startsWith(p))) return 'sidecar-outbound';
  }
  // Old Envoy (< 1.16, shared_span_context=false) reported inbound spans as CLIENT, so the
  // cluster name above is the primary signal and the kind only a fallback.
  return kind === 'CLIENT' ? 'sidecar-outbound' : 'sidecar-inbound';
}

function parseCluster(cluster: string | undefined): { host?: string; port?: number } {
  if (cluster === undefined) return {};
  const parts = cluster.replace(/;$/, '').split('|');
  if (parts.length !== 4) return {};
  const port = Number(parts[1]);
  return { host: parts[3] || undefined, port: Number.isInteger(port) && port > 0 ? port : undefined };
}

function workloadFrom(canonical: string | undefined, serviceName: string | undefined, ns: string | undefined): string | undefined {
  if (canonical !== undefined && canonical !== 'unknown') return canonical;
  if (serviceName === undefined) return undefined;
  // Istio's default tracing service name is `<app>.<namespace>`.
  if (ns !== undefined && serviceName.endsWith('.' + ns)) return serviceName.slice(0, -ns.length - 1);
  return serviceName;
}

/**
 * Derives the mesh identity of a span from its shared tags, kind and local service name.
 * Undefined for spans that are not from Envoy.
 */
export function deriveMeshIdentity(tags: TagGroup, kind: SpanKind | undefined, serviceName: string | undefined): MeshIdentity | undefined {
  // Nearly every span of a group has the same kind and service as the one before it.
  if (tags.lastKind === kind && tags.lastService === serviceName && tags.lastKind !== null) return tags.lastMesh;
  let identity: MeshIdentity | undefined;
  if (tags.lastKind === null) {
    // The group's first span: most groups never see a second combination, so no cache yet.
    identity = isEnvoySpan(tags) ? buildIdentity(tags, kind, serviceName) : undefined;
  } else {
    const cache = (tags.meshCache ??= new Map([[cacheKeyOf(tags.lastKind, tags.lastService), tags.lastMesh]]));
    const cacheKey = cacheKeyOf(kind, serviceName);
    identity = cache.get(cacheKey);
    if (identity === undefined && !cache.has(cacheKey)) {
      identity = isEnvoySpan(tags) ? buildIdentity(tags, kind, serviceName) : undefined;
      cache.set(cacheKey, identity);
    }
  }
  tags.lastKind = kind;
  tags.lastService = serviceName;
  tags.lastMesh = identity;
  return identity;
}

function cacheKeyOf(kind: string | undefined, serviceName: string | undefined): string {
  return (kind ?? '') + '|' + (serviceName ?? '');
}

function buildIdentity(tags: TagGroup, kind: SpanKind | undefined, serviceName: string | undefined): MeshIdentity {
  const nodeId = tags.get('node_id') || undefined;
  const node = nodeId !== undefined ? parseNodeId(nodeId) : undefined;
  const upstreamCluster = tags.get('upstream_cluster') ?? tags.get('upstream_cluster.name');
  const namespace = tags.get('istio.namespace') ?? node?.namespace;
  const { host, port } = parseCluster(upstreamCluster);
  return {
    role: roleOf(node, upstreamCluster, kind),
    nodeId,
    podName: node?.pod,
    podIp: node?.ip,
    namespace,
    workload: workloadFrom(tags.get('istio.canonical_service'), serviceName, namespace),
    canonicalRevision: tags.get('istio.canonical_revision'),
    meshId: tags.get('istio.mesh_id'),
    clusterId: tags.get('istio.cluster_id'),
    upstreamCluster,
    upstreamHost: host,
    upstreamPort: port,
  };
}
