/**
 * `GET /metrics`: meshtrace's state in Prometheus' text format (prom-client). Nothing here is on
 * the ingest hot path: every series is read from the counters the pipeline already keeps, at
 * scrape time. Per-workload and per-edge series are capped (worst first), so a mesh with
 * thousands of workloads cannot blow up Prometheus' cardinality.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestStats } from '../ingest/index.js';
import { LATENCY_BUCKETS_S } from '../ingest/stats.js';
import type { LiveAudit, PropagationAuditor } from '../propagation-audit/index.js';
import type { AssemblerStats, StoreStats } from '../traces/index.js';

export interface MetricsSources {
  readonly ingest: IngestStats;
  readonly buffer: () => AssemblerStats;
  readonly store: () => StoreStats;
  readonly limits: { readonly maxBufferedSpans: number; readonly maxStoredSpans: number };
  readonly tagsLimited: () => number;
  readonly tagsRedacted: () => number;
  readonly auditor: PropagationAuditor;
  readonly audit: LiveAudit;
  /**
   * False with `--audit false`: the audit's series are left out rather than served empty, where
   * the propagation score would read 1 (perfect) for a mesh nobody audits.
   */
  readonly auditEnabled: boolean;
  /** Window of the per-workload verdict series, µs. */
  readonly auditWindowUs: number;
  /** Workloads with their own series, worst first; edges get twice as many. */
  readonly maxWorkloads: number;
}

type Labels = Record<string, string>;

/** A counter whose value is read from elsewhere at scrape time (prom-client counters only inc). */
function readCounter(registry: Registry, name: string, help: string, labelNames: string[], read: () => [Labels, number][]): void {
  new Counter({
    name, help, labelNames, registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) if (value > 0) this.inc(labels, value);
    },
  });
}

function readGauge(registry: Registry, name: string, help: string, labelNames: string[], read: () => [Labels, number][]): void {
  new Gauge({
    name, help, labelNames, registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}

function ingestMetrics(registry: Registry, s: MetricsSources): void {
  const per = <T>(f: (protocol: string, c: ReturnType<IngestStats['toJSON']>[string]) => T[]): T[] =>
    [...s.ingest.byProtocol].flatMap(([protocol, c]) => f(protocol, c));
  readCounter(registry, 'meshtrace_ingest_requests_total', 'Ingest requests received, by protocol.', ['protocol'],
    () => per((protocol, c) => [[{ protocol }, c.requests]]));
  readCounter(registry, 'meshtrace_ingest_payload_bytes_total', 'Ingest request body bytes as received (before inflation), by protocol.', ['protocol'],
    () => per((protocol, c) => [[{ protocol }, c.payloadBytes]]));
  readCounter(registry, 'meshtrace_spans_received_total', 'Spans received, by protocol and result (accepted, or rejected one by one).', ['protocol', 'result'],
    () => per((protocol, c) => [[{ protocol, result: 'accepted' }, c.spansAccepted],
      [{ protocol, result: 'rejected' }, Object.values(c.spansRejected).reduce((n, v) => n + (v ?? 0), 0)]]));
  readCounter(registry, 'meshtrace_spans_rejected_total', 'Spans rejected from otherwise accepted batches, by protocol and reason.', ['protocol', 'reason'],
    () => per((protocol, c) => Object.entries(c.spansRejected).map(([reason, n]): [Labels, number] => [{ protocol, reason }, n ?? 0])));
  readCounter(registry, 'meshtrace_ingest_requests_refused_total', 'Whole ingest requests refused (400, 413, 415, 429), by protocol and reason.', ['protocol', 'reason'],
    () => per((protocol, c) => Object.entries(c.requestsRefused).map(([reason, n]): [Labels, number] => [{ protocol, reason }, n ?? 0])));
  readCounter(registry, 'meshtrace_tags_limited_total', 'Tags dropped or truncated by the per-span limits.', [], () => [[{}, s.tagsLimited()]]);
  readCounter(registry, 'meshtrace_tags_redacted_total', 'Tag values redacted at ingest (credentials, URL secrets, configured keys).', [], () => [[{}, s.tagsRedacted()]]);
  const latency = new Histogram({ name: 'meshtrace_ingest_duration_seconds', help: 'Time to decode, normalize and buffer one ingest request.', labelNames: ['protocol'], buckets: [...LATENCY_BUCKETS_S], registers: [registry] });
  s.ingest.latencyObserver = (protocol, seconds) => latency.observe({ protocol }, seconds);
}

function pipelineMetrics(registry: Registry, s: MetricsSources): void {
  readGauge(registry, 'meshtrace_buffer_spans', 'Spans held unsettled in the trace buffer.', [], () => [[{}, s.buffer().bufferedSpans]]);
  readGauge(registry, 'meshtrace_buffer_traces', 'Traces held unsettled in the trace buffer.', [], () => [[{}, s.buffer().bufferedTraces]]);
  readGauge(registry, 'meshtrace_buffer_limit_spans', 'Unsettled spans allowed before ingest answers 429.', [], () => [[{}, s.limits.maxBufferedSpans]]);
  readCounter(registry, 'meshtrace_buffer_refused_batches_total', 'Batches refused because the trace buffer was full.', [], () => [[{}, s.buffer().refusedBatches]]);
  readCounter(registry, 'meshtrace_traces_settled_total', 'Traces settled into the store.', [], () => [[{}, s.buffer().settledTraces]]);
  readCounter(registry, 'meshtrace_late_spans_total', 'Spans that arrived after their trace settled and were merged into it.', [], () => [[{}, s.buffer().lateSpans]]);
  readGauge(registry, 'meshtrace_store_traces', 'Settled traces in the store.', [], () => [[{}, s.store().traces]]);
  readGauge(registry, 'meshtrace_store_spans', 'Settled spans in the store.', [], () => [[{}, s.store().spans]]);
  readGauge(registry, 'meshtrace_store_limit_spans', 'Settled spans kept before the oldest traces are evicted.', [], () => [[{}, s.limits.maxStoredSpans]]);
  readCounter(registry, 'meshtrace_traces_evicted_total', 'Traces evicted from the store, by reason (retention or capacity).', ['reason'],
    () => Object.entries(s.store().evictedTraces).map(([reason, n]): [Labels, number] => [{ reason }, n]));
  readCounter(registry, 'meshtrace_spans_evicted_total', 'Spans evicted from the store, by reason.', ['reason'],
    () => Object.entries(s.store().evictedSpans).map(([reason, n]): [Labels, number] => [{ reason }, n]));
}

function auditMetrics(registry: Registry, s: MetricsSources): void {
  const a = s.auditor;
  readCounter(registry, 'meshtrace_audit_traces_observed_total', 'Settled traces the propagation audit has observed.', [], () => [[{}, a.tracesObserved]]);
  readGauge(registry, 'meshtrace_audit_observations', 'Request windows and root calls the audit holds.', [], () => [[{}, a.observationsHeld]]);
  readCounter(registry, 'meshtrace_audit_observations_dropped_total', 'Audit observations dropped, by reason (retention, or capacity before their retention ended).', ['reason'],
    () => [[{ reason: 'retention' }, a.observationsExpired], [{ reason: 'capacity' }, a.observationsEvicted]]);
  readCounter(registry, 'meshtrace_audit_future_spans_ignored_total', 'Spans the audit ignored: stamped more than an hour ahead of the clock, or before 1970.', [], () => [[{}, a.futureSpansIgnored]]);
  const report = () => s.audit.analysis(s.auditWindowUs).report;
  readGauge(registry, 'meshtrace_propagation_score', 'Share of judged calls in the audit window that kept their trace context (1 = perfect).', [], () => [[{}, report().mesh.propagationScore]]);
  readGauge(registry, 'meshtrace_workloads', 'Workloads in the audit window, by verdict.', ['verdict'], () => {
    const counts = new Map<string, number>([['breaks-propagation', 0], ['propagates', 0], ['insufficient-data', 0]]);
    for (const w of report().workloads) counts.set(w.verdict, (counts.get(w.verdict) ?? 0) + 1);
    return [...counts].map(([verdict, n]): [Labels, number] => [{ verdict }, n]);
  });
  const workloads = () => report().workloads.filter((w) => w.role === 'service').slice(0, s.maxWorkloads);
  readGauge(registry, 'meshtrace_workload_gap_ratio', `Share of a workload's sampled calls that lost their trace context (the ${s.maxWorkloads} worst workloads).`, ['namespace', 'workload', 'verdict'],
    () => workloads().map((w): [Labels, number] => [{ namespace: w.namespace, workload: w.workload, verdict: w.verdict }, w.gapRatio]));
  readGauge(registry, 'meshtrace_workload_gaps', 'Propagation gaps of a workload in the audit window, by kind (same workloads as the gap ratio).', ['namespace', 'workload', 'kind'],
    () => workloads().flatMap((w) => Object.entries(w.gaps).map(([kind, n]): [Labels, number] => [{ namespace: w.namespace, workload: w.workload, kind }, n])));
  const edges = () => report().edges.slice(0, s.maxWorkloads * 2);
  readGauge(registry, 'meshtrace_edge_gap_ratio', `Share of calls on a caller → callee edge that lost their trace context (the ${s.maxWorkloads * 2} worst edges).`, ['from', 'to'],
    () => edges().map((e): [Labels, number] => [{ from: e.from, to: e.to }, e.gapRatio]));
  readGauge(registry, 'meshtrace_edge_calls', 'Sampled calls on a caller → callee edge in the audit window (same edges as the gap ratio).', ['from', 'to'],
    () => edges().map((e): [Labels, number] => [{ from: e.from, to: e.to }, e.calls]));
}

export function buildMetrics(sources: MetricsSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  ingestMetrics(registry, sources);
  pipelineMetrics(registry, sources);
  if (sources.auditEnabled) auditMetrics(registry, sources);
  return registry;
}
