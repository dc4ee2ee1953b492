/**
 * The propagation audit's state: every settled trace is reduced to observations (cheap, at
 * settle time); roots are resolved against their pod's request windows lazily, when a report is
 * asked for, and again only when new windows arrive around them.
 */
import type { Span } from '../model/index.js';
import { TimeCounts } from './counts.js';
import { isEnvoyRequestId } from './hints.js';
import { observeTrace } from './observations.js';
import type { InboundObservation, ProviderKind, RootCall, TraceObservations, WorkloadKey } from './observations.js';
import { PodTimeline } from './pod-timeline.js';
import { resolveAndClaim } from './resolve.js';

export interface AuditOptions {
  /** How long observations are kept, µs. Default 1 hour. */
  readonly retentionUs: number;
  /** A call this long after its request answered may still be its (async) follow-up, µs. Default 100 ms. */
  readonly asyncGraceUs: number;
  /** Sampled inbound requests a workload needs before it gets a verdict. Default 200. */
  readonly minRequests: number;
  /** Gap roots needed, and their share of calls, for `breaks-propagation`. Defaults 5 and 0.05. */
  readonly minGaps: number;
  readonly minGapRatio: number;
  /** Grafts below this confidence are not made. Default 0.8: a wrong graft misleads more than a missing one. */
  readonly minGraftConfidence: number;
  /** Workloads (`namespace/workload`) whose hops Telemetry excludes from tracing; never judged. */
  readonly excluded?: (workload: WorkloadKey) => boolean;
  /**
   * The provider a workload's Envoys were configured with (from xDS), preferred over the one read
   * from its spans: the headers its app must forward follow what its sidecar reads.
   */
  readonly configuredProvider?: (workload: WorkloadKey) => ProviderKind | undefined;
  /**
   * Observations (inbound windows and root calls) held at most; beyond it the oldest seconds are
   * dropped before their retention ends, and counted. Default 1,000,000 (roughly 400 MB of heap).
   */
  readonly maxObservations: number;
  /** Wall clock, µs; when given, spans stamped more than an hour ahead of it are ignored. */
  readonly clockUs?: () => number;
}

export const DEFAULT_AUDIT_OPTIONS: AuditOptions = {
  retentionUs: 3_600_000_000, asyncGraceUs: 100_000, minRequests: 200, minGaps: 5, minGapRatio: 0.05, minGraftConfidence: 0.8,
  maxObservations: 1_000_000,
};

/** Per-workload running facts that are cheaper to count at ingest than to rescan. */
export class WorkloadFacts {
  readonly key: WorkloadKey;
  readonly pods = new Set<string>();
  readonly parentedCalls = new Map<string, TimeCounts>();
  readonly inbound = new TimeCounts();
  provider: ProviderKind | undefined;
  gateway = false;
  nonUuidRequestIds = 0;
  exampleNonUuid: string | undefined;
  /** Mean µs from a request's start to a call it makes, and from the call's end to the request's (EWMA over parented calls). */
  meanDelayUs: number | undefined;
  meanTailUs: number | undefined;
  /**
   * Highest `first 8 hex digits mod 10000` among sampled Envoy request ids: Envoy samples a
   * request when that value is below percentage × 100 (ENVOY-ISTIO.md §4.2), so this bounds the
   * sampling rate from the data alone.
   */
  samplingValueMax = -1;
  samplingValues = 0;
  firstSeenUs = Number.POSITIVE_INFINITY;
  lastSeenUs = 0;

  constructor(key: WorkloadKey) {
    this.key = key;
  }

  seen(startUs: number, endUs: number): void {
    if (startUs < this.firstSeenUs) this.firstSeenUs = startUs;
    if (endUs > this.lastSeenUs) this.lastSeenUs = endUs;
  }
}

/** Default call delay before any has been observed: 5 ms. */
const DEFAULT_DELAY_US = 5000;
const DELAY_EWMA = 0.05;
const FUTURE_LIMIT_US = 3_600_000_000;
/** How finely held observations are counted by start time, for the cap to drop the oldest. */
const HELD_BUCKET_US = 1_000_000;

function ewma(mean: number | undefined, x: number): number {
  return mean === undefined ? x : mean + DELAY_EWMA * (x - mean);
}

/** {@link requestIdSampling} of a request id that is not a UUID. */
const NOT_UUID = -2;

/**
 * What a request id tells of Envoy's sampling: {@link NOT_UUID}; -1 for a UUID Envoy did not mark
 * sampled (version nibble other than '9'); else its sampling value (the first 32 bits mod 10,000).
 */
function requestIdSampling(requestId: string): number {
  if (!isEnvoyRequestId(requestId)) return NOT_UUID;
  if (requestId.charCodeAt(14) !== 0x39 /* 9 */) return -1;
  let v = 0;
  // Eight hex digits, checked above: (c | 0x20) folds upper case, letters sit 0x57 above their value.
  for (let i = 0; i < 8; i++) {
    const c = requestId.charCodeAt(i) | 0x20;
    v = v * 16 + (c <= 0x39 ? c - 0x30 : c - 0x57);
  }
  return v % 10_000;
}

export class PropagationAuditor {
  readonly options: AuditOptions;
  readonly pods = new Map<string, PodTimeline>();
  readonly workloads = new Map<WorkloadKey, WorkloadFacts>();
  readonly traceIdWidths = { 64: 0, 128: 0 };
  #meshDelayUs: number | undefined;
  #meshTailUs: number | undefined;
  futureSpansIgnored = 0;
  #latestUs = 0;
  #tracesObserved = 0;
  /** The last request id read by {@link requestIdSampling}, and what it gave. */
  #lastRequestId: string | undefined;
  #lastSampling = NOT_UUID;
  /**
   * Observations held in pod timelines, by start second, so the cap drops about as many of the
   * oldest as it must. By the minute it dropped a whole minute at once: at a busy mesh's rates,
   * most of what it held, and the heap that then shrank and regrew cost page faults.
   */
  readonly #held = new TimeCounts(HELD_BUCKET_US);
  #heldCount = 0;
  /** Observations dropped at the end of their retention, and early because of `maxObservations`. */
  observationsExpired = 0;
  observationsEvicted = 0;
  /** Bumped whenever observations change, so derived reports know they are stale. */
  version = 0;

  constructor(options: Partial<AuditOptions> = {}) {
    this.options = { ...DEFAULT_AUDIT_OPTIONS, ...options };
  }

  get tracesObserved(): number {
    return this.#tracesObserved;
  }

  /** The newest span end seen, µs: "now" for audits of recorded data. */
  get latestUs(): number {
    return this.#latestUs;
  }

  /** Takes in one settled trace. */
  observe(spans: readonly Span[]): void {
    const obs = observeTrace(spans);
    this.#tracesObserved++;
    this.futureSpansIgnored += obs.unobservable;
    if (this.options.clockUs !== undefined) this.#dropFuture(obs, this.options.clockUs() + FUTURE_LIMIT_US);
    if (obs.inbound.length === 0 && obs.outbound.length === 0 && obs.gateways.length === 0) return;
    this.version++;
    this.traceIdWidths[obs.traceIdBits]++;
    for (const g of obs.gateways) this.#facts(g).gateway = true;
    for (const o of obs.inbound) this.#addInbound(o, obs.provider);
    for (const call of obs.outbound) {
      const facts = this.#facts(call.workload);
      facts.seen(call.startUs, call.endUs);
      facts.pods.add(call.pod);
      facts.provider ??= obs.provider;
      if (call.endUs > this.#latestUs) this.#latestUs = call.endUs;
      if (call.root) {
        if (this.#pod(call.pod).addRoot(call)) this.#hold(call.startUs);
        continue;
      }
      let edge = facts.parentedCalls.get(call.callee);
      if (edge === undefined) facts.parentedCalls.set(call.callee, edge = new TimeCounts());
      edge.add(call.startUs);
      if (call.delayUs !== undefined && call.tailUs !== undefined) {
        facts.meanDelayUs = ewma(facts.meanDelayUs, call.delayUs);
        facts.meanTailUs = ewma(facts.meanTailUs, call.tailUs);
        this.#meshDelayUs = ewma(this.#meshDelayUs, call.delayUs);
        this.#meshTailUs = ewma(this.#meshTailUs, call.tailUs);
      }
    }
  }

  /** Spans stamped far in the future (broken clocks, hostile data) would pin windows and pruning. */
  #dropFuture(obs: TraceObservations, limitUs: number): void {
    // Nearly always nothing to drop: then no copies of the lists either.
    if (obs.inbound.every((o) => o.startUs <= limitUs) && obs.outbound.every((o) => o.startUs <= limitUs)) return;
    const before = obs.inbound.length + obs.outbound.length;
    obs.inbound = obs.inbound.filter((o) => o.startUs <= limitUs);
    obs.outbound = obs.outbound.filter((o) => o.startUs <= limitUs);
    this.futureSpansIgnored += before - obs.inbound.length - obs.outbound.length;
  }

  #addInbound(o: InboundObservation, provider: ProviderKind | undefined): void {
    const facts = this.#facts(o.workload);
    facts.seen(o.startUs, o.endUs);
    facts.pods.add(o.pod);
    facts.provider ??= provider;
    facts.inbound.add(o.startUs);
    if (o.requestId !== undefined) {
      // The spans of one request share one instance of its id (traces/share.ts): read it once.
      if (o.requestId !== this.#lastRequestId) {
        this.#lastRequestId = o.requestId;
        this.#lastSampling = requestIdSampling(o.requestId);
      }
      const v = this.#lastSampling;
      if (v === NOT_UUID) {
        facts.nonUuidRequestIds++;
        facts.exampleNonUuid ??= o.requestId;
      } else if (v >= 0) {
        facts.samplingValues++;
        if (v > facts.samplingValueMax) facts.samplingValueMax = v;
      }
    }
    if (o.endUs > this.#latestUs) this.#latestUs = o.endUs;
    if (this.#pod(o.pod).addInbound(o)) this.#hold(o.startUs);
  }

  #hold(startUs: number): void {
    this.#held.add(startUs);
    this.#heldCount++;
  }

  /** Inbound windows and root calls currently held. */
  get observationsHeld(): number {
    return this.#heldCount;
  }

  #facts(key: WorkloadKey): WorkloadFacts {
    let f = this.workloads.get(key);
    if (f === undefined) this.workloads.set(key, f = new WorkloadFacts(key));
    return f;
  }

  #pod(pod: string): PodTimeline {
    let t = this.pods.get(pod);
    if (t === undefined) this.pods.set(pod, t = new PodTimeline(pod, this.options.asyncGraceUs));
    return t;
  }

  /** Resolves every root whose answer may have changed since the last call. */
  resolvePending(): void {
    for (const pod of this.pods.values()) {
      for (const r of pod.takeUnresolved()) this.#resolve(pod, r);
    }
  }

  #resolve(pod: PodTimeline, r: RootCall): void {
    const facts = this.workloads.get(r.workload);
    const timing = {
      meanDelayUs: Math.max(facts?.meanDelayUs ?? this.#meshDelayUs ?? DEFAULT_DELAY_US, 100),
      meanTailUs: Math.max(facts?.meanTailUs ?? this.#meshTailUs ?? DEFAULT_DELAY_US, 100),
    };
    resolveAndClaim(r, pod.windowsAt(r.startUs, this.options.asyncGraceUs), timing);
  }

  /**
   * Resolves new roots and recomputes changed report tallies, for at most `budgetMs` of tally
   * work: run between requests (the server's tick), it leaves a report little to do.
   * Returns false when tallies are left for the next call.
   */
  warm(budgetMs: number): boolean {
    const deadline = performance.now() + budgetMs;
    this.resolvePending();
    for (const pod of this.pods.values()) if (!pod.warm(deadline)) return false;
    return true;
  }

  /** Drops observations older than the retention, and the oldest ones beyond `maxObservations`. */
  prune(nowUs: number): void {
    const expiry = nowUs - this.options.retentionUs;
    const over = this.#heldCount - this.options.maxObservations;
    const capCutoff = over > 0 ? this.#held.cutoffDropping(over) ?? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    const cutoff = Math.max(expiry, capCutoff);
    let dropped = 0;
    for (const [key, pod] of this.pods) {
      dropped += pod.prune(cutoff);
      if (pod.empty) this.pods.delete(key);
    }
    this.#heldCount -= dropped;
    this.#held.prune(cutoff);
    if (capCutoff > expiry) this.observationsEvicted += dropped;
    else this.observationsExpired += dropped;
    if (dropped > 0) this.version++;
    for (const f of this.workloads.values()) {
      f.inbound.prune(cutoff);
      for (const c of f.parentedCalls.values()) c.prune(cutoff);
    }
  }
}
