/**
 * Turns the auditor's observations into the propagation report: per workload and per call edge,
 * how many calls lost their trace context, on what evidence, and a verdict once there is enough
 * of it. Rates compare sampled root calls with sampled parented calls: a split-off call gets a
 * fresh sampling decision, so both are thinned alike and their ratio is unbiased, while counting
 * "healthy-looking" traces would mistake unsampled fragments for health.
 */
import type { AuditOptions, PropagationAuditor, WorkloadFacts } from './auditor.js';
import { calibratedSum, calibrateTimeWindow } from './calibration.js';
import { requiredHeaders } from './hints.js';
import type { InboundObservation, ProviderKind, RootCall } from './observations.js';
import type { PodTimeline } from './pod-timeline.js';
import { MAX_EVIDENCE, addCallees, keepEvidence, newCalleeTally } from './range-tally.js';
import type { CalleeTally, RangeTally, WorkloadSlice } from './range-tally.js';
import type { RootClass } from './resolve.js';

export type Verdict = 'breaks-propagation' | 'propagates' | 'insufficient-data';
export type WorkloadRole = 'service' | 'gateway' | 'originator';

export interface Evidence {
  readonly kind: RootClass | 'dead-end';
  readonly traceId: string;
  readonly spanId: string;
  readonly requestId: string | undefined;
  readonly callee: string | undefined;
  readonly parent: { readonly traceId: string; readonly spanId: string } | undefined;
  readonly confidence: number;
}

export interface EdgeReport {
  readonly from: string;
  readonly to: string;
  readonly calls: number;
  readonly gaps: number;
  readonly gapRatio: number;
  readonly confirmed: number;
  readonly inferred: number;
  readonly unattributed: number;
  readonly firstSeen: string | undefined;
  readonly lastSeen: string | undefined;
}

export interface WorkloadReport {
  readonly namespace: string;
  readonly workload: string;
  readonly role: WorkloadRole;
  readonly verdict: Verdict;
  readonly gapRatio: number;
  readonly gaps: { readonly confirmed: number; readonly inferred: number; readonly deadEnds: number; readonly unattributed: number };
  /** Sampled inbound requests in the window. */
  readonly requests: number;
  /** Sampled outbound calls in the window, parented and root. */
  readonly calls: number;
  /** Mean confidence of the chosen parents of inferred gaps (0 when none). */
  readonly graftConfidence: number;
  readonly pods: number;
  readonly provider: ProviderKind | undefined;
  readonly headersToForward: string[];
  readonly firstSeen: string | undefined;
  readonly lastSeen: string | undefined;
  readonly evidence: Evidence[];
  readonly hints: string[];
  readonly reason: string;
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

export interface Analysis {
  readonly report: PropagationReport;
  /** Worked out on first access: the overview does not need them. */
  readonly grafts: Graft[];
}

export interface ReportQuery {
  readonly fromUs: number;
  readonly toUs: number;
  readonly namespace?: string | undefined;
}

export function isoOfUs(us: number): string | undefined {
  return Number.isFinite(us) && us > 0 ? new Date(Math.floor(us / 1000)).toISOString() : undefined;
}

function splitKey(key: string): { namespace: string; workload: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), workload: key.slice(slash + 1) };
}

/**
 * How likely it is that a root which found candidate windows has its true parent among them.
 * A root finds a window by chance with probability `busy` (the share of time the pod's recorded
 * windows cover). If its parent is recorded with probability q, it finds one with probability
 * h = q + (1 - q)·busy, so q is estimated from the observed hit rate; a conservative (lower)
 * bound of that rate keeps a handful of lucky hits from claiming certainty. The answer is
 * P(parent recorded | hit) = q / h. At 1% sampling with a broken workload q ≈ 0.01 and grafts get
 * a low confidence; at full sampling q ≈ 1.
 */
function parentRecordedProbability(hits: number, roots: number, busy: number, sampling: number | undefined): number {
  const b = Math.min(busy, 0.999);
  if (sampling !== undefined) return sampling / (sampling + (1 - sampling) * b);
  if (roots === 0 || hits === 0) return 0;
  const z = 1;
  const centre = hits + (z * z) / 2;
  const spread = z * Math.sqrt((hits * (roots - hits)) / roots + (z * z) / 4);
  const hitRate = (centre - spread) / (roots + z * z);
  const q = Math.min(1, Math.max(0, (hitRate - b) / (1 - b)));
  return q / (q + (1 - q) * b);
}

/** Sampled request ids needed before their values are trusted to tell the sampling rate. */
const MIN_SAMPLING_VALUES = 30;

/**
 * The sampling rate behind a workload's recorded requests, from Envoy's request-id rule: the
 * values of n sampled ids are uniform below rate × 10000, so their maximum estimates it.
 */
export function samplingRateOf(facts: WorkloadFacts): number | undefined {
  const n = facts.samplingValues;
  if (n < MIN_SAMPLING_VALUES) return undefined;
  return Math.min(1, ((facts.samplingValueMax + 1) / 10_000) * ((n + 1) / n));
}

/** One workload's tallies over a window, added up from its pods' cached parts. */
class WorkloadAnalysis {
  readonly facts: WorkloadFacts;
  requests = 0;
  deadEnds = 0;
  readonly deadEndExamples: InboundObservation[] = [];
  readonly rootsByCallee = new Map<string, CalleeTally>();
  rootCount = 0;
  nonConfirmed = 0;
  withCandidates = 0;
  /** Slices with inferred gaps: their confidences are summed once `recorded` is known. */
  readonly inferred: WorkloadSlice[] = [];
  readonly evidence: RootCall[] = [];
  #confirmedSeen = 0;
  busy = 0;

  constructor(facts: WorkloadFacts) {
    this.facts = facts;
  }

  add(slice: WorkloadSlice): void {
    this.requests += slice.inbound;
    this.deadEnds += slice.deadEnds;
    for (const o of slice.deadEndExamples) if (this.deadEndExamples.length < MAX_EVIDENCE) this.deadEndExamples.push(o);
    this.rootCount += slice.roots;
    this.nonConfirmed += slice.nonConfirmed;
    this.withCandidates += slice.withCandidates;
    if (slice.inferredChoices.length > 0) this.inferred.push(slice);
    this.#confirmedSeen = keepEvidence(this.evidence, slice.evidence, this.#confirmedSeen);
    addCallees(this.rootsByCallee, slice.byCallee);
  }
}

/**
 * Share of [fromUs, toUs) the pod was busy, from the parts' cached covered time where a part lies
 * wholly inside and from the pod's windows elsewhere (covered time adds up over adjacent ranges).
 */
function busyOver(pod: PodTimeline, parts: readonly RangeTally[], fromUs: number, toUs: number): number {
  if (toUs <= fromUs) return 0;
  let covered = 0;
  let cursor = fromUs;
  for (const part of parts) {
    const s = Math.max(part.fromUs, cursor);
    const e = Math.min(part.toUs, toUs);
    if (e <= s) continue;
    if (s > cursor) covered += pod.coveredUs(cursor, s);
    covered += s === part.fromUs && e === part.toUs ? part.coveredUs : pod.coveredUs(s, e);
    cursor = e;
  }
  if (toUs > cursor) covered += pod.coveredUs(cursor, toUs);
  return covered / (toUs - fromUs);
}

function included(auditor: PropagationAuditor, facts: WorkloadFacts, q: ReportQuery): boolean {
  if (q.namespace !== undefined && splitKey(facts.key).namespace !== q.namespace) return false;
  return auditor.options.excluded?.(facts.key) !== true;
}

function gather(auditor: PropagationAuditor, q: ReportQuery): WorkloadAnalysis[] {
  auditor.resolvePending();
  const out: WorkloadAnalysis[] = [];
  for (const facts of auditor.workloads.values()) {
    if (!included(auditor, facts, q)) continue;
    const a = new WorkloadAnalysis(facts);
    let busy = 0;
    let pods = 0;
    for (const podKey of facts.pods) {
      const pod = auditor.pods.get(podKey);
      if (pod === undefined) continue;
      const parts = pod.tallies(q.fromUs, q.toUs);
      let firstInboundUs = Number.POSITIVE_INFINITY;
      for (const part of parts) {
        const slice = part.byWorkload.get(facts.key);
        if (slice === undefined) continue;
        a.add(slice);
        if (slice.inbound > 0 && firstInboundUs === Number.POSITIVE_INFINITY) firstInboundUs = slice.firstInboundUs;
      }
      if (firstInboundUs !== Number.POSITIVE_INFINITY) {
        busy += busyOver(pod, parts, Math.max(q.fromUs, firstInboundUs), Math.min(q.toUs, facts.lastSeenUs));
        pods++;
      }
    }
    a.busy = pods === 0 ? 0 : busy / pods;
    out.push(a);
  }
  return out;
}

function roleOf(a: WorkloadAnalysis): WorkloadRole {
  if (a.facts.gateway) return 'gateway';
  return a.requests === 0 ? 'originator' : 'service';
}

function verdictOf(options: AuditOptions, role: WorkloadRole, requests: number, gaps: number, ratio: number): { verdict: Verdict; reason: string } {
  if (role === 'gateway') return { verdict: 'propagates', reason: 'gateways start traces by design' };
  if (role === 'originator') return { verdict: 'propagates', reason: 'no inbound requests in the window: its calls start traces legitimately (cron jobs, consumers)' };
  if (requests < options.minRequests) {
    return { verdict: 'insufficient-data', reason: `${requests} sampled inbound requests; a verdict needs ${options.minRequests}` };
  }
  if (gaps >= options.minGaps && ratio >= options.minGapRatio) {
    return { verdict: 'breaks-propagation', reason: `${gaps} calls started new traces while it was serving requests (${(ratio * 100).toFixed(1)}% of its calls)` };
  }
  return { verdict: 'propagates', reason: gaps === 0 ? 'every call kept its trace context' : `${gaps} root calls, below the ${options.minGaps}-call and ${(options.minGapRatio * 100).toFixed(0)}% thresholds` };
}

function hintsOf(a: WorkloadAnalysis, role: WorkloadRole, parented: number, roots: number, provider: ProviderKind | undefined): string[] {
  const hints: string[] = [];
  if (a.facts.nonUuidRequestIds > 0) {
    hints.push(`${a.facts.nonUuidRequestIds} requests carried an x-request-id that is not a UUID (e.g. "${a.facts.exampleNonUuid}"): Envoy cannot read its sampling decision from it and stops tracing those requests`);
  }
  if (role === 'service' && roots > 0 && parented === 0) {
    hints.push(`none of its calls kept the trace context: forward ${requiredHeaders(provider).join(', ')} from the inbound request`);
  } else if (role === 'service' && roots > 0) {
    hints.push('some calls keep the trace context and some do not: look for calls made from background tasks, thread pools or retries that do not carry the inbound headers');
  }
  return hints;
}

/** Keeps a few examples, preferring proof (confirmed gaps) over inference. */
function addEvidence(evidence: Evidence[], item: Evidence): void {
  if (evidence.length < MAX_EVIDENCE) evidence.push(item);
  else if (item.kind === 'confirmed') {
    const weaker = evidence.findIndex((e) => e.kind !== 'confirmed');
    if (weaker >= 0) evidence[weaker] = item;
  }
}

/** How sure the audit is of a root's chosen parent, given how often this workload's parents are recorded. */
function confidenceOf(r: RootCall, recorded: number): number {
  if (r.resolvedAs === 'confirmed') return r.choiceProbability;
  return r.resolvedAs === 'inferred' ? calibrateTimeWindow(r.choiceProbability * recorded) : 0;
}

function evidenceOf(r: RootCall, recorded: number): Evidence {
  return {
    kind: r.resolvedAs!, traceId: r.traceId, spanId: r.spanId, requestId: r.requestId, callee: r.callee,
    parent: r.parent === undefined ? undefined : { traceId: r.parent.traceId, spanId: r.parent.spanId },
    confidence: confidenceOf(r, recorded),
  };
}

/** What a service's gaps add up to: counts, evidence and the mean graft confidence. */
function judgeGaps(a: WorkloadAnalysis, recorded: number) {
  const counts = { confirmed: 0, inferred: 0, unattributed: 0 };
  for (const t of a.rootsByCallee.values()) {
    counts.confirmed += t.confirmed;
    counts.inferred += t.inferred;
    counts.unattributed += t.unattributed;
  }
  let confidenceSum = 0;
  for (const slice of a.inferred) confidenceSum += calibratedSum(slice.inferredChoices, slice.inferredPrefix, recorded);
  const evidence: Evidence[] = [];
  for (const r of a.evidence) addEvidence(evidence, evidenceOf(r, recorded));
  return { counts, confidenceSum, evidence };
}

/** The grafts of one service's gaps over the window (only asked for by stitched views and the grafts API). */
function graftsOf(auditor: PropagationAuditor, facts: WorkloadFacts, recorded: number, q: ReportQuery, out: Graft[]): void {
  for (const podKey of facts.pods) {
    for (const r of auditor.pods.get(podKey)?.rootsBetween(q.fromUs, q.toUs) ?? []) {
      const parent = r.parent;
      if (r.workload !== facts.key || parent === undefined) continue;
      const confidence = confidenceOf(r, recorded);
      if (confidence < auditor.options.minGraftConfidence) continue;
      out.push({
        orphanTraceId: r.traceId, orphanSpanId: r.spanId, parentTraceId: parent.traceId, parentSpanId: parent.spanId,
        method: r.resolvedAs === 'confirmed' ? 'request-id' : 'time-window', confidence, workload: facts.key, callee: r.callee,
      });
    }
  }
}

/** Builds the report for one window; its grafts are worked out when first asked for. */
export function analyze(auditor: PropagationAuditor, q: ReportQuery): Analysis {
  const options = auditor.options;
  const workloads: WorkloadReport[] = [];
  const edges: EdgeReport[] = [];
  const services: { facts: WorkloadFacts; recorded: number }[] = [];
  let judgedCalls = 0;
  let judgedGaps = 0;
  for (const a of gather(auditor, q)) {
    const role = roleOf(a);
    const { namespace, workload } = splitKey(a.facts.key);
    const tallies = new Map<string, CalleeTally>();
    let parented = 0;
    for (const [callee, counts] of a.facts.parentedCalls) {
      const n = counts.sum(q.fromUs, q.toUs);
      if (n === 0) continue;
      const t = newCalleeTally();
      t.calls = n;
      tallies.set(callee, t);
      parented += n;
    }
    for (const [callee, roots] of a.rootsByCallee) {
      let t = tallies.get(callee);
      if (t === undefined) tallies.set(callee, t = newCalleeTally());
      t.calls += roots.calls;
      t.first = Math.min(t.first, roots.first);
      t.last = Math.max(t.last, roots.last);
      // Roots of gateways and originators start traces by design: counted as calls, never as gaps.
      if (role !== 'service') continue;
      t.confirmed += roots.confirmed;
      t.inferred += roots.inferred;
      t.unattributed += roots.unattributed;
    }
    const recorded = parentRecordedProbability(a.withCandidates, a.nonConfirmed, a.busy, samplingRateOf(a.facts));
    const judged = role === 'service' ? judgeGaps(a, recorded) : { counts: { confirmed: 0, inferred: 0, unattributed: 0 }, confidenceSum: 0, evidence: [] };
    const { evidence, counts, confidenceSum } = judged;
    if (role === 'service') services.push({ facts: a.facts, recorded });
    const rootCount = counts.confirmed + counts.inferred + counts.unattributed;
    const calls = parented + a.rootCount;
    const gapRatio = role === 'service' && calls > 0 ? rootCount / calls : 0;
    // Requests without calls only mean something once the workload is known to lose some calls.
    const deadEnds = role === 'service' && rootCount > 0 ? a.deadEnds : 0;
    if (role === 'service') {
      judgedCalls += calls;
      judgedGaps += rootCount;
      for (const o of deadEnds > 0 ? a.deadEndExamples : []) {
        if (evidence.length >= MAX_EVIDENCE) break;
        evidence.push({ kind: 'dead-end', traceId: o.traceId, spanId: o.spanId, requestId: o.requestId, callee: undefined, parent: undefined, confidence: 1 });
      }
    }
    const { verdict, reason } = verdictOf(options, role, a.requests, rootCount, gapRatio);
    const provider = options.configuredProvider?.(a.facts.key) ?? a.facts.provider;
    workloads.push({
      namespace, workload, role, verdict, gapRatio,
      gaps: { confirmed: counts.confirmed, inferred: counts.inferred, deadEnds, unattributed: counts.unattributed },
      requests: a.requests, calls,
      graftConfidence: counts.inferred === 0 ? 0 : confidenceSum / counts.inferred,
      pods: a.facts.pods.size, provider, headersToForward: requiredHeaders(provider),
      firstSeen: isoOfUs(a.facts.firstSeenUs), lastSeen: isoOfUs(a.facts.lastSeenUs),
      evidence, hints: hintsOf(a, role, parented, rootCount, provider), reason,
    });
    for (const [callee, t] of tallies) {
      const gaps = role === 'service' ? t.confirmed + t.inferred + t.unattributed : 0;
      edges.push({
        from: a.facts.key, to: callee, calls: t.calls, gaps, gapRatio: t.calls === 0 ? 0 : gaps / t.calls,
        confirmed: t.confirmed, inferred: t.inferred, unattributed: t.unattributed,
        firstSeen: isoOfUs(t.first), lastSeen: isoOfUs(t.last),
      });
    }
  }
  const rank: Record<Verdict, number> = { 'breaks-propagation': 0, 'insufficient-data': 1, 'propagates': 2 };
  workloads.sort((x, y) => rank[x.verdict] - rank[y.verdict] || y.gapRatio - x.gapRatio || y.requests - x.requests);
  edges.sort((x, y) => y.gapRatio - x.gapRatio || y.gaps - x.gaps || y.calls - x.calls);
  const widths = auditor.traceIdWidths;
  const meshHints: string[] = [];
  if (widths[64] > 0 && widths[128] > 0) {
    meshHints.push(`${widths[64]} traces have 64-bit ids and ${widths[128]} have 128-bit ids: a tracer or app truncates trace ids, which splits traces where the two meet`);
  }
  return lazyAnalysis(auditor, q, {
      window: { from: isoOfUs(q.fromUs) ?? new Date(0).toISOString(), to: isoOfUs(q.toUs) ?? new Date(0).toISOString() },
      mesh: {
        propagationScore: judgedCalls === 0 ? 1 : 1 - judgedGaps / judgedCalls,
        workloads: workloads.length,
        breaking: workloads.filter((w) => w.verdict === 'breaks-propagation').length,
        traceIdWidths: { '64': widths[64], '128': widths[128] },
        hints: meshHints,
      },
      workloads, edges,
    },
    services,
  );
}

function lazyAnalysis(auditor: PropagationAuditor, q: ReportQuery, report: PropagationReport, services: readonly { facts: WorkloadFacts; recorded: number }[]): Analysis {
  let grafts: Graft[] | undefined;
  return {
    report,
    get grafts(): Graft[] {
      if (grafts === undefined) {
        auditor.resolvePending();
        grafts = [];
        for (const { facts, recorded } of services) graftsOf(auditor, facts, recorded, q, grafts);
      }
      return grafts;
    },
  };
}
