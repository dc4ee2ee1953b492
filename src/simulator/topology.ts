/**
 * A mesh application as data: its workloads, how many pods each runs, how long each takes, and
 * whom each calls. The engine walks this graph once per request.
 */
import type { TopologyName } from './types.js';

export interface CallSpec {
  /** The callee workload; its Kubernetes Service has the same name and namespace. */
  readonly to: string;
  /** Request path; `{id}` is replaced by a number. */
  readonly path: string;
  /** HTTP method of a plain HTTP call (gRPC calls are always POST). Default GET. */
  readonly method?: 'GET' | 'POST';
  /** Probability the call is made on a request; default 1. */
  readonly p?: number;
  /** Repeated calls, e.g. one currency conversion per product shown; default 1. */
  readonly count?: number;
  /**
   * Background or fire-and-forget: the app makes it without waiting, possibly after it answered
   * its inbound request. `drop-async` apps lose the trace context exactly on these.
   */
  readonly async?: boolean;
  /** Only pods of these versions make the call (Bookinfo reviews v1 never calls ratings). */
  readonly versions?: readonly string[];
}

/** Calls made one after another, or all at once when `parallel`. Stages run in order. */
export interface Stage {
  readonly parallel?: boolean;
  readonly calls: readonly CallSpec[];
}

/** One kind of inbound request and the calls it causes; a workload picks one by weight. */
export interface Handler {
  readonly weight: number;
  readonly stages: readonly Stage[];
}

export interface WorkloadSpec {
  /** Workload, `app` label, canonical service and Service name at once. */
  readonly name: string;
  readonly namespace: string;
  /** Service port, as in `outbound|<port>||<host>`. */
  readonly port: number;
  /** How it is called: gRPC means HTTP/2 POSTs with grpc.* tags. */
  readonly protocol: 'http' | 'grpc';
  /** One pod per entry, naming its version (`istio.canonical_revision`). 1-3 pods. */
  readonly pods: readonly string[];
  /** Its own processing time per request, log-normal. */
  readonly latencyMs: { readonly median: number; readonly sigma: number };
  /** What its HTTP client sends as User-Agent on outbound calls. */
  readonly userAgent: string;
  /** Empty for leaf services. */
  readonly handlers: readonly Handler[];
}

/** An in-mesh workload with no inbound traffic that calls a service on a timer (a poller, a cron job). */
export interface OriginatorSpec {
  readonly name: string;
  readonly namespace: string;
  readonly pods: readonly string[];
  readonly userAgent: string;
  readonly periodMs: number;
  readonly call: CallSpec;
}

/** The user-facing route at the ingress gateway. */
export interface EntrySpec {
  readonly workload: string;
  /** External Host header, as in the gateway SERVER span's `http.url`. */
  readonly host: string;
  readonly path: string;
  /** The route decorator Istio derives from the VirtualService: the gateway SERVER span's name. */
  readonly operation: string;
}

export interface Topology {
  readonly name: TopologyName;
  readonly entry: EntrySpec;
  readonly workloads: readonly WorkloadSpec[];
  readonly originator: OriginatorSpec;
}

export const GATEWAY = { name: 'istio-ingressgateway', namespace: 'istio-system', port: 8080, pods: ['latest', 'latest'] } as const;

export function serviceHost(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.cluster.local`;
}

/** A handler for workloads with one kind of request. */
export function only(...stages: Stage[]): Handler[] {
  return [{ weight: 1, stages }];
}

export function sequential(...calls: CallSpec[]): Stage {
  return { calls };
}

export function parallel(...calls: CallSpec[]): Stage {
  return { parallel: true, calls };
}
