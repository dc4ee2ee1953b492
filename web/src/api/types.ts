/**
 * The dashboard's view of meshtrace's JSON API. Where the server declares an answer's type, it is
 * imported from there, type-only, so no server code reaches the bundle and the two cannot drift;
 * the rest (trace views built by route code) are declared here. `client.ts` checks the top-level
 * shape of every answer. Times named `...Us` are epoch microseconds; ISO strings are UTC.
 */
export type { EdgeReport, Evidence, Graft, PropagationReport, Verdict, WorkloadReport } from '../../../src/propagation-audit/report.js';
export type { TrendPoint } from '../../../src/propagation-audit/trend.js';
import type { EdgeReport, Graft, WorkloadReport } from '../../../src/propagation-audit/report.js';
import type { TrendPoint } from '../../../src/propagation-audit/trend.js';

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

export type { TraceSummary } from '../../../src/server/search-routes.js';
import type { TraceSummary } from '../../../src/server/search-routes.js';

export interface SearchResult {
  readonly traces: TraceSummary[];
}

export interface ServiceList {
  readonly services: string[];
}
