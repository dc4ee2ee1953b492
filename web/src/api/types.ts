/**
 * The dashboard's view of meshtrace's JSON API. These mirror the server's shapes
 * (src/propagation-audit/report.ts, src/server/*-routes.ts) but are declared here so the browser
 * build never imports server code; `client.ts` checks the top-level shape of every answer.
 * Times named `...Us` are epoch microseconds; ISO strings are UTC.
 */

export type Verdict = 'breaks-propagation' | 'propagates' | 'insufficient-data';

export interface Evidence {
  readonly kind: 'confirmed' | 'inferred' | 'unattributed' | 'dead-end';
  readonly traceId: string;
  readonly spanId: string;
  readonly requestId?: string;
  /** `namespace/service` the split-off call went to. */
  readonly callee?: string;
  /** The request the call most likely belonged to. */
  readonly parent?: { readonly traceId: string; readonly spanId: string };
  /** 0..1 */
  readonly confidence: number;
}

export interface WorkloadReport {
  readonly namespace: string;
  readonly workload: string;
  readonly role: 'service' | 'gateway' | 'originator';
  readonly verdict: Verdict;
  readonly gapRatio: number;
  readonly gaps: { readonly confirmed: number; readonly inferred: number; readonly deadEnds: number; readonly unattributed: number };
  readonly requests: number;
  readonly calls: number;
  readonly graftConfidence: number;
  readonly pods: number;
  readonly provider?: 'zipkin' | 'opentelemetry';
  readonly headersToForward: string[];
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly evidence: Evidence[];
  readonly hints: string[];
  readonly reason: string;
}

export interface EdgeReport {
  /** `namespace/workload` */
  readonly from: string;
  /** `namespace/service` */
  readonly to: string;
  readonly calls: number;
  readonly gaps: number;
  readonly gapRatio: number;
  readonly confirmed: number;
  readonly inferred: number;
  readonly unattributed: number;
}

export interface PropagationReport {
  readonly window: { readonly from: string; readonly to: string };
  readonly mesh: {
    /** Share of judged calls that kept their trace context (1 = perfect). */
    readonly propagationScore: number;
    readonly workloads: number;
    readonly breaking: number;
    readonly traceIdWidths: { readonly '64': number; readonly '128': number };
    readonly hints: string[];
  };
  readonly workloads: WorkloadReport[];
  readonly edges: EdgeReport[];
}

export interface TrendPoint {
  /** Start of the minute, ISO. */
  readonly minute: string;
  readonly requests: number;
  readonly calls: number;
  readonly gaps: number;
  readonly gapRatio: number;
}

export interface Graft {
  readonly orphanTraceId: string;
  readonly orphanSpanId: string;
  readonly parentTraceId: string;
  readonly parentSpanId: string;
  readonly method: 'request-id' | 'time-window';
  readonly confidence: number;
  readonly workload: string;
  readonly callee: string;
}

export interface WorkloadDetail extends WorkloadReport {
  readonly edges: EdgeReport[];
  readonly trend: TrendPoint[];
  readonly grafts: Graft[];
}

export interface Endpoint {
  readonly serviceName?: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
  readonly port?: number;
}

/** A span of `GET /api/traces/:id`: Zipkin v2 JSON plus meshtrace's stitching facts. */
export interface TraceSpan {
  readonly traceId: string;
  readonly id: string;
  readonly parentId?: string;
  readonly kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  readonly name?: string;
  /** Epoch µs as reported by the span's own host clock. */
  readonly timestamp?: number;
  readonly duration?: number;
  readonly localEndpoint?: Endpoint;
  readonly remoteEndpoint?: Endpoint;
  readonly annotations?: { readonly timestamp: number; readonly value: string }[];
  readonly tags?: Readonly<Record<string, string>>;
  /** Index of the parent span in `spans`, -1 for roots and orphans. */
  readonly parentIndex: number;
  /** Add to `timestamp` for display: the clock-skew correction, µs. */
  readonly skewOffsetUs: number;
  readonly workload?: string;
  readonly namespace?: string;
  readonly proxyRole?: 'sidecar-inbound' | 'sidecar-outbound' | 'gateway';
  /** Stitched view only: the trace this span was stored in. */
  readonly originalTraceId?: string;
  /** Stitched view only, on grafted roots: how the fragment was hung back. */
  readonly graft?: Graft;
}

export interface Hop {
  readonly clientIndex: number;
  readonly serverIndex: number;
  readonly caller: string;
  readonly callee: string;
  readonly clientDurationUs: number;
  readonly serverDurationUs: number;
  /** Client time minus server time: network and proxies. */
  readonly gapUs: number;
}

export interface TraceWarning {
  readonly code: string;
  readonly spanId?: string;
  readonly message: string;
}

export interface TraceView {
  readonly traceId: string;
  readonly startUs: number;
  readonly durationUs: number;
  readonly spans: TraceSpan[];
  readonly roots: number[];
  readonly orphans: number[];
  readonly hops: Hop[];
  readonly unpairedClients: number;
  readonly warnings: TraceWarning[];
  readonly stitched?: true;
  /** Stitched view: the trace ids hung under this one. */
  readonly fragments?: string[];
}

export interface TraceSummary {
  readonly traceId: string;
  readonly rootService?: string;
  readonly rootName: string;
  readonly startUs: number;
  readonly durationUs: number;
  readonly spanCount: number;
  readonly errorCount: number;
  readonly services: string[];
}

export interface SearchResult {
  readonly traces: TraceSummary[];
}

export interface ServiceList {
  readonly services: string[];
}
