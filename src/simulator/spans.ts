/**
 * The spans an Istio proxy reports for one HTTP exchange, with the tag set Envoy and istiod put on
 * them (ENVOY-ISTIO.md §2): the caller's outbound CLIENT span, the callee's inbound SERVER span,
 * and a gateway's downstream SERVER span with its upstream CLIENT child.
 */
import type { Pod } from './pods.js';
import type { Random } from './random.js';
import type { SimSpan } from './types.js';

export interface ExchangeShape {
  readonly requestId: string;
  /** The calling proxy's pod IP: `peer.address` on the callee's inbound span. */
  readonly callerIp: string;
  readonly authority: string;
  readonly path: string;
  readonly method: string;
  readonly grpc: boolean;
  readonly userAgent: string;
}

/** One request/response as the proxies on both ends see it. */
export interface Exchange extends ExchangeShape {
  /** `http.url`: scheme, authority and path as the app sent them. */
  readonly url: string;
  readonly requestSize: string;
  readonly responseSize: string;
  readonly httpStatus: string;
  /** Set for gRPC: `grpc-status` of the response. */
  readonly grpcStatus: string | undefined;
  readonly error: boolean;
}

const ERROR_RATE = 0.003;

/** Sizes and outcome of an exchange; cosmetic values from their own stream. */
export function exchange(random: Random, shape: ExchangeShape): Exchange {
  const failed = random.chance(ERROR_RATE);
  // A literal rather than a spread: this runs for every sampled hop.
  return {
    requestId: shape.requestId, callerIp: shape.callerIp, authority: shape.authority, path: shape.path,
    method: shape.method, grpc: shape.grpc, userAgent: shape.userAgent,
    url: `http://${shape.authority}${shape.path}`,
    requestSize: shape.method === 'GET' ? '0' : String(random.int(20, 2000)),
    responseSize: String(failed ? random.int(0, 100) : random.int(80, 6000)),
    // gRPC reports failure in grpc-status over a 200; Envoy still marks the span `error` (§2.1).
    httpStatus: shape.grpc || !failed ? '200' : '503',
    grpcStatus: shape.grpc ? (failed ? '14' : '0') : undefined,
    error: failed,
  };
}

export interface SpanIds {
  readonly traceId: string;
  readonly id: string;
  readonly parentId: string | undefined;
}

export interface SpanPlace {
  readonly name: string;
  /** Real time; the pod's clock offset is added here. */
  readonly startUs: number;
  readonly durationUs: number;
  /** `upstream_cluster`: `outbound|<port>||<host>` or `inbound|<port>||`. */
  readonly cluster: string;
  readonly peerAddress: string;
  readonly upstreamAddress: string;
}

/**
 * The tag set Envoy and istiod put on every proxy span (§2.1, §2.2). One literal per shape, with
 * the gRPC tags inline, so every span's tags share a hidden class; the simulator builds hundreds
 * of thousands of these per run.
 */
function tags(pod: Pod, x: Exchange, place: SpanPlace): Record<string, string> {
  const t: Record<string, string> = x.grpc
    ? {
      'node_id': pod.nodeId, 'zone': pod.zone, 'guid:x-request-id': x.requestId, 'http.url': x.url, 'http.method': x.method,
      'downstream_cluster': '-', 'user_agent': x.userAgent, 'http.protocol': 'HTTP/2', 'peer.address': place.peerAddress,
      'request_size': x.requestSize, 'response_size': x.responseSize, 'component': 'proxy',
      'upstream_cluster': place.cluster, 'upstream_cluster.name': place.cluster, 'upstream_address': place.upstreamAddress,
      'http.status_code': x.httpStatus, 'response_flags': '-',
      'grpc.path': x.path, 'grpc.authority': x.authority, 'grpc.content_type': 'application/grpc', 'grpc.status_code': x.grpcStatus ?? '0',
      'istio.canonical_revision': pod.version, 'istio.canonical_service': pod.workload, 'istio.mesh_id': 'cluster.local',
      'istio.namespace': pod.namespace, 'istio.cluster_id': 'Kubernetes',
    }
    : {
      'node_id': pod.nodeId, 'zone': pod.zone, 'guid:x-request-id': x.requestId, 'http.url': x.url, 'http.method': x.method,
      'downstream_cluster': '-', 'user_agent': x.userAgent, 'http.protocol': 'HTTP/1.1', 'peer.address': place.peerAddress,
      'request_size': x.requestSize, 'response_size': x.responseSize, 'component': 'proxy',
      'upstream_cluster': place.cluster, 'upstream_cluster.name': place.cluster, 'upstream_address': place.upstreamAddress,
      'http.status_code': x.httpStatus, 'response_flags': '-',
      'istio.canonical_revision': pod.version, 'istio.canonical_service': pod.workload, 'istio.mesh_id': 'cluster.local',
      'istio.namespace': pod.namespace, 'istio.cluster_id': 'Kubernetes',
    };
  if (x.error) t['error'] = 'true';
  return t;
}

/** A span as `pod`'s proxy reports it; `parentId` is left out for roots, as Envoy does. */
export function proxySpan(pod: Pod, kind: 'CLIENT' | 'SERVER', ids: SpanIds, x: Exchange, place: SpanPlace): SimSpan {
  const timestamp = place.startUs + pod.skewUs;
  return ids.parentId === undefined
    ? { traceId: ids.traceId, id: ids.id, kind, name: place.name, timestamp, duration: place.durationUs, localEndpoint: pod.endpoint, tags: tags(pod, x, place) }
    : { traceId: ids.traceId, parentId: ids.parentId, id: ids.id, kind, name: place.name, timestamp, duration: place.durationUs, localEndpoint: pod.endpoint, tags: tags(pod, x, place) };
}
