/**
 * The simulator's public shapes. Other code (the propagation audit's tests, the bench) is written
 * against these names, so they change only together with their users.
 */

/** The Istio tracing provider the mesh runs: it decides which headers carry the trace context. */
export type Provider = 'zipkin' | 'opentelemetry';

/** What an application copies from its inbound request onto its outbound calls. */
export type Behaviour =
  | 'forward-all'
  | 'forward-none'
  | 'forward-request-id'
  | 'forward-b3-only'
  | 'forward-traceparent-only'
  | 'drop-async';

export type TopologyName = 'bookinfo' | 'online-boutique' | 'social-network';

export interface SimulationOptions {
  readonly topology: TopologyName;
  readonly provider: Provider;
  /** Istio `randomSamplingPercentage`, 0..100 with decimals. */
  readonly samplingPercent: number;
  /** User requests in flight at the entry gateway. */
  readonly concurrency: number;
  /** User requests to play through the gateway. */
  readonly requests: number;
  /** Each pod's clock offset is drawn uniformly from ±clockSkewMs. */
  readonly clockSkewMs: number;
  /** Workload name -> behaviour; absent = forward-all. */
  readonly behaviours?: Readonly<Record<string, Behaviour>>;
  readonly seed: number;
  /** Simulated epoch µs of the first request (default Date.now()*1000). */
  readonly startUs?: number;
  /** Envoy `min_flush_spans`, default 5. */
  readonly flushSpans?: number;
  /** Envoy flush interval, default 1000. */
  readonly flushIntervalMs?: number;
  /** Fraction of sidecar batches delivered late (2-8 s after flush), default 0.02. */
  readonly lateFraction?: number;
}

/** Zipkin v2 JSON, exactly the shape Envoy posts (ENVOY-ISTIO.md §1.3). */
export interface SimSpan {
  traceId: string;
  parentId?: string;
  id: string;
  kind: 'CLIENT' | 'SERVER';
  name: string;
  timestamp: number;
  duration: number;
  localEndpoint: { serviceName: string; ipv4: string; port?: number };
  tags: Record<string, string>;
}

/** One Envoy flush: the spans one proxy reported in one request to the collector. */
export interface SimBatch {
  /** Real (unskewed) simulated epoch µs at which the collector receives the batch. */
  readonly deliverAtUs: number;
  /** The reporting proxy's `node_id`. */
  readonly reporter: string;
  readonly spans: SimSpan[];
}

export interface WorkloadTruth {
  readonly namespace: string;
  readonly workload: string;
  readonly behaviour: Behaviour;
  /** originator = in-mesh workload with no inbound traffic (cron-like). */
  readonly role: 'gateway' | 'originator' | 'service';
  /** Its behaviour breaks propagation under this provider AND it made outbound calls that lost context. */
  readonly breaks: boolean;
  /** Inbound requests it served (sampled or not). */
  readonly inboundRequests: number;
  /** Inbound SERVER spans of it that were emitted. */
  readonly sampledInboundRequests: number;
  /** Outbound calls made. */
  readonly outboundCalls: number;
  /** Outbound calls made without trace context because of its behaviour (never counted for originators). */
  readonly brokenCalls: number;
}

/** One per EMITTED root CLIENT span caused by a propagation break. */
export interface OrphanTruth {
  /** The root CLIENT span. */
  readonly traceId: string;
  readonly spanId: string;
  readonly namespace: string;
  readonly workload: string;
  readonly pod: string;
  /** The callee workload. */
  readonly callee: string;
  /**
   * The inbound SERVER span (of the same pod) whose request caused the call; sampled=false when
   * that span was not emitted.
   */
  readonly parent: { readonly traceId: string; readonly spanId: string; readonly sampled: boolean };
  readonly requestIdForwarded: boolean;
  readonly async: boolean;
}

export interface GroundTruth {
  /** The options with every default filled in, so the run can be repeated exactly. */
  readonly options: SimulationOptions;
  readonly workloads: WorkloadTruth[];
  readonly orphans: OrphanTruth[];
  readonly emittedSpans: number;
  /** Latest deliverAtUs (or the end of the last request when nothing was emitted). */
  readonly endUs: number;
}
